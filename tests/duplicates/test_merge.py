"""The merge of two files of one operator: every row moves, in one transaction, or nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accueil.models import SessionRegistration
from cep.continuity.models import Transfer
from cep.duplicates import services
from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import (
    AuditEvent,
    BeneficiaryAccount,
    Consent,
    Membership,
    Parcours,
    Service,
)
from cep.space.models import BeneficiaryRequest, Invitation
from tests.accueil.factories import SessionRegistrationFactory
from tests.duplicates.factories import DistinctPersonConfirmationFactory
from tests.factories import (
    AuditEventFactory,
    BeneficiaryAccountFactory,
    BeneficiaryFactory,
    BeneficiaryRequestFactory,
    ConsentFactory,
    InvitationFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    TransferFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db

KARINE = {"first_name": "Karine", "last_name": "Lemoine", "birth_date": date(1985, 3, 14)}


@pytest.fixture
def files():
    """Two files of one person: the kept one with an open parcours (2 services) and a consent;
    the other with a closed parcours (3 services), two consents (one the transfer's), the
    account, an invitation, a request, a refused transfer, a session registration, a
    counsellor's "another person" against a third file, and an audit event."""
    operator = OperatorFactory()
    with scopes_disabled():
        manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
        kept = BeneficiaryFactory(operator=operator, **KARINE)
        merged = BeneficiaryFactory(operator=operator, **{**KARINE, "last_name": "Lemoinne"})
        third = BeneficiaryFactory(operator=operator, first_name="Julie", last_name="Lemoine")
        open_parcours = ParcoursFactory(beneficiary=kept)
        ServiceFactory.create_batch(2, parcours=open_parcours)
        ConsentFactory(beneficiary=kept)
        closed = ParcoursFactory(beneficiary=merged, closed=True)
        ServiceFactory.create_batch(3, parcours=closed)
        ConsentFactory(beneficiary=merged)
        BeneficiaryAccountFactory(beneficiary=merged)
        InvitationFactory(beneficiary=merged)
        BeneficiaryRequestFactory(beneficiary=merged)
        TransferFactory(
            parcours=closed, status=Transfer.Status.REFUSED, refusal_reason="Hors secteur."
        )
        SessionRegistrationFactory(operator=operator, beneficiary=merged)
        DistinctPersonConfirmationFactory(beneficiary=third, other=merged)
        AuditEventFactory(operator=operator, beneficiary=merged, membership=manager)
    return operator, manager, kept, merged


def counts(beneficiary):
    return {
        "parcours": Parcours.objects.filter(beneficiary=beneficiary).count(),
        "services": Service.objects.filter(parcours__beneficiary=beneficiary).count(),
        "consents": Consent.objects.filter(beneficiary=beneficiary).count(),
        "account": BeneficiaryAccount.objects.filter(beneficiary=beneficiary).count(),
        "invitations": Invitation.objects.filter(beneficiary=beneficiary).count(),
        "requests": BeneficiaryRequest.objects.filter(beneficiary=beneficiary).count(),
        "transfers": Transfer.objects.filter(beneficiary=beneficiary).count(),
        "registrations": SessionRegistration.objects.filter(beneficiary=beneficiary).count(),
        "distinct": DistinctPersonConfirmation.objects.filter(other=beneficiary).count(),
    }


BEFORE_KEPT = {
    "parcours": 1,
    "services": 2,
    "consents": 1,
    "account": 0,
    "invitations": 0,
    "requests": 0,
    "transfers": 0,
    "registrations": 0,
    "distinct": 0,
}
BEFORE_MERGED = {
    "parcours": 1,
    "services": 3,
    "consents": 2,
    "account": 1,
    "invitations": 1,
    "requests": 1,
    "transfers": 1,
    "registrations": 1,
    "distinct": 1,
}
NOTHING = dict.fromkeys(BEFORE_KEPT, 0)


def test_the_merge_keeps_every_row(files):
    operator, manager, kept, merged = files
    with scope(operator=operator.pk):
        assert counts(kept) == BEFORE_KEPT
        assert counts(merged) == BEFORE_MERGED
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
        assert counts(kept) == {
            "parcours": 2,
            "services": 5,
            "consents": 3,
            "account": 1,
            "invitations": 1,
            "requests": 1,
            "transfers": 1,
            "registrations": 1,
            "distinct": 1,
        }
        assert counts(merged) == NOTHING
        merged.refresh_from_db()
        assert merged.merged_into_id == kept.pk
        assert merged.merged_at is not None
        # Audited on both files; the tombstone's older event stays on its own id (append-only)
        # and shows on the kept file's access log.
        merges = AuditEvent.objects.filter(action=AuditEvent.Action.MERGE)
        assert sorted(merges.values_list("beneficiary_id", flat=True)) == sorted(
            [kept.pk, merged.pk]
        )
        from cep.selectors import access_log

        logged = {(e.beneficiary_id, e.action) for e in access_log(kept)}
        assert logged == {
            (kept.pk, AuditEvent.Action.MERGE),
            (merged.pk, AuditEvent.Action.MERGE),
            (merged.pk, AuditEvent.Action.READ),
        }


def test_the_merge_is_atomic_when_it_fails_half_way(files, monkeypatch):
    operator, manager, kept, merged = files
    moved = []
    real_move = services.move_references

    def failing(relation, **kwargs):
        if len(moved) == 3:
            raise RuntimeError("panne simulée au milieu de la fusion")
        moved.append(relation)
        return real_move(relation, **kwargs)

    monkeypatch.setattr(services, "move_references", failing)
    with scope(operator=operator.pk):
        with pytest.raises(RuntimeError, match="panne simulée"):
            services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
        assert len(moved) == 3
        assert counts(kept) == BEFORE_KEPT
        assert counts(merged) == BEFORE_MERGED
        merged.refresh_from_db()
        assert merged.merged_into_id is None
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.MERGE).exists()


