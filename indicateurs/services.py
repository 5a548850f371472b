"""Writes of the indicators: the follow-up survey (planned when a parcours closes, sent when due
only with the person's consent checked at the moment of sending, answered once) and the monthly
snapshots the regional and national views read."""

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cep.audit import log_event
from cep.models import AuditEvent, Consent, Operator, Parcours
from indicateurs.facts import AREA_COLUMNS, COLUMNS, MonthRange, facts_sql
from indicateurs.models import AreaMonthlyFigure, FollowUpSurvey, SnapshotRun
from indicateurs.periods import add_months, month_index, month_of
from indicateurs.selectors import current_month
from indicateurs.surveys import survey_url

logger = logging.getLogger(__name__)

SIX_MONTHS = timedelta(days=182)
SNAPSHOT_LOCK = 7_301  # advisory lock namespace of the monthly snapshots
OPERATOR_TABLE = Operator._meta.db_table


def on_parcours_closed(sender, *, parcours: Parcours, **kwargs) -> None:
    """Plan the two surveys of a closed parcours (inside the closing transaction)."""
    if parcours.closing_reason == Parcours.ClosingReason.TRANSFERRED:
        return  # the path goes on at the receiving operator, which asks in its turn
    for moment, due_on in (
        (FollowUpSurvey.Moment.END, parcours.closed_on),
        (FollowUpSurvey.Moment.SIX_MONTHS, parcours.closed_on + SIX_MONTHS),
    ):
        FollowUpSurvey.objects.get_or_create(
            parcours=parcours,
            moment=moment,
            defaults={"operator_id": parcours.operator_id, "due_on": due_on},
        )


def on_parcours_reopened(sender, *, parcours: Parcours, **kwargs) -> None:
    """A reopened parcours has not ended: the surveys its end planned and not yet sent are
    cancelled (those sent or answered stay, and count); a new end plans them again."""
    FollowUpSurvey.objects.filter(parcours=parcours, status=FollowUpSurvey.Status.PLANNED).delete()


def has_survey_consent(beneficiary) -> bool:
    return Consent.objects.filter(
        beneficiary=beneficiary,
        purpose=Consent.Purpose.FOLLOW_UP_SURVEY,
        withdrawn_at__isnull=True,
    ).exists()


@transaction.atomic
def send_survey(*, survey_id: int) -> bool:
    """Send one due survey, if the person consents now and has an address; otherwise it is
    marked not sent. Never twice."""
    survey = (
        FollowUpSurvey.objects.select_for_update(of=("self",))
        .select_related("parcours__beneficiary", "operator")
        .get(pk=survey_id)
    )
    if survey.status != FollowUpSurvey.Status.PLANNED:
        return False
    beneficiary = survey.parcours.beneficiary
    if not beneficiary.email or not has_survey_consent(beneficiary):
        survey.status = FollowUpSurvey.Status.NOT_SENT
        survey.save(update_fields=["status"])
        return False
    context = {"survey": survey, "beneficiary": beneficiary, "url": survey_url(survey)}
    mail.send_mail(
        subject=f"Votre avis sur le conseil en évolution professionnelle — {survey.operator.name}",
        message=render_to_string("indicateurs/survey_email.txt", context),
        from_email=None,
        recipient_list=[beneficiary.email],
    )
    survey.status = FollowUpSurvey.Status.SENT
    survey.sent_at = timezone.now()
    survey.save(update_fields=["status", "sent_at"])
    return True


def send_due_surveys() -> int:
    """The hourly job, across operators: each survey is sent in its own operator's scope."""
    today = timezone.localdate()
    with scopes_disabled():  # a platform job: it reads ids only
        due = list(
            FollowUpSurvey.objects.filter(
                status=FollowUpSurvey.Status.PLANNED, due_on__lte=today
            ).values_list("pk", "operator_id")
        )
    sent = 0
    for survey_id, operator_id in due:
        with scope(operator=operator_id):
            sent += send_survey(survey_id=survey_id)
    return sent


ANSWER_FIELDS = (
    "satisfaction",
    "situation_improved",
    "entered_training",
    "changed_job",
    "created_business",
    "project_kept",
    "comment",
)


@transaction.atomic
def answer_survey(*, survey: FollowUpSurvey, ip_address: str | None = None, **answers):
    survey = FollowUpSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == FollowUpSurvey.Status.ANSWERED:
        raise ValidationError("Vous avez déjà répondu à cette enquête. Merci !")
    if answers.get("satisfaction") not in range(1, 6):
        raise ValidationError({"satisfaction": "Choisissez une note de 1 à 5."})
    for name in ANSWER_FIELDS:
        setattr(survey, name, answers.get(name))
    survey.comment = (answers.get("comment") or "").strip()
    survey.status = FollowUpSurvey.Status.ANSWERED
    survey.answered_at = timezone.now()
    survey.save()
    log_event(
        membership=None,
        operator_id=survey.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=survey,
        beneficiary=survey.parcours.beneficiary,
        ip_address=ip_address,
        details={"reponse": survey.moment},
    )
    return survey


@transaction.atomic
def rebuild_month(*, month: date) -> SnapshotRun:
    """Store the figures of every operator for one closed month, replacing what was stored:
    running it twice gives the same rows. Two runs of one month wait for each other."""
    month = month_of(month)
    if month >= current_month():
        raise ValidationError("Un mois se consolide une fois terminé : choisissez un mois passé.")
    started = time.perf_counter()
    operator_ids = list(Operator.objects.values_list("pk", flat=True))
    sql, params = facts_sql(operator_ids, MonthRange(month, add_months(month, 1)))
    # A platform job over every operator's records, in the database too (cep.rls).
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SNAPSHOT_LOCK, month_index(month)])
        cursor.execute("DELETE FROM indicateurs_monthlyfigure WHERE month = %s", [month])
        cursor.execute(
            f"INSERT INTO indicateurs_monthlyfigure ({COLUMNS}) "
            f"SELECT {COLUMNS} FROM ({sql}) AS facts WHERE value <> 0",
            params,
        )
        stored = cursor.rowcount
        # The same month added up by region and for the nation, for the coordinators' views.
        cursor.execute("DELETE FROM indicateurs_areamonthlyfigure WHERE month = %s", [month])
        cursor.execute(
            f"""
            INSERT INTO indicateurs_areamonthlyfigure ({AREA_COLUMNS})
            SELECT COALESCE(o.region, %s), f.month, f.code, f.breakdown, f.key, f.bucket,
                sum(f.value)
            FROM indicateurs_monthlyfigure f JOIN {OPERATOR_TABLE} o ON o.id = f.operator_id
            WHERE f.month = %s
            GROUP BY GROUPING SETS (
                (o.region, f.month, f.code, f.breakdown, f.key, f.bucket),
                (f.month, f.code, f.breakdown, f.key, f.bucket)
            )
            """,
            [AreaMonthlyFigure.NATION, month],
        )
    run, _ = SnapshotRun.objects.update_or_create(
        month=month,
        defaults={
            "computed_at": timezone.now(),
            "figures": stored,
            "duration_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return run


def rebuild_recent_snapshots(*, months_back: int | None = None) -> list[SnapshotRun]:
    """The nightly job: the last closed months, each in its own transaction."""
    months_back = months_back or settings.INDICATOR_SNAPSHOT_MONTHS_BACK
    latest = add_months(current_month(), -1)
    return [rebuild_month(month=add_months(latest, -n)) for n in reversed(range(months_back))]
