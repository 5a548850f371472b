"""Level 3's columns of the managers' team view."""

from django.db.models import Min, OuterRef, Subquery

from accompagnement.models import Action, PlanVersion
from cep.managers.team import (
    ParcoursColumn,
    TeamFigure,
    count_of,
    register_parcours_column,
    register_team_figure,
)
from cep.registries import register_next_due


def _overdue(period, today):
    return count_of(
        Action.objects.filter(
            version__status=PlanVersion.Status.AGREED,
            version__plan__parcours__closed_on__isnull=True,
            status__in=[Action.Status.TODO, Action.Status.IN_PROGRESS],
            due_date__lt=today,
        ),
        over="version__plan__parcours__referent",
    )


def _agreed(period, today):
    return count_of(
        PlanVersion.objects.filter(agreed_on__gte=period.start, agreed_on__lt=period.end),
        over="plan__parcours__referent",
    )


def _next_due(today):
    """The earliest due date among the open actions of the agreed plan."""
    due = (
        Action.objects.filter(
            version__plan__parcours=OuterRef("pk"),
            version__status=PlanVersion.Status.AGREED,
            status__in=[Action.Status.TODO, Action.Status.IN_PROGRESS],
            due_date__isnull=False,
        )
        .order_by()
        .values("version__plan__parcours")
        .annotate(first=Min("due_date"))
        .values("first")
    )
    return Subquery(due)


def _next_due_action(today):
    """What the earliest open action of the agreed plan is."""
    return Subquery(
        Action.objects.filter(
            version__plan__parcours=OuterRef("pk"),
            version__status=PlanVersion.Status.AGREED,
            status__in=[Action.Status.TODO, Action.Status.IN_PROGRESS],
            due_date__isnull=False,
        )
        .order_by("due_date", "pk")
        .values("description")[:1]
    )


def register_team_figures() -> None:
    register_next_due(_next_due, _next_due_action)
    register_parcours_column(ParcoursColumn("next_due", "Prochaine échéance", _next_due))
    register_team_figure(TeamFigure("overdue_actions", "Actions en retard", 30, _overdue))
    register_team_figure(TeamFigure("agreed_plans", "Plans validés sur la période", 40, _agreed))
