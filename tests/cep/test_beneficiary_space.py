"""The beneficiary space: invitation, the person's pages, agreement, consents, requests, data
export, erasure."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accueil.models import Routing
from accueil.services import change_routing_status
from cep import services
from cep.managers import services as manager_services
from cep.models import AuditEvent, BeneficiaryAccount, Consent
from cep.space import services as space_services
from cep.space.models import BeneficiaryRequest, Invitation
from conseil.models import AgreementChannel, ProjectVersion
from synthese import services as synthese_services
from tests.accompagnement.factories import ActionPlanFactory, PlanVersionFactory, StepFactory
from tests.accueil.factories import RoutingFactory
from tests.conseil.factories import ProjectVersionFactory
from tests.factories import (
    BeneficiaryAccountFactory,
    BeneficiaryFactory,
    ConsentFactory,
    ParcoursFactory,
    make_membership,
)
from tests.synthese.factories import agreed_parcours

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Un-jardin-de-lavande-2027"


@pytest.fixture
def invited(settings):
    """A person invited by their référent; returns (parcours, token read from the e-mail)."""
    settings.SITE_URL = "http://testserver"
    parcours = ParcoursFactory(beneficiary__email="maelle.kerbrat@exemple.invalid")
    space_services.invite_beneficiary(
        membership=parcours.referent, beneficiary=parcours.beneficiary
    )
    (message,) = mail.outbox
    token = re.search(r"/mon-espace/invitation/([^/\s]+)/", message.body).group(1)
    return parcours, token


def space_client(client, parcours):
    account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)
    client.force_login(account.user)
    return client, account


# --- Invitation --------------------------------------------------------------------------------


def test_the_invitation_link_creates_the_account_once(client, invited):
    parcours, token = invited
    url = f"/mon-espace/invitation/{token}/"
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
    )

    assert response.status_code == 302 and response.url == "/mon-espace/"
    account = BeneficiaryAccount.objects.get()
    assert account.beneficiary == parcours.beneficiary
    assert account.user.username == "maelle.kerbrat@exemple.invalid"
    assert not account.user.memberships.exists()
    assert client.get("/mon-espace/").status_code == 200  # logged in

    client.logout()
    again = client.post(url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
    assert again.status_code == 410
    assert "Ce lien d&#x27;invitation a déjà servi" in again.content.decode()
    assert BeneficiaryAccount.objects.count() == 1


def test_an_expired_invitation_says_so(client, invited):
    _, token = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/mon-espace/invitation/{token}/")
    assert response.status_code == 410
    assert "Ce lien d&#x27;invitation a expiré" in response.content.decode()


def test_the_invitation_cannot_be_guessed(client, invited):
    _, token = invited
    # 32 random bytes, and only their SHA-256 is kept: the database does not hold the link.
    assert len(token) >= 43
    stored = Invitation.objects.get()
    assert stored.token_digest != token and token not in stored.token_digest
    for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), "0" * 43, stored.token_digest):
        response = client.get(f"/mon-espace/invitation/{guess}/")
        assert response.status_code == 404
        assert "n&#x27;est pas valide" in response.content.decode()


def test_a_new_invitation_replaces_the_previous_link(client, invited):
    parcours, first_token = invited
    space_services.invite_beneficiary(
        membership=parcours.referent, beneficiary=parcours.beneficiary
    )
    assert client.get(f"/mon-espace/invitation/{first_token}/").status_code == 410


def test_a_weak_password_is_refused_next_to_the_field_and_nothing_is_created(client, invited):
    _, token = invited
    response = client.post(
        f"/mon-espace/invitation/{token}/", {"new_password1": "azerty", "new_password2": "azerty"}
    )
    assert response.status_code == 400
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert not BeneficiaryAccount.objects.exists()
    assert Invitation.objects.get().used_at is None


def test_no_invitation_without_an_email_address():
    parcours = ParcoursFactory()
    with pytest.raises(ValidationError) as error:
        space_services.invite_beneficiary(
            membership=parcours.referent, beneficiary=parcours.beneficiary
        )
    assert "adresse électronique" in error.value.message_dict["email"][0]
    assert mail.outbox == []


def test_a_beneficiary_account_never_gets_staff_rights():
    account = BeneficiaryAccountFactory()
    with pytest.raises(ValidationError):
        services.grant_membership(operator=account.operator, user=account.user, role="conseiller")


def test_a_beneficiary_reaches_no_staff_page(client):
    parcours = ParcoursFactory()
    client, _ = space_client(client, parcours)
    for url in (
        "/beneficiaires/",
        f"/beneficiaires/{parcours.beneficiary_id}/",
        f"/conseil/parcours/{parcours.pk}/",
        "/accueil/demandes/",
        "/api/v1/beneficiaries/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/").url == "/mon-espace/"


# --- My space and agreement --------------------------------------------------------------------


def test_my_space_shows_referent_project_draft_plan_and_documents(client):
    parcours = agreed_parcours(email="maelle.kerbrat@exemple.invalid")
    document = synthese_services.request_synthesis(membership=parcours.referent, parcours=parcours)
    synthese_services.render_synthesis(document_id=document.pk)
    client, _ = space_client(client, parcours)

    page = client.get("/mon-espace/").content.decode()

    assert parcours.referent.display_name in page
    assert "Devenir technicienne de maintenance" in page
    assert "Vérifier le projet auprès de professionnels" in page
    assert f"/mon-espace/documents/{document.pk}/" in page


def test_the_person_agrees_to_their_project_from_their_space(client):
    parcours = ParcoursFactory(entry_level=2)
    draft = ProjectVersionFactory(parcours=parcours, number=1, description="Devenir fleuriste.")
    client, account = space_client(client, parcours)
    assert "J'accepte ce projet (version 1)" in client.get("/mon-espace/").content.decode()

    client.post(f"/mon-espace/projet/{draft.pk}/accord/")

    draft.refresh_from_db()
    assert draft.status == ProjectVersion.Status.AGREED
    assert draft.agreement_channel == AgreementChannel.BENEFICIARY_SPACE
    assert draft.agreed_by_account == account
    assert draft.agreement_recorded_by is None
    assert draft.agreed_on == timezone.localdate()
    event = AuditEvent.objects.get(object_type="conseil.projectversion")
    assert event.membership is None and event.details == {"accord": "espace_beneficiaire"}


def test_the_person_agrees_to_their_plan_and_the_counsellor_sees_it(client, login_as):
    parcours = ParcoursFactory(entry_level=3)
    version = PlanVersionFactory(plan=ActionPlanFactory(parcours=parcours), number=1)
    StepFactory(version=version, title="Trouver un stage")
    client, account = space_client(client, parcours)

    client.post(f"/mon-espace/plan/{version.pk}/accord/")

    version.refresh_from_db()
    assert (version.status, version.agreed_by_account) == ("valide", account)
    client.logout()
    plan_page = login_as(parcours.referent).get(f"/accompagnement/parcours/{parcours.pk}/plan/")
    assert "Validé par la personne" in plan_page.content.decode()
    assert "depuis son espace personnel" in plan_page.content.decode()


def test_a_plan_without_step_cannot_be_agreed_from_the_space(client):
    parcours = ParcoursFactory(entry_level=3)
    version = PlanVersionFactory(plan=ActionPlanFactory(parcours=parcours), number=1)
    client, _ = space_client(client, parcours)
    response = client.post(f"/mon-espace/plan/{version.pk}/accord/", follow=True)
    assert "Un plan sans étape ne peut pas être validé." in response.content.decode()
    version.refresh_from_db()
    assert version.is_draft


def test_asking_for_changes_reaches_the_referent(client, login_as):
    parcours = ParcoursFactory(entry_level=2)
    draft = ProjectVersionFactory(parcours=parcours, number=1)
    client, _ = space_client(client, parcours)
    client.post(
        f"/mon-espace/projet/{draft.pk}/modifications/",
        {"message": "Je préfère viser la région de Vannes."},
    )
    request = BeneficiaryRequest.objects.get()
    assert (request.kind, request.parcours) == ("modif_projet", parcours)
    draft.refresh_from_db()
    assert draft.is_draft  # asking for changes agrees to nothing
    client.logout()
    home = login_as(parcours.referent).get("/beneficiaires/", follow=True)
    staff_page = login_as(parcours.referent).get(f"/beneficiaires/{parcours.beneficiary_id}/")
    assert "Je préfère viser la région de Vannes." in staff_page.content.decode()
    assert home.status_code == 200


def test_another_persons_versions_and_documents_answer_404(client):
    neighbour = agreed_parcours()
    document = synthese_services.request_synthesis(
        membership=neighbour.referent, parcours=neighbour
    )
    synthese_services.render_synthesis(document_id=document.pk)
    project = neighbour.project_versions.get()
    plan_version = neighbour.action_plan.versions.get()
    mine = ParcoursFactory(operator=neighbour.operator, entry_level=2)
    client, _ = space_client(client, mine)

    assert client.get(f"/mon-espace/documents/{document.pk}/").status_code == 404
    assert client.post(f"/mon-espace/projet/{project.pk}/accord/").status_code == 404
    assert client.post(f"/mon-espace/plan/{plan_version.pk}/accord/").status_code == 404
    assert client.post(f"/mon-espace/projet/{project.pk}/modifications/").status_code == 404


def test_my_space_runs_the_same_queries_whatever_the_size_of_my_file(client):
    parcours = agreed_parcours(services=1, actions=1)
    client, _ = space_client(client, parcours)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/mon-espace/").status_code == 200
    bigger = agreed_parcours(operator=parcours.operator, services=15, actions=15)
    client.logout()
    client, _ = space_client(client, bigger)
    with CaptureQueriesContext(connection) as big:
        assert client.get("/mon-espace/").status_code == 200
    assert len(big) == len(small)


# --- Consents ----------------------------------------------------------------------------------


def test_giving_and_withdrawing_a_consent_leaves_dated_receipts(client):
    parcours = ParcoursFactory()
    client, _ = space_client(client, parcours)
    response = client.post(
        "/mon-espace/consentements/",
        {"purpose": "enquete_suivi", "action": "donner"},
        follow=True,
    )
    consent = Consent.objects.get()
    assert f"Reçu n° {consent.pk}" in response.content.decode()
    assert consent.recorded_by is None and "depuis son espace" in consent.evidence

    client.post("/mon-espace/consentements/", {"purpose": "enquete_suivi", "action": "retirer"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(object_type="cep.consent").count() == 2


def test_withdrawing_email_consent_stops_the_synthese_mail_at_once(client, settings):
    settings.SITE_URL = "http://testserver"
    parcours = agreed_parcours(email="maelle.kerbrat@exemple.invalid")
    document = synthese_services.request_synthesis(membership=parcours.referent, parcours=parcours)
    synthese_services.render_synthesis(document_id=document.pk)
    document.refresh_from_db()
    client, _ = space_client(client, parcours)

    client.post("/mon-espace/consentements/", {"purpose": "synthese_courriel", "action": "retirer"})

    with pytest.raises(ValidationError):
        synthese_services.send_synthesis_link(membership=parcours.referent, document=document)
    assert synthese_services.deliver_synthesis_link(document_id=document.pk) is False
    assert mail.outbox == []


def test_withdrawing_sharing_consent_stops_a_pending_transfer(client):
    parcours = ParcoursFactory()
    consent = ConsentFactory(beneficiary=parcours.beneficiary, purpose="partage_operateur")
    routing = RoutingFactory(parcours=parcours, is_transfer=True, consent=consent)
    client, _ = space_client(client, parcours)

    client.post("/mon-espace/consentements/", {"purpose": "partage_operateur", "action": "retirer"})

    routing.refresh_from_db()
    assert routing.status == Routing.Status.CONSENT_WITHDRAWN
    with pytest.raises(ValidationError) as error:
        change_routing_status(membership=parcours.referent, routing=routing, status="acceptee")
    assert "retiré son accord" in error.value.messages[0]


# --- My data -----------------------------------------------------------------------------------


def test_all_my_data_in_one_click_is_a_zip_with_json_and_html(client):
    parcours = agreed_parcours(email="maelle.kerbrat@exemple.invalid")
    client, _ = space_client(client, parcours)
    response = client.get("/mon-espace/mes-donnees/archive/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["mes-donnees.html", "mes-donnees.json"]
    data = json.loads(archive.read("mes-donnees.json"))
    identity = next(s for s in data["sections"] if s["cle"] == "identite")
    assert identity["enregistrements"][0]["prénom"] == "Maëlle"
    assert "Maëlle" in archive.read("mes-donnees.html").decode()
    event = AuditEvent.objects.get(action="export")
    assert (event.membership, event.beneficiary) == (None, parcours.beneficiary)


def test_a_request_with_an_empty_message_is_refused_next_to_the_field(client):
    client, _ = space_client(client, ParcoursFactory())
    response = client.post("/mon-espace/mes-donnees/", {"kind": "rectification", "message": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not BeneficiaryRequest.objects.exists()


def test_erasure_is_refused_while_a_parcours_is_open_then_anonymises(client, login_as):
    parcours = ParcoursFactory(beneficiary__email="maelle.kerbrat@exemple.invalid")
    client, account = space_client(client, parcours)
    client.post("/mon-espace/mes-donnees/", {"kind": "effacement", "message": "Effacez tout."})
    manager = make_membership(operator=parcours.operator, role="manager")

    with pytest.raises(ValidationError) as error:
        manager_services.anonymise_beneficiary(membership=manager, beneficiary=parcours.beneficiary)
    assert "Un parcours est encore ouvert" in error.value.messages[0]

    parcours.closed_on, parcours.closing_reason = timezone.localdate(), "projet_realise"
    parcours.save()
    response = login_as(manager).post(
        f"/beneficiaires/{parcours.beneficiary_id}/anonymiser/", follow=True
    )
    assert "Le dossier est anonymisé" in response.content.decode()
    beneficiary = parcours.beneficiary
    beneficiary.refresh_from_db()
    assert (beneficiary.first_name, beneficiary.email, beneficiary.phone) == ("Personne", "", "")
    assert beneficiary.birth_date.month == 1 and beneficiary.birth_date.day == 1
    account.user.refresh_from_db()
    assert not account.user.is_active
    assert BeneficiaryRequest.objects.get().handled_at is not None


def test_a_counsellor_cannot_anonymise(login_as):
    parcours = ParcoursFactory(closed=True)
    response = login_as(parcours.referent).post(
        f"/beneficiaires/{parcours.beneficiary_id}/anonymiser/"
    )
    assert response.status_code == 404
    parcours.beneficiary.refresh_from_db()
    assert parcours.beneficiary.first_name != "Personne"


def test_invite_from_the_beneficiary_page(login_as, settings):
    settings.SITE_URL = "http://testserver"
    beneficiary = BeneficiaryFactory(with_contact=True)
    parcours = ParcoursFactory(beneficiary=beneficiary)
    response = login_as(parcours.referent).post(
        f"/beneficiaires/{beneficiary.pk}/invitation/", follow=True
    )
    assert "L&#x27;invitation est envoyée" in response.content.decode()
    assert mail.outbox[0].to == [beneficiary.email]


def test_the_consents_page_runs_the_same_queries_whatever_the_number_of_receipts(client):
    parcours = ParcoursFactory()
    client, _ = space_client(client, parcours)
    ConsentFactory(beneficiary=parcours.beneficiary, purpose="enquete_suivi")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/mon-espace/consentements/").status_code == 200
    for _ in range(12):
        ConsentFactory(
            beneficiary=parcours.beneficiary,
            purpose="partage_operateur",
            withdrawn_at=timezone.now() + timedelta(minutes=1),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/mon-espace/consentements/")
    assert response.content.decode().count("<tr>") == 1 + 13  # header and one per receipt
    assert len(many) == len(few)
