"""Every answer to a signed-in person says `Cache-Control: private, no-store`: HTML, JSON, CSV,
XLSX, PDF and ZIP alike, so neither a shared computer's browser nor a proxy keeps a copy.

The URL list comes from walking the resolver (as the isolation walk does), so a new page is
checked without editing this file. Each route is requested by people who may open it: the staff
of the operator that owns the objects named in the URL (every role), the person in their own
space, and a coordinator.
"""

import pytest
from django.test import Client

from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from cep.models import Membership
from tests.factories import CoordinatorFactory, make_membership
from tests.second_factor import verify_second_factor
from tests.test_isolation_walk import all_routes, concrete_url, world  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(user, membership=None) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    if membership is not None:
        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
    verify_second_factor(session, user)
    session.save()
    return client


def test_every_answer_to_a_signed_in_person_is_private_and_not_stored(world):  # noqa: F811
    objects = world["b_objects"]
    operator = objects[Membership].operator
    clients = {
        "conseiller": signed_in(objects[Membership].user, objects[Membership]),
        "beneficiary": signed_in(world["account_a"].user),
        "coordinator": signed_in(CoordinatorFactory(region=operator.region).user),
    }
    for role in (Membership.Role.MANAGER, Membership.Role.ADMIN):
        member = make_membership(operator=operator, role=role)
        clients[role] = signed_in(member.user, member)

    answered, pages_with_data, stored = 0, 0, []
    for route in all_routes():
        if route.template.startswith(("admin/", "deconnexion")):
            continue
        url, _ = concrete_url(route, objects)
        for who, client in clients.items():
            response = client.get(url)
            answered += 1
            if response.status_code == 200:
                pages_with_data += 1
            cache_control = response.get("Cache-Control", "")
            if not ("no-store" in cache_control and "private" in cache_control):
                stored.append(f"{who} GET {url} → {response.status_code} {cache_control!r}")
    assert stored == []
    # The walk really opened pages (a walk of redirects alone would prove nothing).
    assert pages_with_data >= 60, pages_with_data
    assert answered >= 5 * 100
