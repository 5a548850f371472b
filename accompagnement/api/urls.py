from rest_framework.routers import SimpleRouter

from accompagnement.api import views

router = SimpleRouter()
router.register("action-plans", views.ActionPlanViewSet, basename="actionplan")
router.register("plan-actions", views.ActionViewSet, basename="action")
router.register("funding-requests", views.FundingRequestViewSet, basename="fundingrequest")

urlpatterns = router.urls
