from django.urls import path
from rest_framework.routers import SimpleRouter

from conseil.api import views

router = SimpleRouter()
router.register("demand-clarifications", views.DemandClarificationViewSet, basename="clarification")
router.register("held-skills", views.HeldSkillViewSet, basename="heldskill")
router.register("project-versions", views.ProjectVersionViewSet, basename="projectversion")
router.register("strategy-options", views.StrategyOptionViewSet, basename="strategyoption")

urlpatterns = [
    path("referent-changes/", views.ReferentChangeView.as_view(), name="referent_change"),
    *router.urls,
]
