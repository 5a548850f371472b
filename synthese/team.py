"""The synthèse's column of the managers' team view."""

from datetime import datetime, time

from django.utils import timezone

from cep.managers.team import TeamFigure, count_of, register_team_figure
from synthese.models import SynthesisDocument


def _delivered(period, today):
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    end = timezone.make_aware(datetime.combine(period.end, time.min))
    return count_of(
        SynthesisDocument.objects.filter(
            status=SynthesisDocument.Status.READY, ready_at__gte=start, ready_at__lt=end
        ),
        over="parcours__referent",
    )


def register_team_figures() -> None:
    register_team_figure(
        TeamFigure("syntheses", "Synthèses remises sur la période", 50, _delivered)
    )
