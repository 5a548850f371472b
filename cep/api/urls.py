from rest_framework.routers import DefaultRouter

from cep.api.views import BeneficiaryViewSet, ParcoursViewSet, ServiceViewSet

router = DefaultRouter()
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
router.register("parcours", ParcoursViewSet, basename="parcours")
router.register("services", ServiceViewSet, basename="service")