def test_the_merge_is_refused_across_operators(files):
    operator, manager, kept, _ = files
    with scopes_disabled():
        elsewhere = BeneficiaryFactory(**KARINE)
    with scope(operator=operator.pk), pytest.raises(ValidationError) as refusal:
        services.merge_beneficiaries(membership=manager, kept=kept, merged=elsewhere)
    assert refusal.value.messages == [services.OTHER_OPERATOR]


def test_the_merge_is_refused_when_both_have_an_account(files):
    operator, manager, kept, merged = files
    with scopes_disabled():
        BeneficiaryAccountFactory(beneficiary=kept)
    with scope(operator=operator.pk), pytest.raises(ValidationError) as refusal:
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
    assert refusal.value.messages == [services.TWO_ACCOUNTS]
    with scope(operator=operator.pk):
        assert counts(merged) == BEFORE_MERGED


def test_the_merge_is_refused_while_a_transfer_is_pending(files):
    operator, manager, kept, merged = files
    with scopes_disabled():
        TransferFactory(parcours=kept.parcours.get(), status=Transfer.Status.PENDING)
    with scope(operator=operator.pk), pytest.raises(ValidationError) as refusal:
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
    assert refusal.value.messages == [services.PENDING]


def test_the_merge_is_refused_when_both_parcours_are_open(files):
    operator, manager, kept, merged = files
    with scopes_disabled():
        ParcoursFactory(beneficiary=merged)
    with scope(operator=operator.pk), pytest.raises(ValidationError) as refusal:
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
    assert refusal.value.messages == [services.TWO_OPEN_PARCOURS]


def test_a_tombstone_redirects_to_the_kept_file(login_as, files):
    operator, manager, kept, merged = files
    with scope(operator=operator.pk):
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
    client = login_as(manager)
    response = client.get(reverse("beneficiary_detail", kwargs={"beneficiary_pk": merged.pk}))
    assert response.status_code == 302
    assert response.url == reverse("beneficiary_detail", kwargs={"beneficiary_pk": kept.pk})
    response = client.get(reverse("beneficiary_update", kwargs={"beneficiary_pk": merged.pk}))
    assert response.url == reverse("beneficiary_update", kwargs={"beneficiary_pk": kept.pk})
    response = client.get(reverse("beneficiary_access_log", kwargs={"beneficiary_pk": merged.pk}))
    assert response.url == reverse("beneficiary_access_log", kwargs={"beneficiary_pk": kept.pk})
    # A small form of the file (here the invitation to the space) does nothing on a tombstone.
    response = client.post(reverse("beneficiary_invite", kwargs={"beneficiary_pk": merged.pk}))
    assert response.url == reverse("beneficiary_detail", kwargs={"beneficiary_pk": kept.pk})
    with scope(operator=operator.pk):
        assert Invitation.objects.filter(beneficiary=kept).count() == 1  # the one moved


def test_the_merge_of_200_services_each_takes_a_bounded_number_of_queries(
    files, django_assert_max_num_queries
):
    operator, manager, kept, merged = files
    with scopes_disabled():
        ServiceFactory.create_batch(198, parcours=kept.parcours.get())
        ServiceFactory.create_batch(197, parcours=merged.parcours.get())
    tables = len(services.moved_relations())
    with scope(operator=operator.pk):
        assert Service.objects.filter(parcours__beneficiary=kept).count() == 200
        assert Service.objects.filter(parcours__beneficiary=merged).count() == 200
        with django_assert_max_num_queries(10 + tables):
            services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
        assert Service.objects.filter(parcours__beneficiary=kept).count() == 400


def test_the_api_leads_from_a_tombstone_to_the_kept_file(login_as, files):
    operator, manager, kept, merged = files
    with scope(operator=operator.pk):
        services.merge_beneficiaries(membership=manager, kept=kept, merged=merged)
    client = login_as(manager)
    response = client.get(f"/api/v1/beneficiaries/{merged.pk}/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/v1/beneficiaries/{kept.pk}/")
    assert response.json()["merged_into"] == kept.pk
    listed = [row["id"] for row in client.get("/api/v1/beneficiaries/").json()["results"]]
    assert kept.pk in listed and merged.pk not in listed
    answer = client.patch(
        f"/api/v1/beneficiaries/{merged.pk}/",
        {"postcode": "69003"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert f"fusionné dans le dossier n° {kept.pk}" in str(answer.json())
