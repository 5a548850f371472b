"""Every indicator on the hand-built dataset of ``tests/indicateurs/dataset.py``: the expected
values are counted by hand from the records listed there."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from indicateurs import services
from indicateurs.facts import MonthRange, read_facts
from indicateurs.models import AreaMonthlyFigure, MonthlyFigure, SnapshotRun
from indicateurs.periods import Period
from indicateurs.registry import BY_CODE
from indicateurs.selectors import IndicatorScope, period_figures
from tests.indicateurs.dataset import build

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 1), "mois")
Q1 = Period(date(2026, 1, 1), date(2026, 3, 1), "trimestre")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def data():
    return build()


def scope_of(*operators) -> IndicatorScope:
    return IndicatorScope(
        kind="operateur",
        label="test",
        operator_ids=tuple(o.pk for o in operators),
        masked=False,
        latest_month=date(2026, 11, 1),
    )


def values(data, period, *operators):
    figures = period_figures(scope_of(*(operators or (data.operator_a,))), period)
    return figures, {code: i.measure(figures.current).value for code, i in BY_CODE.items()}


def breakdown(figures, indicator_code, breakdown_code):
    indicator = BY_CODE[indicator_code]
    chosen = next(b for b in indicator.breakdowns if b.code == breakdown_code)
    return {k: v for k, v in chosen.counts(figures.current, indicator.fact).items() if v}


def test_volumes_and_levels_of_a_month(data):
    _, got = values(data, MARCH)
    assert got["entrees"] == 4  # p1, p2, p4, p8 (p7 on Feb 28 and p9 on April 1 are outside)
    assert got["sorties"] == 2  # p2, p3
    assert got["beneficiaires"] == 5  # b1, b2, b3, b4, b6
    assert got["prestations"] == 4  # p1 twice, p2, p3 once in March
    assert got["debuts_n1"] == 3  # p1, p2, p8
    assert got["debuts_n2"] == 2  # p1 moved up on March 20, p4 entered at 2
    assert got["debuts_n3"] == 0  # p3 entered level 3 in January
    assert got["taux_passage_n2"] == pytest.approx(2 / 3)
    assert got["entrees_directes_n3"] == 0
    assert got["prestations_par_parcours"] == pytest.approx(4 / 2)  # p2: 1, p3: 3 in all


def test_delays_durations_and_synthese(data):
    _, got = values(data, MARCH)
    assert got["delai_premier_rdv"] == pytest.approx(3.5)  # p1: 7 days, p2: 0 day
    assert got["delai_premier_rdv_p80"] == 7
    assert got["duree_parcours_jours"] == pytest.approx(50)  # p2: 20 days, p3: 80 days
    assert got["part_sorties_synthese"] == pytest.approx(1 / 2)  # p3 has one


def test_typology_and_outcomes(data):
    figures, got = values(data, MARCH)
    assert got["types_projet"] == 1  # p4's first agreed version only
    assert breakdown(figures, "types_projet", "type_projet") == {"reconversion": 1}
    assert breakdown(figures, "strategies_retenues", "strategie") == {"formation": 1}
    assert breakdown(figures, "orientations", "cible") == {"mission_locale": 1}
    assert got["satisfaction_n1"] == pytest.approx(4)  # p2; p5's 1/5 came on April 1 (Paris)
    assert got["satisfaction_n23"] == pytest.approx(5)  # p3
    assert got["suivi_6_mois_repondants"] == 2
    assert got["suivi_6_mois_situation_amelioree"] == pytest.approx(1 / 2)
    assert got["suivi_6_mois_formation"] == pytest.approx(1 / 2)
    assert got["suivi_6_mois_emploi_mobilite"] == pytest.approx(1 / 2)
    assert got["suivi_6_mois_creation"] == 0
    assert got["suivi_6_mois_projet_maintenu"] == pytest.approx(1 / 2)


def test_profile_breakdowns(data):
    figures, _ = values(data, MARCH)
    assert breakdown(figures, "beneficiaires", "sexe") == {"F": 3, "M": 2}
    # Ages on the person's first day in March: b1 35, b2 23, b3 55, b4 47, b6 40.
    assert breakdown(figures, "beneficiaires", "tranche_age") == {
        "moins_26": 1,
        "26_44": 2,
        "45_54": 1,
        "55_plus": 1,
    }
    assert breakdown(figures, "beneficiaires", "rqth") == {"oui": 1, "non": 4}
    assert breakdown(figures, "beneficiaires", "situation")["de_a"] == 1
    assert breakdown(figures, "beneficiaires", "departement") == {
        "69": 2,
        "01": 1,
        "75": 1,
        "38": 1,
    }
    assert breakdown(figures, "beneficiaires", "region") == {"84": 4, "11": 1}
    assert breakdown(figures, "entrees", "niveau_entree") == {"1": 3, "2": 1}
    assert breakdown(figures, "sorties", "motif") == {"oriente": 1, "projet_realise": 1}
    assert breakdown(figures, "sorties", "niveau_atteint") == {"1": 1, "3": 1}
    assert breakdown(figures, "prestations", "type") == {
        "entretien_individuel": 3,
        "atelier_collectif": 1,
    }
    assert breakdown(figures, "prestations", "modalite") == {
        "telephone": 1,
        "visio": 1,
        "sur_site": 2,
    }
    assert breakdown(figures, "prestations", "niveau") == {"1": 1, "2": 2, "3": 1}


def test_a_quarter_counts_each_person_once(data):
    figures, got = values(data, Q1)
    assert got["entrees"] == 6  # p3 (Jan 10), p7 (Feb 28) and March's 4
    assert got["sorties"] == 3  # p5 (Feb 15), p2, p3
    assert got["prestations"] == 6  # p3 in January and February, and March's 4
    assert got["entrees_directes_n3"] == 1  # p3
    # b1 closes p5 in February and opens p1 in March; b3 opens in January and closes in March:
    # each once. Month by month they would add up to 8.
    assert got["beneficiaires"] == 6  # b1, b2, b3, b4, b5, b6
    assert sum(figures.by_month[m].count("beneficiaires") for m in Q1.months) == 8
    assert breakdown(figures, "beneficiaires", "sexe") == {"F": 4, "M": 2}


def test_period_bounds_are_whole_months(data):
    # The previous period of March is February: p7 opened, p5 closed, b1 and b5 seen.
    figures, _ = values(data, MARCH)
    assert figures.previous.count("entrees") == 1
    assert figures.previous.count("sorties") == 1
    assert figures.previous.count("beneficiaires") == 2
    _, april = values(data, Period(date(2026, 4, 1), date(2026, 4, 1), "mois"))
    assert april["entrees"] == 1  # p9, opened on April 1
    assert april["satisfaction_n1"] == 1  # answered at 00:30 on April 1, Paris time
    _, year_2025 = values(data, Period(date(2025, 1, 1), date(2025, 12, 1), "annee"))
    assert year_2025["entrees"] == 1  # p5, opened on December 1, 2025


def test_an_operator_counts_its_own_records_only(data):
    _, only_b = values(data, MARCH, data.operator_b)
    assert (only_b["entrees"], only_b["prestations"], only_b["beneficiaires"]) == (1, 1, 1)
    _, both = values(data, MARCH, data.operator_a, data.operator_b)
    assert (both["entrees"], both["prestations"], both["beneficiaires"]) == (5, 5, 6)


def stored_rows(month: date) -> list[tuple]:
    return sorted(
        MonthlyFigure.objects.filter(month=month).values_list(
            "operator_id", "month", "code", "breakdown", "key", "bucket", "value"
        )
    )


def test_rollups_equal_the_live_computation(data):
    months = [date(2026, m, 1) for m in (1, 2, 3, 4)]
    live = {
        period: period_figures(scope_of(data.operator_a, data.operator_b), period)
        for period in (MARCH, Q1)
    }
    assert not SnapshotRun.objects.exists()
    for month in months:
        services.rebuild_month(month=month)
        assert SnapshotRun.objects.filter(month=month).exists()
        facts = read_facts(
            [data.operator_a.pk, data.operator_b.pk],
            MonthRange(month, date(2026, month.month + 1, 1)),
        )
        assert stored_rows(month) == sorted(row for row in facts if row[-1])
    for period, before in live.items():
        after = period_figures(scope_of(data.operator_a, data.operator_b), period)
        assert dict(after.current.values) == dict(before.current.values)
        assert dict(after.previous.values) == dict(before.previous.values)
        for month in period.months:
            assert dict(after.by_month[month].values) == dict(before.by_month[month].values)
    # The rollup is read, not the raw records: a record changed after the snapshot does not
    # show until the month is rebuilt.
    data.parcours["p8"].delete()
    assert period_figures(scope_of(data.operator_a), MARCH).current.count("entrees") == 4
    services.rebuild_month(month=date(2026, 3, 1))
    assert period_figures(scope_of(data.operator_a), MARCH).current.count("entrees") == 3


def test_regional_and_national_rollups_equal_the_live_computation(data):
    """A region and the nation read the rows added up for them once every month is stored."""
    nation = IndicatorScope(
        kind="nation",
        label="France",
        operator_ids=(data.operator_a.pk, data.operator_b.pk),
        masked=False,
        latest_month=date(2026, 10, 1),
    )
    region = IndicatorScope(
        kind="region",
        label="ARA",
        operator_ids=(data.operator_a.pk,),
        masked=False,
        latest_month=date(2026, 10, 1),
        region="84",
    )
    live = {(s.kind, p): period_figures(s, p) for s in (nation, region) for p in (MARCH, Q1)}
    for month in (10, 11, 12):  # the previous period of the first quarter
        services.rebuild_month(month=date(2025, month, 1))
    for month in (1, 2, 3):
        services.rebuild_month(month=date(2026, month, 1))
    # Added up by region: operator A's 4 parcours started in March in "84", B's 1 in "11".
    assert (
        AreaMonthlyFigure.objects.get(
            area="84", month=date(2026, 3, 1), code="entrees", breakdown="", key=""
        ).value
        == 4
    )
    assert (
        AreaMonthlyFigure.objects.get(
            area="FR", month=date(2026, 3, 1), code="entrees", breakdown="", key=""
        ).value
        == 5
    )
    for scope in (nation, region):
        for period in (MARCH, Q1):
            before, after = live[(scope.kind, period)], period_figures(scope, period)
            assert dict(after.current.values) == dict(before.current.values)
            assert dict(after.previous.values) == dict(before.previous.values)
            for month in period.months:
                assert dict(after.by_month[month].values) == dict(before.by_month[month].values)
            assert {k: dict(v.values) for k, v in after.by_operator.items()} == {
                k: dict(v.values) for k, v in before.by_operator.items()
            }
    # The people of the quarter, nation-wide: operator A's 6 and B's 1.
    assert period_figures(nation, Q1).current.count("beneficiaires") == 7


def test_rebuilding_a_month_twice_gives_the_same_rows(data):
    services.rebuild_month(month=date(2026, 3, 1))
    first = stored_rows(date(2026, 3, 1))
    first_ids = set(MonthlyFigure.objects.values_list("pk", flat=True))
    services.rebuild_month(month=date(2026, 3, 15))  # any day of the month names the month
    assert stored_rows(date(2026, 3, 1)) == first
    assert MonthlyFigure.objects.count() == len(first)
    assert not first_ids & set(MonthlyFigure.objects.values_list("pk", flat=True))
    assert SnapshotRun.objects.get().figures == len(first)
    # The March rows hold, for instance, operator A's 4 started parcours.
    assert (
        MonthlyFigure.objects.get(
            operator=data.operator_a, code="entrees", breakdown="", key=""
        ).value
        == 4
    )


def test_the_current_month_is_not_stored(data):
    with time_machine.travel(datetime(2026, 11, 27, 12, 0, tzinfo=PARIS), tick=False):
        with pytest.raises(ValidationError):
            services.rebuild_month(month=date(2026, 11, 1))
        services.rebuild_month(month=date(2026, 10, 1))  # the last closed month is stored
    assert SnapshotRun.objects.filter(month=date(2026, 10, 1)).exists()


def test_the_nightly_job_stores_the_last_closed_months(data, settings):
    from indicateurs.tasks import rebuild_recent_snapshots

    settings.INDICATOR_SNAPSHOT_MONTHS_BACK = 2
    assert rebuild_recent_snapshots.delay().get() == 2
    # The two months before the current one, whatever today is (the worker reads the same clock).
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    before = last.replace(day=1) - timedelta(days=1)
    assert sorted(SnapshotRun.objects.values_list("month", flat=True)) == [
        before.replace(day=1),
        last.replace(day=1),
    ]


def test_one_query_whatever_the_period(data, django_assert_num_queries):
    scope = scope_of(data.operator_a)
    with django_assert_num_queries(2):  # which months are stored, then the figures
        period_figures(scope, MARCH)
    services.rebuild_month(month=date(2026, 1, 1))
    with django_assert_num_queries(2):
        period_figures(scope, Q1)
