"""A small hand-built dataset for the indicators, around March 2026, whose expected figures are
written by hand in the tests (see the comments: each record says what it should count for).

Operator A (Auvergne-Rhône-Alpes, region 84):
- b1 F born 1990-05-10, job seeker A, PCS 5, diploma 4, Rhône (69)
    p5: level 1, opened 2025-12-01, closed 2026-02-15 (an earlier parcours)
    p1: level 1 opened 2026-03-02, level 2 on 2026-03-20, open; request 2026-02-25,
        interviews 2026-03-04 (first: 7 days) and 2026-03-10
- b2 M born 2003-01-01, employee CDI, PCS 6, diploma 3, RQTH, Ain (01)
    p2: level 1 opened 2026-03-05, closed 2026-03-25 routed (20 days); request 2026-03-05,
        interview 2026-03-05 (0 day); routed to a mission locale; end survey 4/5 (level 1)
- b3 F born 1970-06-01, Paris (75)
    p3: level 3 opened 2026-01-10, closed 2026-03-31 completed (80 days); services on
        2026-01-20, 2026-02-20, 2026-03-12; a synthèse ready; end survey 5/5 (level 3)
- b4 M born 1978-03-20, Rhône (69)
    p4: level 2 opened 2026-03-05, open; project agreed 2026-03-10 (reconversion) then
        revised 2026-03-24 (creation: not a first agreement); strategy "formation" retained
        2026-03-18
- b5 F born 1985-04-12, Isère (38)
    p7: level 1 opened 2026-02-28 (the day before March: not in March)
- b6 F born 1985-04-12, Isère (38)
    p8: level 1 opened 2026-03-15, open
- b7 M born 1985-04-12, Isère (38)
    p9: level 1 opened 2026-04-01 (the first day after March: not in March)
- two 6-month surveys answered in March (of p5 and p7); p5's end survey (1/5) answered at
  00:30 on 2026-04-01, Paris time: April.

Operator B (Île-de-France, region 11): one parcours opened 2026-03-03, one service.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accueil.models import Routing, Structure
from cep.models import Operator, Parcours, Service
from conseil.models import StrategyOption
from indicateurs.models import FollowUpSurvey
from tests.accueil.factories import IntakeRequestFactory, RoutingFactory, StructureFactory
from tests.conseil.factories import ProjectVersionFactory, StrategyOptionFactory
from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
)
from tests.indicateurs.factories import FollowUpSurveyFactory
from tests.synthese.factories import SynthesisDocumentFactory

PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@dataclass
class Dataset:
    operator_a: Operator
    operator_b: Operator
    parcours: dict[str, Parcours]


def person(operator, sex, birth, dept, **extra):
    return BeneficiaryFactory(
        operator=operator, sex=sex, birth_date=birth, departement=dept, **extra
    )


def parcours(beneficiary, *, entry, opened, current=None, closed=None, reason="", **extra):
    return ParcoursFactory(
        operator=beneficiary.operator,
        beneficiary=beneficiary,
        entry_level=entry,
        current_level=current or entry,
        opened_on=opened,
        closed_on=closed,
        closing_reason=reason,
        **extra,
    )


def service(p, day, *, kind=Service.Kind.INDIVIDUAL_INTERVIEW, channel=Service.Channel.ON_SITE):
    return ServiceFactory(
        parcours=p, level=p.current_level, kind=kind, channel=channel, delivered_on=day
    )


def survey_answered(p, moment, day, **answers):
    return FollowUpSurveyFactory(
        parcours=p,
        moment=moment,
        due_on=day,
        status=FollowUpSurvey.Status.ANSWERED,
        answered_at=at(day),
        **answers,
    )


def build() -> Dataset:
    a = OperatorFactory(name="Opérateur A", region="84")
    b = OperatorFactory(name="Opérateur B", region="11")

    b1 = person(
        a, "F", date(1990, 5, 10), "69", employment_status="de_a", pcs_group="5", diploma_level="4"
    )
    b2 = person(
        a,
        "M",
        date(2003, 1, 1),
        "01",
        employment_status="salarie_cdi",
        pcs_group="6",
        diploma_level="3",
        rqth=True,
    )
    b3 = person(a, "F", date(1970, 6, 1), "75")
    b4 = person(a, "M", date(1978, 3, 20), "69")
    b5 = person(a, "F", date(1985, 4, 12), "38")
    b6 = person(a, "F", date(1985, 4, 12), "38")
    b7 = person(a, "M", date(1985, 4, 12), "38")

    p5 = parcours(
        b1,
        entry=1,
        opened=date(2025, 12, 1),
        closed=date(2026, 2, 15),
        reason=Parcours.ClosingReason.STOPPED,
    )
    p1 = parcours(b1, entry=1, current=2, opened=date(2026, 3, 2), level_2_on=date(2026, 3, 20))
    IntakeRequestFactory(parcours=p1, received_on=date(2026, 2, 25))
    service(p1, date(2026, 3, 4), channel=Service.Channel.PHONE)
    service(p1, date(2026, 3, 10), channel=Service.Channel.VIDEO)

    p2 = parcours(
        b2,
        entry=1,
        opened=date(2026, 3, 5),
        closed=date(2026, 3, 25),
        reason=Parcours.ClosingReason.ROUTED,
    )
    IntakeRequestFactory(parcours=p2, received_on=date(2026, 3, 5))
    service(p2, date(2026, 3, 5))
    routing = RoutingFactory(
        parcours=p2, target=StructureFactory(operator=a, kind=Structure.Kind.MISSION_LOCALE)
    )
    Routing.objects.filter(pk=routing.pk).update(created_at=at(date(2026, 3, 6)))
    survey_answered(p2, FollowUpSurvey.Moment.END, date(2026, 3, 28), satisfaction=4)

    p3 = parcours(
        b3,
        entry=3,
        opened=date(2026, 1, 10),
        closed=date(2026, 3, 31),
        reason=Parcours.ClosingReason.COMPLETED,
    )
    service(p3, date(2026, 1, 20))
    service(p3, date(2026, 2, 20))
    service(p3, date(2026, 3, 12), kind=Service.Kind.COLLECTIVE_WORKSHOP)
    SynthesisDocumentFactory(
        parcours=p3, status="pret", sha256="0" * 64, ready_at=at(date(2026, 3, 30))
    )
    survey_answered(p3, FollowUpSurvey.Moment.END, date(2026, 3, 31), satisfaction=5)

    p4 = parcours(b4, entry=2, opened=date(2026, 3, 5))
    ProjectVersionFactory(parcours=p4, number=1, agreed=True, agreed_on=date(2026, 3, 10))
    ProjectVersionFactory(
        parcours=p4,
        number=2,
        agreed=True,
        agreed_on=date(2026, 3, 24),
        project_type="creation_reprise",
    )
    StrategyOptionFactory(
        parcours=p4,
        kind=StrategyOption.Kind.TRAINING,
        retained=True,
        retained_on=date(2026, 3, 18),
    )

    # 00:30 on April 1st in Paris is still March 31st in UTC: it counts for April.
    early = survey_answered(p5, FollowUpSurvey.Moment.END, date(2026, 4, 1), satisfaction=1)
    FollowUpSurvey.objects.filter(pk=early.pk).update(
        answered_at=datetime(2026, 4, 1, 0, 30, tzinfo=PARIS)
    )

    p7 = parcours(b5, entry=1, opened=date(2026, 2, 28))
    p8 = parcours(b6, entry=1, opened=date(2026, 3, 15))
    p9 = parcours(b7, entry=1, opened=date(2026, 4, 1))

    survey_answered(
        p5,
        FollowUpSurvey.Moment.SIX_MONTHS,
        date(2026, 3, 12),
        situation_improved=True,
        entered_training=False,
        changed_job=True,
        created_business=False,
        project_kept=True,
    )
    survey_answered(
        p7,
        FollowUpSurvey.Moment.SIX_MONTHS,
        date(2026, 3, 20),
        situation_improved=False,
        entered_training=True,
    )

    other = parcours(person(b, "F", date(1980, 1, 1), "75"), entry=1, opened=date(2026, 3, 3))
    service(other, date(2026, 3, 3))
    return Dataset(
        a,
        b,
        {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p7": p7, "p8": p8, "p9": p9},
    )
