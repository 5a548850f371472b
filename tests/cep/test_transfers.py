"""Transfers between operators: consent first, only the consented categories cross, the
receiving operator reads them only while it decides, and the confidential notes never cross."""

import io
import json
import threading
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from cep.continuity import services
from cep.continuity.models import LiaisonFile, Transfer, TransferUserPermission
from cep.models import AuditEvent, Beneficiary, Consent, Membership, Parcours
from cep.space import services as space_services
from tests.api import token_client
from tests.conseil.factories import ProjectVersionFactory
from tests.factories import (
    BeneficiaryAccountFactory,
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db

NOTE = "Note confidentielle : difficultés familiales évoquées en entretien."
PROJECT = "Devenir soudeuse en chaudronnerie navale."
ALL = ["identite", "situation", "projet", "plan", "financement", "syntheses"]


class World:
    def __init__(self):
        self.a = OperatorFactory(name="Opérateur Origine", region="84")
        self.b = OperatorFactory(name="Opérateur Accueil", region="53")
        self.a_counsellor = make_membership(operator=self.a)
        self.b_manager = make_membership(operator=self.b, role=Membership.Role.MANAGER)
        self.b_counsellor = make_membership(operator=self.b)
        self.person = BeneficiaryFactory(
            operator=self.a,
            first_name="Gwenaëlle",
            last_name="Quéméner",
            email="gwenaelle.quemener@exemple.invalid",
        )
        self.parcours = ParcoursFactory(
            operator=self.a,
            beneficiary=self.person,
            referent=self.a_counsellor,
            entry_level=2,
            current_level=2,
            opened_on=timezone.localdate() - timedelta(days=40),
        )
        ServiceFactory(parcours=self.parcours, notes=NOTE)
        ProjectVersionFactory(parcours=self.parcours, agreed=True, description=PROJECT)

    def propose(self, categories, evidence="Accord oral en entretien"):
        with scope(operator=self.a.pk):
            return services.propose_transfer(
                membership=self.a_counsellor,
                parcours=self.parcours,
                target_operator=self.b,
                reason="La personne déménage en Bretagne.",
                categories=categories,
                consent_evidence=evidence,
            )


@pytest.fixture
def world():
    return World()


def test_without_consent_nothing_leaves(world, login_as):
    transfer = world.propose(ALL, evidence="")
    assert transfer.status == Transfer.Status.AWAITING_CONSENT
    assert transfer.liaison == [] and transfer.person == {}
    assert not TransferUserPermission.objects.exists()
    client = login_as(world.b_manager)
    assert "Quéméner" not in client.get("/transferts/").content.decode()
    assert client.get(f"/transferts/{transfer.pk}/").status_code == 404
    assert token_client(world.b_manager).get("/api/v1/transfers/incoming/").json() == []


def test_the_person_agrees_from_their_space(world, client, login_as):
    transfer = world.propose(["identite", "situation", "projet"], evidence="")
    account = BeneficiaryAccountFactory(beneficiary=world.person)
    client.force_login(account.user)
    home = client.get("/mon-espace/").content.decode()
    assert "Opérateur Accueil" in home and "projet et stratégie" in home
    response = client.post(f"/mon-espace/transferts/{transfer.pk}/", {"reponse": "accord"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING
    consent = Consent.objects.get(pk=transfer.consent_id)
    assert consent.categories == ["identite", "situation", "projet"]
    assert consent.recorded_by is None  # given by the person, nobody recorded it for them
    page = login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").content.decode()
    assert "Quéméner" in page and PROJECT in page


def test_the_person_declines_and_nothing_leaves(world, client, login_as):
    transfer = world.propose(ALL, evidence="")
    account = BeneficiaryAccountFactory(beneficiary=world.person)
    client.force_login(account.user)
    client.post(f"/mon-espace/transferts/{transfer.pk}/", {"reponse": "refus"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    assert transfer.liaison == []
    assert login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").status_code == 404


def test_with_partial_consent_only_those_categories_cross(world, login_as):
    transfer = world.propose(["identite", "situation"])
    html = login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").content.decode()
    payload = token_client(world.b_manager).get("/api/v1/transfers/incoming/").json()
    assert [item["id"] for item in payload] == [transfer.pk]
    as_json = json.dumps(payload, ensure_ascii=False)
    for text in (html, as_json):
        assert "Quéméner" in text  # identity: consented
        assert PROJECT not in text  # the project: not consented
        assert NOTE not in text  # confidential notes: never
    assert {section["categorie"] for section in payload[0]["liaison"]} == {
        "identite",
        "situation",
    }


def test_confidential_notes_never_cross_even_with_every_category(world, login_as):
    transfer = world.propose(ALL)
    html = login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").content.decode()
    assert PROJECT in html
    assert NOTE not in html
    assert NOTE not in json.dumps(transfer.liaison, ensure_ascii=False)


def test_while_pending_the_receiving_counsellors_see_nothing(world, login_as):
    transfer = world.propose(ALL)
    client = login_as(world.b_counsellor)
    assert client.get("/transferts/").status_code == 404
    assert client.get(f"/transferts/{transfer.pk}/").status_code == 404
    api = token_client(world.b_counsellor)
    assert api.get("/api/v1/transfers/incoming/").status_code == 404
    assert api.post(f"/api/v1/transfers/incoming/{transfer.pk}/accept/", {}).status_code == 404


def test_after_refusal_the_receiving_operator_sees_nothing(world, login_as):
    transfer = world.propose(ALL)
    client = login_as(world.b_manager)
    missing = client.post(
        f"/transferts/{transfer.pk}/", {"action": "refuser", "refuser-reason": ""}
    )
    assert "Indiquez le motif du refus." in missing.content.decode()
    client.post(
        f"/transferts/{transfer.pk}/",
        {"action": "refuser", "refuser-reason": "Pas de place avant six mois."},
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REFUSED
    assert not TransferUserPermission.objects.filter(content_object=transfer).exists()
    assert client.get(f"/transferts/{transfer.pk}/").status_code == 404
    listing = client.get("/transferts/").content.decode()
    assert "Refusé" in listing and "Quéméner" not in listing
    with scope(operator=world.a.pk):
        notes = [step.note for step in transfer.history.all()]
    assert "Refusé par Opérateur Accueil : Pas de place avant six mois." in notes
    # Both operators' trails hold the decision.
    assert set(
        AuditEvent.objects.filter(
            object_id=str(transfer.pk), details__decision="refuse"
        ).values_list("operator_id", flat=True)
    ) == {world.a.pk, world.b.pk}


def test_after_expiry_the_receiving_operator_sees_nothing(world, login_as):
    transfer = world.propose(ALL)
    Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    from cep.continuity.tasks import expire_transfers

    assert expire_transfers.delay().get() == 1
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED
    assert not TransferUserPermission.objects.exists()
    assert login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").status_code == 404


def test_withdrawing_consent_stops_a_pending_transfer(world, login_as):
    transfer = world.propose(ALL)
    account = BeneficiaryAccountFactory(beneficiary=world.person)
    with scope(operator=world.a.pk):
        space_services.set_consent_from_space(
            account=account, purpose=Consent.Purpose.SHARE_WITH_OPERATOR, given=False
        )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    assert login_as(world.b_manager).get(f"/transferts/{transfer.pk}/").status_code == 404


def test_on_acceptance_the_receiving_referent_has_a_new_file(world, login_as):
    transfer = world.propose(["identite", "situation", "projet"])
    client = login_as(world.b_manager)
    response = client.post(
        f"/transferts/{transfer.pk}/",
        {"action": "accepter", "accepter-referent": world.b_counsellor.pk},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED
    assert not TransferUserPermission.objects.exists()
    received = Parcours.objects.get(pk=transfer.received_parcours_id)
    assert (received.operator_id, received.referent_id) == (world.b.pk, world.b_counsellor.pk)
    assert (received.entry_level, received.opened_on) == (2, timezone.localdate())
    copy = Beneficiary.objects.get(pk=received.beneficiary_id)
    assert (copy.operator_id, copy.last_name, copy.birth_date) == (
        world.b.pk,
        "Quéméner",
        world.person.birth_date,
    )
    # The sending operator keeps its own record, closed as transferred.
    world.parcours.refresh_from_db()
    assert world.parcours.closing_reason == Parcours.ClosingReason.TRANSFERRED
    assert Beneficiary.objects.filter(pk=world.person.pk, operator=world.a).exists()
    # The référent at B sees the new file and what came with it, never A's notes.
    referent = login_as(world.b_counsellor)
    assert referent.get(f"/beneficiaires/{copy.pk}/").status_code == 200
    page = referent.get(f"/parcours/{received.pk}/continuite/").content.decode()
    assert "Dossier de liaison reçu de Opérateur Origine" in page
    assert PROJECT in page and NOTE not in page
    assert LiaisonFile.objects.get(parcours=received).categories == [
        "identite",
        "situation",
        "projet",
    ]
    assert referent.get(f"/parcours/{world.parcours.pk}/continuite/").status_code == 404


def test_accepting_and_expiring_at_once_give_one_outcome(transactional_db):
    """Two workers take the same transfer at the same moment: the row lock lets one through;
    the other finds it decided. Run both orders a few times."""
    outcomes = []
    for _ in range(4):
        world = World()
        transfer = world.propose(ALL)
        start = threading.Barrier(2)
        results = {}

        def accept(transfer_id=transfer.pk, world=world, start=start, results=results):
            start.wait()
            try:
                with scope(operator=world.b.pk):
                    services.accept_transfer(
                        membership=world.b_manager,
                        transfer_id=transfer_id,
                        referent=world.b_counsellor,
                    )
                results["accept"] = True
            except Exception as error:  # the loser's refusal, whatever its kind
                results["accept"] = error
            finally:
                connection.close()

        def expire(transfer_id=transfer.pk, world=world, start=start, results=results):
            start.wait()
            try:
                with scope(operator=world.a.pk):
                    # The expiry job's clock says the time is up.
                    results["expire"] = services.expire_transfer(
                        transfer_id=transfer_id, now=timezone.now() + timedelta(days=30)
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=accept), threading.Thread(target=expire)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        transfer.refresh_from_db()
        world.parcours.refresh_from_db()
        received = Beneficiary.objects.filter(operator=world.b, last_name="Quéméner").count()
        if transfer.status == Transfer.Status.ACCEPTED:
            assert results["accept"] is True and results["expire"] is False
            assert received == 1 and world.parcours.closing_reason == "transfere"
        else:
            assert transfer.status == Transfer.Status.EXPIRED
            assert results["expire"] is True and results["accept"] is not True
            assert received == 0 and world.parcours.is_open
        assert not TransferUserPermission.objects.filter(content_object=transfer).exists()
        outcomes.append(transfer.status)
    assert set(outcomes) <= {Transfer.Status.ACCEPTED, Transfer.Status.EXPIRED}


def test_a_second_counsellor_can_be_given_a_parcours_and_lose_it(world, login_as):
    colleague = make_membership(operator=world.a)
    other = make_membership(operator=world.a)
    referent = login_as(world.a_counsellor)
    url = f"/parcours/{world.parcours.pk}/continuite/"
    referent.post(url, {"action": "co_referent", "coref-counsellor": colleague.pk})
    with scope(operator=world.a.pk):
        from cep.continuity import selectors

        assert list(selectors.co_referents_of(world.parcours)) == [colleague]
        assert list(selectors.co_followed_parcours(colleague)) == [world.parcours]
    assert colleague.user.has_perm("cep.co_follow_parcours", world.parcours)
    # A counsellor who is neither référent nor manager cannot name one.
    page = login_as(other).post(url, {"action": "co_referent", "coref-counsellor": other.pk})
    assert "Seuls le référent du parcours et les managers" in page.content.decode()
    # Someone of another operator is not in the list.
    referent = login_as(world.a_counsellor)  # one test client: log the référent in again
    wrong = referent.post(url, {"action": "co_referent", "coref-counsellor": world.b_counsellor.pk})
    assert "Choisissez un conseiller de votre structure." in wrong.content.decode()
    referent.post(url, {"action": "retirer_co_referent", "counsellor": colleague.pk})
    colleague.user = type(colleague.user).objects.get(pk=colleague.user_id)  # fresh perm cache
    assert not colleague.user.has_perm("cep.co_follow_parcours", world.parcours)


def test_the_liaison_file_for_a_structure_outside_the_platform(world, login_as):
    client = login_as(world.a_counsellor)
    url = f"/parcours/{world.parcours.pk}/continuite/"
    refused = client.post(
        url,
        {
            "action": "liaison",
            "liaison-recipient": "Association Cap Avenir",
            "liaison-categories": ["identite", "situation"],
            "liaison-consent_evidence": "",
        },
    )
    assert "indiquez comment il a été recueilli" in refused.content.decode()
    assert not Consent.objects.filter(purpose=Consent.Purpose.SHARE_WITH_OPERATOR).exists()
    response = client.post(
        url,
        {
            "action": "liaison",
            "liaison-recipient": "Association Cap Avenir",
            "liaison-categories": ["identite", "situation"],
            "liaison-consent_evidence": "Accord signé le 3 mars",
        },
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["dossier-de-liaison.json", "dossier-de-liaison.pdf"]
    document = json.loads(archive.read("dossier-de-liaison.json"))
    text = json.dumps(document, ensure_ascii=False)
    assert "Quéméner" in text and PROJECT not in text and NOTE not in text
    assert archive.read("dossier-de-liaison.pdf").startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, details__dossier_de_liaison="Association Cap Avenir"
    ).exists()


def test_the_transfer_api(world):
    a_api = token_client(world.a_counsellor)
    missing = a_api.post(
        "/api/v1/transfers/",
        {
            "parcours": world.parcours.pk,
            "target_operator": world.b.pk,
            "reason": "Déménagement",
            "categories": ["projet"],
        },
        format="json",
    )
    assert missing.status_code == 400
    assert "identité" in missing.json()["categories"][0]
    sent = a_api.post(
        "/api/v1/transfers/",
        {
            "parcours": world.parcours.pk,
            "target_operator": world.b.pk,
            "reason": "Déménagement",
            "categories": ["identite", "situation"],
            "consent_evidence": "Accord écrit",
        },
        format="json",
    )
    assert sent.status_code == 201 and sent.json()["status"] == "en_attente"
    transfer_id = sent.json()["id"]
    assert a_api.post(f"/api/v1/transfers/incoming/{transfer_id}/refuse/", {}).status_code == 404
    b_api = token_client(world.b_manager)
    assert b_api.post(
        f"/api/v1/transfers/incoming/{transfer_id}/refuse/", {"reason": ""}, format="json"
    ).json() == {"reason": ["Ce champ ne peut être vide."]}
    accepted = b_api.post(
        f"/api/v1/transfers/incoming/{transfer_id}/accept/",
        {"referent": world.b_counsellor.pk},
        format="json",
    )
    assert accepted.status_code == 201
    assert a_api.get("/api/v1/transfers/").json()[0]["status"] == "accepte"


def count_queries(client, url) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def another_parcours(world) -> Parcours:
    return ParcoursFactory(
        operator=world.a, referent=world.a_counsellor, opened_on=timezone.localdate()
    )


def test_the_transfer_pages_keep_their_query_count(world, login_as):
    world.propose(ALL)
    continuity_url = f"/parcours/{world.parcours.pk}/continuite/"
    incoming = count_queries(login_as(world.b_manager), "/transferts/")
    continuity = count_queries(login_as(world.a_counsellor), continuity_url)
    with scope(operator=world.a.pk):
        transfer = Transfer.objects.get(parcours=world.parcours)
        for _ in range(4):
            services.propose_transfer(
                membership=world.a_counsellor,
                parcours=another_parcours(world),
                target_operator=world.b,
                reason="Déménagement",
                categories=["identite", "situation"],
                consent_evidence="Accord oral",
            )
            services.add_co_referent(
                membership=world.a_counsellor,
                parcours=world.parcours,
                counsellor=make_membership(operator=world.a),
            )
            services._transfer_step(transfer, "Relance", world.a_counsellor)
    # Five incoming transfers instead of one; four co-référents and a longer history.
    assert count_queries(login_as(world.b_manager), "/transferts/") == incoming
    assert count_queries(login_as(world.a_counsellor), continuity_url) == continuity


def test_an_incoming_transfer_page_keeps_its_query_count(world, login_as):
    small = world.propose(["identite", "situation"])
    client = login_as(world.b_manager)
    before = count_queries(client, f"/transferts/{small.pk}/")
    # A richer file (every category, more services and history) asks no more.
    other = another_parcours(world)
    for _ in range(5):
        ServiceFactory(parcours=other)
    with scope(operator=world.a.pk):
        rich = services.propose_transfer(
            membership=world.a_counsellor,
            parcours=other,
            target_operator=world.b,
            reason="Déménagement",
            categories=ALL,
            consent_evidence="Accord oral",
        )
    assert count_queries(client, f"/transferts/{rich.pk}/") == before


def test_removing_an_unknown_co_referent_is_not_found(world, login_as):
    client = login_as(world.a_counsellor)
    url = f"/parcours/{world.parcours.pk}/continuite/"
    for wanted in ("abc", "", "999999"):
        response = client.post(url, {"action": "retirer_co_referent", "counsellor": wanted})
        assert response.status_code == 404
