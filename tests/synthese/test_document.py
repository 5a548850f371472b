"""The common-model document: content and order, accessibility of the PDF, versions, idempotence,
failures shown with their reason, refusals."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from cep.models import AuditEvent
from synthese import services, tasks
from synthese.models import SynthesisDocument
from tests.conseil.factories import Level2ParcoursFactory, ProjectVersionFactory
from tests.factories import ParcoursFactory
from tests.synthese.conftest import pdf_info, pdf_text
from tests.synthese.factories import (
    ACTION_TEXT,
    CONFIDENTIAL_NOTE,
    PROJECT_TEXT,
    STEP_TITLE,
    STRATEGY_TEXT,
    TRAINING_TITLE,
    agreed_parcours,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_and_render(django_capture_on_commit_callbacks):
    """Ask for a synthèse as the référent; the render task runs in-process on commit."""

    def _run(parcours):
        with django_capture_on_commit_callbacks(execute=True):
            document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
        document.refresh_from_db()
        return document

    return _run


def stored_files(media_root) -> list[Path]:
    return sorted(p for p in Path(media_root).rglob("*.pdf"))


def test_the_pdf_follows_the_common_model_in_order(request_and_render):
    parcours = agreed_parcours()
    document = request_and_render(parcours)

    assert document.status == SynthesisDocument.Status.READY, document.error
    text = pdf_text(document.file.path)
    headings = [
        "1. Vous et votre conseiller",
        "2. Les services reçus",
        "3. Votre projet",
        "4. La stratégie retenue",
        "5. Votre plan d'action",
        "6. Le parcours de formation et son financement",
        "7. Votre accord",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    for expected in (PROJECT_TEXT, STRATEGY_TEXT, STEP_TITLE, ACTION_TEXT, TRAINING_TITLE):
        assert expected in text
    assert "Maëlle KERBRAT" in text
    assert "2 services reçus" in text
    # 6 200 € of training, 5 000 € granted by the PTP: 1 200 € left to the person.
    assert "reste à votre charge : 1 200,00 €" in text  # the filter euros, spaces read back
    assert "Plan d'action, version 1 : validé par vous" in text
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text
    # The counsellor's confidential notes never leave the file.
    assert CONFIDENTIAL_NOTE not in text
    assert document.page_count == 2


def test_the_pdf_is_tagged_declares_french_and_has_a_title(request_and_render):
    document = request_and_render(agreed_parcours())

    info = pdf_info(document.file.path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Document de synthèse de Maëlle KERBRAT, version 1"
    assert info["Page size"].endswith("(A4)")
    catalog = PdfReader(document.file.path).trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)


def test_the_file_and_its_checksum_are_stored(request_and_render):
    document = request_and_render(agreed_parcours())

    content = Path(document.file.path).read_bytes()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.attempts == 1


def test_running_the_task_twice_for_one_version_stores_one_file(request_and_render, media_root):
    document = request_and_render(agreed_parcours())
    first_checksum = document.sha256

    tasks.render_synthesis.apply(
        kwargs={"document_id": document.pk, "operator_id": document.operator_id}
    )

    document.refresh_from_db()
    assert stored_files(media_root) == [Path(document.file.path)]
    assert document.sha256 == first_checksum
    assert document.attempts == 1  # the second run found it ready and did nothing


def test_a_file_left_by_a_killed_run_is_replaced_not_duplicated(media_root):
    parcours = agreed_parcours()
    document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
    # A run killed after writing its file but before committing left the document "en cours".
    SynthesisDocument.objects.filter(pk=document.pk).update(
        status=SynthesisDocument.Status.RENDERING
    )
    leftover = Path(media_root) / document.file.field.upload_to(document, "")
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF- half written")

    tasks.render_synthesis.apply(
        kwargs={"document_id": document.pk, "operator_id": document.operator_id}
    )

    document.refresh_from_db()
    assert document.status == SynthesisDocument.Status.READY
    assert stored_files(media_root) == [leftover]
    assert hashlib.sha256(leftover.read_bytes()).hexdigest() == document.sha256


def test_each_new_version_keeps_the_earlier_ones(request_and_render, media_root):
    parcours = agreed_parcours()
    first = request_and_render(parcours)
    second = request_and_render(parcours)

    assert (first.number, second.number) == (1, 2)
    assert len(stored_files(media_root)) == 2
    assert Path(first.file.path).exists() and Path(second.file.path).exists()
    assert "version 2" in pdf_text(second.file.path)


def test_asking_is_audited(request_and_render):
    parcours = agreed_parcours()
    document = request_and_render(parcours)

    event = AuditEvent.objects.get(object_type="synthese.synthesisdocument")
    assert (event.action, event.object_id) == ("create", str(document.pk))
    assert event.membership == parcours.referent
    assert event.beneficiary == parcours.beneficiary


def test_a_level_1_parcours_has_no_synthese():
    parcours = ParcoursFactory(entry_level=1)
    with pytest.raises(ValidationError) as error:
        services.request_synthesis(membership=parcours.referent, parcours=parcours)
    assert "niveau 2 ou 3" in error.value.message_dict["parcours"][0]
    assert not SynthesisDocument.objects.exists()


def test_without_an_agreed_project_there_is_nothing_to_synthesise():
    parcours = Level2ParcoursFactory()
    ProjectVersionFactory(parcours=parcours)  # a draft only
    with pytest.raises(ValidationError) as error:
        services.request_synthesis(membership=parcours.referent, parcours=parcours)
    assert "projet validé" in error.value.message_dict["parcours"][0]
    assert not SynthesisDocument.objects.exists()


def test_one_document_in_preparation_at_a_time():
    parcours = agreed_parcours()
    services.request_synthesis(membership=parcours.referent, parcours=parcours)
    with pytest.raises(ValidationError) as error:
        services.request_synthesis(membership=parcours.referent, parcours=parcours)
    assert "déjà en préparation" in error.value.message_dict["parcours"][0]
    assert SynthesisDocument.objects.count() == 1


def test_a_failed_render_says_why_and_can_be_retried(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    parcours = agreed_parcours()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"  # storage cannot create a folder under a file

    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
    document.refresh_from_db()
    assert document.status == SynthesisDocument.Status.FAILED
    assert document.error.startswith("Le rendu a échoué. NotADirectoryError")

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_synthesis(membership=parcours.referent, document=document)
    document.refresh_from_db()
    assert document.status == SynthesisDocument.Status.READY
    assert document.error == ""
    assert document.attempts == 2


def test_only_a_failed_document_can_be_retried(request_and_render):
    document = request_and_render(agreed_parcours())
    with pytest.raises(ValidationError):
        services.retry_synthesis(membership=document.requested_by, document=document)


def test_the_render_task_is_late_acked_retried_and_time_limited(settings):
    task = tasks.render_synthesis
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert set(task.autoretry_for) >= {ConnectionError, TimeoutError}
    assert task.retry_backoff and task.max_retries == 5
    assert task.soft_time_limit == settings.SYNTHESIS_RENDER_TIME_LIMIT_SECONDS
    assert task.time_limit > task.soft_time_limit
    assert "synthese.tasks.sweep_stuck_documents" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
