"""The date-sensitive rules at several frozen moments of Europe/Paris: a month end, 29 February,
the last hour of a year (UTC+1) and the first half hour of a year (still the previous day in UTC).

Every expected date below is written by hand from the rule it checks:
- the current month is the month of the local day; coordinators see closed months only;
- a file is anonymised once its last contact is more than 730 days old (FILE_RETENTION_DAYS);
- closing a parcours plans a survey due that day and one 182 days later, each sent from the
  first minute of its day (local time);
- a transfer waits 15 days (TRANSFER_DECISION_DAYS) for its decision, then expires;
- a cancellation lost with the broker is sent again while the session is still to come.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from accueil import services as accueil_services
from cep.closure.services import end_parcours
from cep.continuity import services
from cep.continuity.models import Transfer
from cep.dates import shift_years
from cep.managers import selectors
from cep.models import Parcours
from indicateurs import services as indicator_services
from indicateurs.models import FollowUpSurvey
from indicateurs.selectors import current_month
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.factories import (
    BeneficiaryFactory,
    ConsentFactory,
    CoordinatorFactory,
    OperatorFactory,
    ParcoursFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Moment:
    at: datetime
    month: date  # the current month
    last_closed: date  # the last month a coordinator may see
    last_closed_label: str
    retention_cutoff: date  # a last contact before this day is anonymised
    six_months_survey: date
    transfer_expires: datetime


MOMENTS = [
    Moment(  # a month end
        at=datetime(2027, 2, 28, 12, 0, tzinfo=PARIS),
        month=date(2027, 2, 1),
        last_closed=date(2027, 1, 1),
        last_closed_label="janvier 2027",
        retention_cutoff=date(2025, 2, 28),
        six_months_survey=date(2027, 8, 29),
        transfer_expires=datetime(2027, 3, 15, 12, 0, tzinfo=PARIS),
    ),
    Moment(  # 29 February
        at=datetime(2028, 2, 29, 9, 0, tzinfo=PARIS),
        month=date(2028, 2, 1),
        last_closed=date(2028, 1, 1),
        last_closed_label="janvier 2028",
        retention_cutoff=date(2026, 3, 1),
        six_months_survey=date(2028, 8, 29),
        transfer_expires=datetime(2028, 3, 15, 9, 0, tzinfo=PARIS),
    ),
    Moment(  # the last hour of a year, in UTC+1
        at=datetime(2028, 12, 31, 23, 30, tzinfo=PARIS),
        month=date(2028, 12, 1),
        last_closed=date(2028, 11, 1),
        last_closed_label="novembre 2028",
        retention_cutoff=date(2027, 1, 1),
        six_months_survey=date(2029, 7, 1),
        transfer_expires=datetime(2029, 1, 15, 23, 30, tzinfo=PARIS),
    ),
    Moment(  # 00:30 on New Year's Day in Paris is still 31 December in UTC
        at=datetime(2027, 1, 1, 0, 30, tzinfo=PARIS),
        month=date(2027, 1, 1),
        last_closed=date(2026, 12, 1),
        last_closed_label="décembre 2026",
        retention_cutoff=date(2025, 1, 1),
        six_months_survey=date(2027, 7, 2),
        transfer_expires=datetime(2027, 1, 16, 0, 30, tzinfo=PARIS),
    ),
]


@pytest.fixture(params=MOMENTS, ids=lambda m: m.at.strftime("%Y-%m-%d %H:%M Paris"))
def moment(request):
    with time_machine.travel(request.param.at, tick=False):
        yield request.param


def test_the_current_month_and_the_closed_months(moment, client):
    assert current_month() == moment.month
    with pytest.raises(ValidationError):
        indicator_services.rebuild_month(month=moment.month)
    indicator_services.rebuild_month(month=moment.last_closed)  # a closed month is stored

    client.force_login(CoordinatorFactory(region="84").user)
    refused = client.get(f"/indicateurs/?periode=mois&mois={moment.month:%Y-%m}")
    assert refused.status_code == 400
    assert (
        f"{moment.last_closed_label} : choisissez une période qui commence avant"
        in refused.content.decode()
    )
    shown = client.get(f"/indicateurs/?periode=mois&mois={moment.last_closed:%Y-%m}")
    assert shown.status_code == 200


def closed_file(operator, last_contact: date, name: str):
    person = BeneficiaryFactory(operator=operator, last_name=name)
    ParcoursFactory(
        operator=operator,
        beneficiary=person,
        opened_on=last_contact - timedelta(days=10),
        last_contact_on=last_contact,
        closed_on=last_contact,
        closing_reason=Parcours.ClosingReason.COMPLETED,
    )
    return person


def test_the_retention_limit(moment):
    operator = OperatorFactory()
    closed_file(operator, moment.retention_cutoff, "Limite")
    closed_file(operator, moment.retention_cutoff - timedelta(days=1), "Dépassé")
    with scope(operator=operator.pk):
        past = [
            row.beneficiary.last_name
            for row in selectors.retention_report(today=timezone.localdate())
        ]
    assert past == ["Dépassé"]


def test_closing_plans_the_surveys(moment):
    counsellor = make_membership(operator=OperatorFactory())
    parcours = ParcoursFactory(
        operator=counsellor.operator,
        referent=counsellor,
        opened_on=moment.at.date() - timedelta(days=60),
        beneficiary__email="avis@exemple.invalid",
    )
    ConsentFactory(beneficiary=parcours.beneficiary)  # the person agreed to be asked
    with scope(operator=counsellor.operator_id):
        end_parcours(
            membership=counsellor,
            parcours=parcours,
            ended_on=timezone.localdate(),
            check_permission=False,
            reason=Parcours.ClosingReason.COMPLETED,
        )
    due = dict(FollowUpSurvey.objects.values_list("moment", "due_on"))
    assert due == {
        FollowUpSurvey.Moment.END: moment.at.date(),
        FollowUpSurvey.Moment.SIX_MONTHS: moment.six_months_survey,
    }

    def sent():
        return set(
            FollowUpSurvey.objects.filter(status=FollowUpSurvey.Status.SENT).values_list(
                "moment", flat=True
            )
        )

    assert indicator_services.send_due_surveys() == 1  # the end survey is due today
    assert sent() == {FollowUpSurvey.Moment.END}
    eve = datetime.combine(moment.six_months_survey - timedelta(days=1), time(23, 59), PARIS)
    with time_machine.travel(eve, tick=False):
        assert indicator_services.send_due_surveys() == 0
    with time_machine.travel(eve + timedelta(minutes=2), tick=False):  # 00:01, the due day
        assert indicator_services.send_due_surveys() == 1
    assert sent() == {FollowUpSurvey.Moment.END, FollowUpSurvey.Moment.SIX_MONTHS}


def test_a_transfer_expires_after_its_fifteen_days(moment):
    origin, target = OperatorFactory(), OperatorFactory()
    counsellor = make_membership(operator=origin)
    make_membership(operator=target)
    parcours = ParcoursFactory(
        operator=origin, referent=counsellor, opened_on=moment.at.date() - timedelta(days=20)
    )
    with scope(operator=origin.pk):
        transfer = services.propose_transfer(
            membership=counsellor,
            parcours=parcours,
            target_operator=target,
            reason="La personne déménage.",
            categories=["identite", "situation"],
            consent_evidence="Accord oral en entretien",
        )
    assert transfer.expires_at == moment.transfer_expires
    with time_machine.travel(moment.transfer_expires - timedelta(minutes=1), tick=False):
        assert services.expire_transfers() == 0
    with time_machine.travel(moment.transfer_expires + timedelta(minutes=1), tick=False):
        assert services.expire_transfers() == 1
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED


def test_a_lost_cancellation_is_resent_while_the_session_is_to_come(moment, mailoutbox):
    now = timezone.now()
    coming = InformationSessionFactory(
        starts_at=now + timedelta(hours=1), cancelled_at=now - timedelta(hours=2)
    )
    begun = InformationSessionFactory(
        starts_at=now - timedelta(minutes=10), cancelled_at=now - timedelta(hours=2)
    )
    SessionRegistrationFactory(session=coming, beneficiary__email="a.venir@exemple.invalid")
    SessionRegistrationFactory(session=begun, beneficiary__email="commencee@exemple.invalid")
    accueil_services.resend_lost_cancellations()
    assert [message.to for message in mailoutbox] == [["a.venir@exemple.invalid"]]


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2028, 2, 29), -40, date(1988, 2, 29)),  # 1988 has a 29 February
        (date(2028, 2, 29), -41, date(1987, 2, 28)),
        (date(2028, 2, 29), 10, date(2038, 2, 28)),
        (date(2027, 1, 31), 10, date(2037, 1, 31)),
    ],
)
def test_a_year_shift_survives_29_february(day, years, expected):
    # The demo's birth dates and the manager's age filter shift years: on 29 February 2028
    # `day.replace(year=...)` raised and seed_demo failed (found by --clock "2028-02-29 09:00").
    assert shift_years(day, years) == expected
