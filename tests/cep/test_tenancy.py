"""Memberships, roles as guardian permissions, the switcher, and who sees which pages."""

import pytest
from django.urls import reverse
from django_scopes import scope
from guardian.shortcuts import get_perms

from cep import services
from cep.models import AuditEvent, Membership
from tests.factories import BeneficiaryFactory, OperatorFactory, UserFactory, make_membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("conseiller", {"counsel_beneficiaries"}),
        ("manager", {"counsel_beneficiaries", "review_caseload"}),
        ("admin", {"counsel_beneficiaries", "review_caseload", "manage_operator"}),
    ],
)
def test_roles_become_permissions_on_the_operator_only(role, expected):
    mine, other = OperatorFactory(), OperatorFactory()
    membership = make_membership(operator=mine, role=role)
    assert set(get_perms(membership.user, mine)) == expected
    assert get_perms(membership.user, other) == []


def test_changing_a_role_replaces_its_permissions():
    operator = OperatorFactory()
    membership = make_membership(operator=operator, role="admin")
    services.grant_membership(operator=operator, user=membership.user, role="conseiller")
    assert set(get_perms(membership.user, operator)) == {"counsel_beneficiaries"}


def test_switcher_changes_the_operator_the_user_acts_for(client):
    user = UserFactory()
    first = make_membership(operator=OperatorFactory(name="Alpha"), user=user)
    second = make_membership(operator=OperatorFactory(name="Bravo"), user=user)
    theirs = BeneficiaryFactory(operator=second.operator)
    client.force_login(user)
    # Alpha comes first by name; Bravo's file is not reachable from there.
    assert client.get(reverse("switch_membership")).status_code == 200
    detail = reverse("beneficiary_detail", kwargs={"beneficiary_pk": theirs.pk})
    assert client.get(detail).status_code == 404
    client.post(reverse("switch_membership"), {"membership": second.pk})
    assert client.get(detail).status_code == 200
    assert first.pk != second.pk


def test_switcher_refuses_a_membership_of_someone_else(client):
    user = UserFactory()
    make_membership(operator=OperatorFactory(), user=user)
    make_membership(operator=OperatorFactory(), user=user)
    stranger = make_membership(operator=OperatorFactory())
    client.force_login(user)
    response = client.post(reverse("switch_membership"), {"membership": stranger.pk})
    assert response.status_code == 404
    assert client.post(reverse("switch_membership"), {"membership": "x"}).status_code == 404


def test_user_without_membership_gets_404_on_staff_pages(client):
    beneficiary = BeneficiaryFactory()
    client.force_login(UserFactory())
    for url in (
        reverse("caseload"),
        reverse("beneficiary_create"),
        reverse("beneficiary_detail", kwargs={"beneficiary_pk": beneficiary.pk}),
        "/api/v1/beneficiaries/",
    ):
        assert client.get(url).status_code == 404, url


def test_deactivated_membership_loses_access(client, login_as):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    admin = make_membership(operator=operator, role=Membership.Role.ADMIN)
    services.deactivate_membership(membership=membership, deactivated_by=admin)
    client.force_login(membership.user)
    assert client.get(reverse("caseload")).status_code == 404


def test_admin_site_exists_only_for_platform_staff(client, login_as):
    operator = OperatorFactory()
    BeneficiaryFactory(operator=operator, last_name="Visible")
    assert client.get("/admin/").status_code == 404
    login_as(make_membership(operator=operator, role=Membership.Role.ADMIN))
    assert client.get("/admin/").status_code == 404
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/cep/beneficiary/")
    assert response.status_code == 200
    assert "Visible" in response.content.decode()


def test_reading_a_file_is_audited(login_as):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    beneficiary = BeneficiaryFactory(operator=operator)
    client = login_as(membership)
    client.get(reverse("beneficiary_detail", kwargs={"beneficiary_pk": beneficiary.pk}))
    client.get(f"/api/v1/beneficiaries/{beneficiary.pk}/")
    with scope(operator=operator.pk):
        events = list(AuditEvent.objects.filter(beneficiary=beneficiary).order_by("at"))
    assert [(e.action, e.membership_id, e.object_id) for e in events] == [
        ("read", membership.pk, str(beneficiary.pk)),
        ("read", membership.pk, str(beneficiary.pk)),
    ]
    assert events[0].ip_address == "127.0.0.1"


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
