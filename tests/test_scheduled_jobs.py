"""Every job of the beat schedule, run as the worker runs it: outside any scope, as the
application's role. Each finds its work across operators and does it (under row-level security
a job that forgot its scope would read nothing, or now fail)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from accueil.models import InformationSession, SessionRegistration
from cep.continuity.models import Transfer
from cep.models import AuditEvent, Beneficiary, Parcours
from indicateurs.models import FollowUpSurvey, MonthlyFigure
from indicateurs.periods import add_months
from indicateurs.selectors import current_month
from synthese.models import SynthesisDocument
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, TransferFactory
from tests.indicateurs.factories import FollowUpSurveyFactory
from tests.synthese.factories import SynthesisDocumentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.scoped]


def test_the_schedule_is_the_one_tested_here():
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == {
        "synthese.tasks.sweep_stuck_documents",
        "indicateurs.tasks.send_due_surveys",
        "cep.managers.tasks.apply_retention",
        "cep.tasks.purge_old_audit_events",
        "cep.continuity.tasks.expire_transfers",
        "indicateurs.tasks.rebuild_recent_snapshots",
        "accueil.tasks.resend_lost_cancellations",
    }


def test_every_scheduled_job_does_its_work_outside_any_scope(
    settings, django_capture_on_commit_callbacks
):
    from accueil import tasks as accueil_tasks
    from cep import tasks as cep_tasks
    from cep.continuity import tasks as continuity_tasks
    from cep.managers import tasks as manager_tasks
    from indicateurs import tasks as indicator_tasks
    from synthese import tasks as synthese_tasks

    settings.AUDIT_RETENTION_DAYS = 365
    settings.FILE_RETENTION_DAYS = 730
    today = timezone.localdate()
    last_month = add_months(current_month(), -1)
    with scopes_disabled():  # the data of two operators, made by the test
        a, b = OperatorFactory(), OperatorFactory()
        ParcoursFactory(operator=a, opened_on=last_month)
        ParcoursFactory(operator=b, opened_on=last_month)
        forgotten = BeneficiaryFactory(operator=b, last_name="Oubliee")
        ParcoursFactory(
            operator=b,
            beneficiary=forgotten,
            opened_on=today - timedelta(days=900),
            last_contact_on=today - timedelta(days=800),
            closed_on=today - timedelta(days=800),
            closing_reason=Parcours.ClosingReason.COMPLETED,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cep_auditevent (operator_id, action, object_type, object_id, at, "
                "details, previous_hash, hash) "
                "VALUES (%s, 'read', 'cep.beneficiary', '1', %s, '{}', '', '')",
                [a.pk, timezone.now() - timedelta(days=400)],
            )
        transfer = TransferFactory(operator=a, expires_at=timezone.now() - timedelta(minutes=1))
        survey = FollowUpSurveyFactory(operator=b, due_on=today)
        session = InformationSessionFactory(operator=b)
        SessionRegistrationFactory(
            session=session, operator=b, beneficiary__email="inscrite@exemple.invalid"
        )
        InformationSession.objects.filter(pk=session.pk).update(
            cancelled_at=timezone.now() - timedelta(hours=1), cancellation_reason="Salle fermée"
        )
        stuck = SynthesisDocumentFactory()
        SynthesisDocument.objects.filter(pk=stuck.pk).update(
            last_activity_at=timezone.now() - timedelta(hours=1)
        )

    # What the beat sends, run in this process outside any scope, one after the other.
    assert indicator_tasks.rebuild_recent_snapshots() == settings.INDICATOR_SNAPSHOT_MONTHS_BACK
    assert cep_tasks.purge_old_audit_events() == 1
    assert continuity_tasks.expire_transfers() == 1
    assert manager_tasks.apply_retention() == 1
    indicator_tasks.send_due_surveys()
    assert accueil_tasks.resend_lost_cancellations() == [session.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert synthese_tasks.sweep_stuck_documents() == [stuck.pk]

    with scopes_disabled():
        stored = set(
            MonthlyFigure.objects.filter(month=last_month, code="entrees").values_list(
                "operator_id", flat=True
            )
        )
        assert {a.pk, b.pk} <= stored
        assert not AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=365)).exists()
        assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.EXPIRED
        assert Beneficiary.objects.get(pk=forgotten.pk).anonymised_at is not None
        assert FollowUpSurvey.objects.get(pk=survey.pk).status != FollowUpSurvey.Status.PLANNED
        assert SynthesisDocument.objects.get(pk=stuck.pk).status == SynthesisDocument.Status.READY
        told = SessionRegistration.objects.get(session=session)
        assert told.cancellation_notified_at is not None
