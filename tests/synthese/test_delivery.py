"""Getting the document to people: the stuck-document sweep, the counsellor's pages, the signed
e-mail link, and the API."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cep.models import AuditEvent, Consent
from synthese import links, services
from synthese.models import SynthesisDocument
from tests.api import token_client
from tests.factories import OperatorFactory, ParcoursFactory, make_membership
from tests.synthese.factories import SynthesisDocumentFactory, agreed_parcours

pytestmark = pytest.mark.django_db


def ready_document(*, email: str = "maelle.kerbrat@exemple.invalid", operator=None):
    parcours = agreed_parcours(email=email, operator=operator)
    document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
    services.render_synthesis(document_id=document.pk)
    document.refresh_from_db()
    assert document.is_ready, document.error
    return document


# --- The sweep ---------------------------------------------------------------------------------


def test_the_sweep_enqueues_again_exactly_the_stuck_documents(
    settings, django_capture_on_commit_callbacks
):
    settings.SYNTHESIS_STUCK_AFTER_SECONDS = 600
    long_ago = timezone.now() - timedelta(minutes=30)
    queued_long_ago = SynthesisDocumentFactory()
    rendering_long_ago = SynthesisDocumentFactory(status=SynthesisDocument.Status.RENDERING)
    queued_just_now = SynthesisDocumentFactory()
    failed_long_ago = SynthesisDocumentFactory(
        status=SynthesisDocument.Status.FAILED, error="Le rendu a échoué."
    )
    SynthesisDocument.objects.exclude(pk=queued_just_now.pk).update(last_activity_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        swept = services.sweep_stuck_documents()

    # Two operators: the sweep is a platform job.
    assert queued_long_ago.operator_id != rendering_long_ago.operator_id
    assert swept == sorted([queued_long_ago.pk, rendering_long_ago.pk])
    status = dict(SynthesisDocument.objects.values_list("pk", "status"))
    assert status[queued_long_ago.pk] == SynthesisDocument.Status.READY
    assert status[rendering_long_ago.pk] == SynthesisDocument.Status.READY
    assert status[queued_just_now.pk] == SynthesisDocument.Status.QUEUED
    assert status[failed_long_ago.pk] == SynthesisDocument.Status.FAILED


def test_a_swept_document_is_not_enqueued_again_at_the_next_sweep(
    django_capture_on_commit_callbacks,
):
    document = SynthesisDocumentFactory()
    SynthesisDocument.objects.update(last_activity_at=timezone.now() - timedelta(hours=1))
    assert services.sweep_stuck_documents() == [document.pk]  # on_commit not run: still queued
    assert services.sweep_stuck_documents() == []


# --- The counsellor's pages --------------------------------------------------------------------


def test_the_list_page_runs_the_same_queries_whatever_the_number_of_versions(login_as):
    parcours = agreed_parcours()
    client = login_as(parcours.referent)
    SynthesisDocumentFactory(parcours=parcours, status="echec", error="Panne")
    url = f"/synthese/parcours/{parcours.pk}/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        SynthesisDocumentFactory(parcours=parcours, status="echec", error="Panne")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Relancer la préparation") == 7
    assert len(many) == len(few)


def test_asking_from_the_page_and_seeing_it_ready(login_as, django_capture_on_commit_callbacks):
    parcours = agreed_parcours()
    client = login_as(parcours.referent)
    url = f"/synthese/parcours/{parcours.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "La synthèse est en préparation" in response.content.decode()
    assert "Télécharger la version 1" in client.get(url).content.decode()


def test_a_refusal_is_told_in_french_on_the_page(login_as):
    parcours = ParcoursFactory(entry_level=2)
    response = login_as(parcours.referent).post(f"/synthese/parcours/{parcours.pk}/", follow=True)
    assert "enregistrez d&#x27;abord son accord sur le projet" in response.content.decode()
    assert not SynthesisDocument.objects.exists()


def test_the_status_fragment_polls_while_pending_and_stops_when_ready(login_as):
    document = SynthesisDocumentFactory()
    client = login_as(document.requested_by)
    url = f"/synthese/parcours/{document.parcours_id}/{document.pk}/statut/"

    pending = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in pending
    assert "en préparation" in pending

    services.render_synthesis(document_id=document.pk)
    ready = client.get(url).content.decode()
    assert "hx-trigger" not in ready
    assert "Télécharger la version" in ready


def test_the_counsellor_downloads_and_prints_and_both_are_audited(login_as):
    document = ready_document()
    client = login_as(document.requested_by)
    url = f"/synthese/parcours/{document.parcours_id}/{document.pk}/telecharger/"

    download = client.get(url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256

    printing = client.get(url + "?imprimer=1")
    assert printing["Content-Disposition"].startswith("inline")

    channels = list(
        AuditEvent.objects.filter(action="download")
        .order_by("pk")
        .values_list("details", flat=True)
    )
    assert channels == [{"canal": "conseiller"}, {"canal": "impression"}]


def test_a_document_of_another_parcours_is_not_reachable_through_this_one(login_as):
    document = ready_document()
    other = agreed_parcours(operator=document.operator)
    client = login_as(document.requested_by)
    url = f"/synthese/parcours/{other.pk}/{document.pk}/telecharger/"
    assert client.get(url).status_code == 404


# --- The signed e-mail link --------------------------------------------------------------------


def link_from_outbox() -> str:
    (message,) = mail.outbox
    return re.search(r"http://testserver(/synthese/lien/\S+/)", message.body).group(1)


@pytest.fixture
def sent_link(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://testserver"
    document = ready_document()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_synthesis_link(membership=document.requested_by, document=document)
    return document, link_from_outbox()


def test_the_link_reaches_the_person_and_downloads_their_document(sent_link, client):
    document, path = sent_link
    assert mail.outbox[0].to == ["maelle.kerbrat@exemple.invalid"]
    assert "pendant 14 jours" in mail.outbox[0].body

    response = client.get(path)  # no account, no session

    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    event = AuditEvent.objects.get(action="download")
    assert event.membership is None
    assert event.operator_id == document.operator_id
    assert event.beneficiary_id == document.parcours.beneficiary_id
    assert event.details == {"canal": "lien"}


def test_an_altered_link_reaches_nothing(sent_link, client):
    document, path = sent_link
    other = ready_document(operator=document.operator)  # same operator, another person
    foreign = ready_document()  # another operator
    token = path.split("/")[-2]
    payload, timestamp, signature = token.split(":")

    for victim in (other, foreign):
        victim_payload = links.make_token(victim).split(":")[0]
        forged = f"{victim_payload}:{timestamp}:{signature}"
        assert client.get(f"/synthese/lien/{forged}/").status_code == 404
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert client.get(f"/synthese/lien/{payload}:{timestamp}:{flipped}/").status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_link_signed_with_another_key_reaches_nothing(sent_link, client):
    document, _ = sent_link
    forged = signing.TimestampSigner(key="une-autre-cle", salt=links.SALT).sign_object(
        {"d": document.pk, "o": document.operator_id, "h": document.sha256[:16]}
    )
    assert client.get(f"/synthese/lien/{forged}/").status_code == 404


def test_an_expired_link_says_so_in_french(settings, client):
    document = ready_document()

    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self):
            too_old = timezone.now() - timedelta(
                seconds=settings.SYNTHESIS_LINK_MAX_AGE_SECONDS + 60
            )
            return signing.b62_encode(int(too_old.timestamp()))

    token = SignedLongAgo(salt=links.SALT).sign_object(
        {"d": document.pk, "o": document.operator_id, "h": document.sha256[:16]}
    )
    response = client.get(f"/synthese/lien/{token}/")
    assert response.status_code == 410
    assert "Ce lien de téléchargement a expiré" in response.content.decode()


def test_a_link_to_an_older_file_of_the_same_document_does_not_open_the_new_one(client):
    document = ready_document()
    token = links.make_token(document)
    SynthesisDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)
    assert client.get(f"/synthese/lien/{token}/").status_code == 404


def test_withdrawing_consent_stops_the_mail_and_closes_the_link(
    settings, client, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    document = ready_document()
    token = links.make_token(document)
    Consent.objects.filter(beneficiary=document.parcours.beneficiary).update(
        withdrawn_at=timezone.now()
    )

    with pytest.raises(services.ValidationError):
        services.send_synthesis_link(membership=document.requested_by, document=document)
    assert services.deliver_synthesis_link(document_id=document.pk) is False
    assert mail.outbox == []
    assert client.get(f"/synthese/lien/{token}/").status_code == 404


def test_consent_withdrawn_after_the_request_stops_the_mail(django_capture_on_commit_callbacks):
    document = ready_document()
    services.send_synthesis_link(membership=document.requested_by, document=document)
    # Withdrawn between the counsellor's click and the worker's turn: nothing is sent.
    Consent.objects.update(withdrawn_at=timezone.now())
    assert services.deliver_synthesis_link(document_id=document.pk) is False
    assert mail.outbox == []


def test_without_consent_the_page_offers_no_email(login_as):
    document = ready_document(email="")
    page = login_as(document.requested_by).get(f"/synthese/parcours/{document.parcours_id}/")
    assert "Envoyer un lien par courriel" not in page.content.decode()


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return token_client


def test_api_request_poll_and_download(api, django_capture_on_commit_callbacks):
    parcours = agreed_parcours()
    client = api(parcours.referent)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/syntheses/", {"parcours": parcours.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 1

    polled = client.get(f"/api/v1/syntheses/{created.json()['id']}/").json()
    assert polled["status"] == "pret"
    assert polled["download_url"].endswith(f"/api/v1/syntheses/{polled['id']}/file/")

    pdf = client.get(f"/api/v1/syntheses/{polled['id']}/file/")
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == polled["sha256"]
    assert AuditEvent.objects.filter(action="download", details={"canal": "api"}).count() == 1


def test_api_refusals_are_field_level(api):
    parcours = ParcoursFactory(entry_level=1)
    client = api(parcours.referent)
    response = client.post("/api/v1/syntheses/", {"parcours": parcours.pk}, format="json")
    assert response.status_code == 400
    assert "niveau 2 ou 3" in response.json()["parcours"][0]

    foreign = agreed_parcours(operator=OperatorFactory())
    response = client.post("/api/v1/syntheses/", {"parcours": foreign.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["parcours"]


def test_api_a_pending_document_has_no_file_yet(api):
    document = SynthesisDocumentFactory()
    client = api(document.requested_by)
    assert client.get(f"/api/v1/syntheses/{document.pk}/").json()["download_url"] is None
    assert client.get(f"/api/v1/syntheses/{document.pk}/file/").status_code == 404


def test_api_another_operators_document_is_404(api):
    document = ready_document()
    outsider = make_membership(operator=OperatorFactory())
    client = api(outsider)
    assert client.get(f"/api/v1/syntheses/{document.pk}/").status_code == 404
    assert client.get(f"/api/v1/syntheses/{document.pk}/file/").status_code == 404
    assert client.get("/api/v1/syntheses/").json()["results"] == []
