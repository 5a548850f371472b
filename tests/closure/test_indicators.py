"""The indicators of the ends on a hand-built dataset: parcours ended by reason and by level
reached, the median length by reason, and the follow-up surveys of the real ends (a reopened
parcours has none, a transferred one never had any). Every expected figure is counted by hand
from the list below."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from cep.closure import services
from indicateurs.periods import Period
from indicateurs.registry import BY_CODE
from indicateurs.selectors import IndicatorScope, period_figures
from tests.factories import OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

MAY = Period(date(2026, 5, 1), date(2026, 5, 1), "mois")
# Mid-June 2026, Paris: every end below is in the past, and May is closed.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))


def parcours(operator, referent, *, level: int, opened: date):
    return ParcoursFactory(
        operator=operator,
        referent=referent,
        entry_level=level,
        current_level=level,
        opened_on=opened,
        level_2_on=opened if level == 2 else None,
        level_3_on=opened if level == 3 else None,
    )


def end(p, ended_on: date, reason: str, **extra):
    services.end_parcours(
        membership=p.referent,
        parcours=p,
        ended_on=ended_on,
        reason=reason,
        channel="sur_site",
        **extra,
    )


@pytest.fixture
def figures():
    with time_machine.travel(NOW, tick=False):
        operator = OperatorFactory()
        counsellor = make_membership(operator=operator)
        with scope(operator=operator.pk):
            # p1: level 1, 01/05 → 11/05, referred: 10 days.
            end(
                parcours(operator, counsellor, level=1, opened=date(2026, 5, 1)),
                date(2026, 5, 11),
                "oriente",
            )
            # p2: level 2, 02/03 → 20/05, project carried out: 29 + 30 + 20 = 79 days.
            end(
                parcours(operator, counsellor, level=2, opened=date(2026, 3, 2)),
                date(2026, 5, 20),
                "projet_realise",
            )
            # p3: level 3, 10/01 → 29/05, project carried out: 21 + 28 + 31 + 30 + 29 = 139 days.
            end(
                parcours(operator, counsellor, level=3, opened=date(2026, 1, 10)),
                date(2026, 5, 29),
                "projet_realise",
            )
            # p4: level 3, 01/04 → 31/05, entered training: 30 + 30 = 60 days.
            end(
                parcours(operator, counsellor, level=3, opened=date(2026, 4, 1)),
                date(2026, 5, 31),
                "formation",
            )
            # p5: level 2, ended 14/05 (decision to stop), then reopened in June: not an end.
            p5 = parcours(operator, counsellor, level=2, opened=date(2026, 5, 4))
            end(p5, date(2026, 5, 14), "arret")
            services.reopen_parcours(membership=counsellor, parcours=p5, reason="Reprise du projet")
            # p6: ended 30/04, outside May.
            end(
                parcours(operator, counsellor, level=2, opened=date(2026, 4, 1)),
                date(2026, 4, 30),
                "arret",
            )
            # p7: level 2, 02/05 → 12/05, transferred by the system: 10 days, no surveys.
            p7 = parcours(operator, counsellor, level=2, opened=date(2026, 5, 2))
            services.end_parcours(
                membership=None,
                parcours=p7,
                ended_on=date(2026, 5, 12),
                reason="transfere",
                by_system=True,
            )
        indicator_scope = IndicatorScope(
            kind="operateur",
            label="test",
            operator_ids=(operator.pk,),
            masked=False,
            latest_month=date(2026, 6, 1),
        )
        return period_figures(indicator_scope, MAY)


def breakdown(figures, indicator_code, breakdown_code):
    indicator = BY_CODE[indicator_code]
    chosen = next(b for b in indicator.breakdowns if b.code == breakdown_code)
    return {k: v for k, v in chosen.counts(figures.current, indicator.fact).items() if v}


def value(figures, code):
    return BY_CODE[code].measure(figures.current).value


def test_ends_by_reason_and_by_level_reached(figures):
    assert value(figures, "sorties") == 5  # p1, p2, p3, p4, p7
    assert breakdown(figures, "sorties", "motif") == {
        "oriente": 1,
        "projet_realise": 2,
        "formation": 1,
        "transfere": 1,
    }
    assert breakdown(figures, "sorties", "niveau_atteint") == {"1": 1, "2": 2, "3": 2}


def test_the_median_length_by_reason(figures):
    assert value(figures, "duree_parcours_jours_projet_realise") == 109.0  # (79 + 139) / 2
    assert value(figures, "duree_parcours_jours_oriente") == 10.0
    assert value(figures, "duree_parcours_jours_formation") == 60.0
    assert value(figures, "duree_parcours_jours_transfere") == 10.0
    assert value(figures, "duree_parcours_jours_arret") is None  # p5 reopened, p6 in April
    assert value(figures, "duree_parcours_jours") == 60.0  # 10, 10, 60, 79, 139


def test_the_surveys_follow_the_real_ends(figures):
    # Two per end of p1 to p4; none for p5 (reopened: cancelled) nor p7 (transferred).
    assert value(figures, "enquetes_prevues") == 8
    assert breakdown(figures, "enquetes_prevues", "moment") == {"fin": 4, "6_mois": 4}
