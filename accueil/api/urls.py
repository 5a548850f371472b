from rest_framework.routers import SimpleRouter

from accueil.api.views import InformationSessionViewSet, IntakeRequestViewSet, RoutingViewSet

router = SimpleRouter()
router.register("intake-requests", IntakeRequestViewSet, basename="intakerequest")
router.register("routings", RoutingViewSet, basename="routing")
router.register("information-sessions", InformationSessionViewSet, basename="informationsession")

urlpatterns = router.urls
