from rest_framework.routers import SimpleRouter

from accompagnement.api import views

router = SimpleRouter()
router.register("action-plans", views.ActionPlanViewSet, basename="actionplan")
router.register("plan-actions", views.ActionViewSet, basename="action")
router.register("funding-requests", views.FundingRequestViewSet, basename="fundingrequest")
router.register("plan-steps", views.StepViewSet, basename="planstep")
router.register("plan-trainings", views.TrainingPathViewSet, basename="plantraining")
router.register(
    "plan-external-services", views.ExternalServiceViewSet, basename="planexternalservice"
)
router.register("plan-cost-lines", views.CostLineViewSet, basename="plancostline")

urlpatterns = router.urls
