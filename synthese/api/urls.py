from rest_framework.routers import SimpleRouter

from synthese.api import views

router = SimpleRouter()
router.register("syntheses", views.SynthesisDocumentViewSet, basename="synthesisdocument")

urlpatterns = router.urls
