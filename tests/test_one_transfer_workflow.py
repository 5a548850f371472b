"""One transfer workflow: a level-1 orientation to an operator of the platform and a transfer
proposed from the person's file are the same thing (cep.continuity), with the same records, the
same consent rule, the same history and the same ending when the person withdraws consent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from accueil import services as accueil_services
from accueil.models import Routing, RoutingStatusChange
from cep.continuity import services as continuity_services
from cep.continuity.models import Transfer, TransferStatusChange, TransferUserPermission
from cep.models import AuditEvent, Consent, Membership
from cep.space import services as space_services
from tests.accueil.factories import IntakeRequestFactory, StructureFactory
from tests.api import token_client
from tests.factories import (
    BeneficiaryAccountFactory,
    OperatorFactory,
    ParcoursFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db

REASON = "La personne déménage en Bretagne."
EVIDENCE = "Accord oral en entretien"
# Written out by hand: the one message of the one consent rule.
CONSENT_REQUIRED = (
    "Le partage du dossier avec un autre opérateur demande l'accord de la personne : "
    "indiquez comment il a été recueilli."
)


class World:
    """Operator A sends, operator B receives; A's directory names B as a partner structure.
    One person is at level 1 (a request of the day), another has a file at level 2."""

    def __init__(self):
        self.a = OperatorFactory(name="Opérateur Origine")
        self.b = OperatorFactory(name="Opérateur Accueil")
        self.counsellor = make_membership(operator=self.a)
        self.b_manager = make_membership(operator=self.b, role=Membership.Role.MANAGER)
        self.b_counsellor = make_membership(operator=self.b)
        self.structure = StructureFactory(
            operator=self.a, name="Opérateur Accueil (partenaire)", platform_operator=self.b
        )
        self.intake = IntakeRequestFactory(
            operator=self.a,
            parcours=ParcoursFactory(operator=self.a, referent=self.counsellor),
        )
        self.level_1 = self.intake.parcours
        self.file = ParcoursFactory(
            operator=self.a, referent=self.counsellor, entry_level=2, current_level=2
        )

    def route(self, evidence=EVIDENCE) -> Routing:
        with scope(operator=self.a.pk):
            return accueil_services.route(
                membership=self.counsellor,
                parcours=self.level_1,
                target=self.structure,
                reason=REASON,
                consent_evidence=evidence,
            )

    def propose(self, evidence=EVIDENCE, ask_in_space=True) -> Transfer:
        with scope(operator=self.a.pk):
            return continuity_services.propose_transfer(
                membership=self.counsellor,
                parcours=self.file,
                target_operator=self.b,
                reason=REASON,
                categories=["identite", "situation"],
                consent_evidence=evidence,
                ask_in_space=ask_in_space,
            )


@pytest.fixture
def world():
    return World()


def records_of(transfer: Transfer) -> dict:
    """What a transfer leaves behind, in plain values."""
    transfer.refresh_from_db()
    consent = Consent.objects.get(pk=transfer.consent_id)
    return {
        "status": transfer.status,
        "operators": (transfer.operator_id, transfer.target_operator_id),
        "categories": transfer.categories,
        "reason": transfer.reason,
        "history": [(step.status, step.note) for step in transfer.history.all()],
        "consent": (consent.purpose, consent.categories, consent.evidence, consent.recorded_by_id),
        "audit": sorted(
            (event.operator_id, event.action, event.details["statut"])
            for event in AuditEvent.objects.filter(
                object_type="continuity.transfer", object_id=str(transfer.pk)
            )
        ),
        "sent": (transfer.sent_at is not None, transfer.person["last_name"]),
    }


def test_both_ways_make_the_same_records(world, login_as):
    routing = world.route()
    from_file = world.propose()
    assert routing.is_transfer
    level_1 = routing.transfer

    expected = {
        "status": "en_attente",
        "operators": (world.a.pk, world.b.pk),
        "categories": ["identite", "situation"],
        "reason": REASON,
        "history": [
            ("attente_accord", "Transfert proposé"),
            ("en_attente", "Envoyé avec l'accord de la personne"),
        ],
        "consent": ("partage_operateur", ["identite", "situation"], EVIDENCE, world.counsellor.pk),
        "audit": [(world.a.pk, "create", "en_attente")],
    }
    for transfer, parcours in ((level_1, world.level_1), (from_file, world.file)):
        records = records_of(transfer)
        assert records.pop("sent") == (True, parcours.beneficiary.last_name)
        assert records == expected
    # The orientation is the level-1 face of its transfer: the same consent, no history of its
    # own, its status the transfer's.
    assert routing.consent.pk == level_1.consent_id
    assert routing.status == Routing.Status.PENDING
    assert not RoutingStatusChange.objects.filter(routing=routing).exists()
    # The receiving operator's managers review both through the same object permission; its
    # counsellors review neither.
    manager = login_as(world.b_manager)
    for transfer in (level_1, from_file):
        assert world.b_manager.user.has_perm("continuity.review_transfer", transfer)
        assert not world.b_counsellor.user.has_perm("continuity.review_transfer", transfer)
        assert manager.get(f"/transferts/{transfer.pk}/").status_code == 200
    assert set(
        TransferUserPermission.objects.filter(user=world.b_manager.user).values_list(
            "content_object_id", flat=True
        )
    ) == {level_1.pk, from_file.pk}


def test_both_ways_refuse_a_transfer_without_consent_and_save_nothing(world):
    with pytest.raises(ValidationError) as at_level_1:
        world.route(evidence="  ")
    with pytest.raises(ValidationError) as from_file:
        world.propose(evidence="", ask_in_space=False)
    assert at_level_1.value.message_dict == {"consent_evidence": [CONSENT_REQUIRED]}
    assert from_file.value.message_dict == {"consent_evidence": [CONSENT_REQUIRED]}
    assert not Transfer.objects.exists()
    assert not TransferStatusChange.objects.exists()
    assert not Consent.objects.exists()
    assert not Routing.objects.exists()
    assert not AuditEvent.objects.filter(
        object_type__in=["continuity.transfer", "accueil.routing"]
    ).exists()


def test_the_pages_and_the_api_give_the_same_message(world, login_as):
    client = login_as(world.counsellor)
    page = client.post(
        reverse("accueil:routing", kwargs={"intakerequest_pk": world.intake.pk}),
        {"target": world.structure.pk, "reason": REASON, "consent_evidence": ""},
    )
    assert page.status_code == 400
    assert CONSENT_REQUIRED.replace("'", "&#x27;") in page.content.decode()
    api = token_client(world.counsellor)
    refused = api.post(
        "/api/v1/routings/",
        {"parcours": world.level_1.pk, "target": world.structure.pk, "reason": REASON},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"consent_evidence": [CONSENT_REQUIRED]}
    assert not Transfer.objects.exists() and not Routing.objects.exists()


def test_from_the_file_without_consent_the_person_is_asked_and_nothing_leaves(world):
    """The file may wait for the person's answer in their space: the same rule lets nothing
    leave before it (the level-1 orientation, made with the person at the desk, does not wait)."""
    transfer = world.propose(evidence="")
    assert (transfer.status, transfer.consent_id, transfer.sent_at) == (
        Transfer.Status.AWAITING_CONSENT,
        None,
        None,
    )
    assert (transfer.liaison, transfer.person) == ([], {})
    assert not Consent.objects.exists()
    assert not TransferUserPermission.objects.exists()


def test_withdrawing_consent_ends_both_the_same_way(world):
    routing = world.route()
    from_file = world.propose()
    for parcours in (world.level_1, world.file):
        account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)
        with scope(operator=world.a.pk):
            space_services.set_consent_from_space(
                account=account, purpose=Consent.Purpose.SHARE_WITH_OPERATOR, given=False
            )
    routing.refresh_from_db()
    for transfer in (routing.transfer, from_file):
        transfer.refresh_from_db()
        assert transfer.status == Transfer.Status.CANCELLED
        assert [(s.status, s.note) for s in transfer.history.all()][-1] == (
            "annule",
            "La personne a retiré son accord au partage de son dossier",
        )
    assert not TransferUserPermission.objects.exists()
    assert routing.status == Routing.Status.CONSENT_WITHDRAWN
    assert not RoutingStatusChange.objects.exists()
    with pytest.raises(ValidationError) as error:
        accueil_services.change_routing_status(
            membership=world.counsellor, routing=routing, status=Routing.Status.ACCEPTED
        )
    assert error.value.message_dict == {
        "status": [
            "La personne a retiré son accord au partage de son dossier : ce transfert ne peut "
            "plus avancer."
        ]
    }


def test_the_receiving_operator_decides_and_the_orientation_follows(world, login_as):
    routing = world.route()
    manager = login_as(world.b_manager)
    response = manager.post(
        f"/transferts/{routing.transfer_id}/",
        {"action": "refuser", "refuser-reason": "Pas de place avant six mois."},
    )
    assert response.status_code == 302
    routing.refresh_from_db()
    assert routing.status == Routing.Status.REFUSED
    assert [(s.status, s.note) for s in routing.transfer.history.all()] == [
        ("attente_accord", "Transfert proposé"),
        ("en_attente", "Envoyé avec l'accord de la personne"),
        ("refuse", "Refusé par Opérateur Accueil : Pas de place avant six mois."),
    ]
    # The counsellor does not decide in the receiving operator's place.
    with pytest.raises(ValidationError) as error:
        accueil_services.change_routing_status(
            membership=world.counsellor, routing=routing, status=Routing.Status.ACCEPTED
        )
    assert "décision de l'opérateur d'accueil" in error.value.message_dict["status"][0]


def test_an_accepted_level_1_transfer_is_accepted_at_level_1(world):
    routing = world.route()
    with scope(operator=world.b.pk):
        received = continuity_services.accept_transfer(
            membership=world.b_manager, transfer_id=routing.transfer_id, referent=world.b_counsellor
        )
    routing.refresh_from_db()
    assert routing.status == Routing.Status.ACCEPTED
    assert (received.operator_id, received.entry_level) == (world.b.pk, 1)


def test_one_transfer_under_way_per_parcours_whichever_way(world):
    world.route()
    with pytest.raises(ValidationError) as error:
        world.route()
    assert error.value.message_dict == {
        "target": ["Un transfert de ce parcours est déjà en cours."]
    }
    assert Routing.objects.count() == 1 and Transfer.objects.count() == 1


def test_the_request_page_shows_the_transfer_history(world, login_as):
    routing = world.route()
    page = (
        login_as(world.counsellor)
        .get(reverse("accueil:request_detail", kwargs={"intakerequest_pk": world.intake.pk}))
        .content.decode()
    )
    assert "Envoyé avec l&#x27;accord de la personne" in page
    assert "Suivre le transfert" in page
    # Its status is not the counsellor's to set.
    assert reverse("accueil:routing_status", kwargs={"routing_pk": routing.pk}) not in page
