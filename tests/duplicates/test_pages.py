"""The managers' list of likely duplicates and the merge page."""

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from cep.duplicates import selectors
from cep.duplicates.matching import (
    SAME_EMAIL,
    SAME_FRANCE_TRAVAIL_ID,
    SAME_NAME_AND_BIRTH,
    SAME_PHONE,
)
from cep.models import AuditEvent, Beneficiary, Membership
from tests.duplicates.factories import DistinctPersonConfirmationFactory
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

LIST = reverse("manager_duplicates")


@pytest.fixture
def operator():
    return OperatorFactory()


@pytest.fixture
def manager(operator):
    return make_membership(operator=operator, role=Membership.Role.MANAGER)


def person(operator, first, last, born, **extra):
    with scopes_disabled():
        return BeneficiaryFactory(
            operator=operator, first_name=first, last_name=last, birth_date=born, **extra
        )


def test_the_list_shows_the_operators_likely_pairs_with_why(operator):
    karine = person(operator, "Karine", "Lemoine", date(1985, 3, 14))
    typo = person(operator, "Karine", "Lemoinne", date(1985, 3, 14))
    person(operator, "Julie", "Lemoine", date(1985, 3, 14))  # her twin: no pair
    paul = person(operator, "Paul", "Durand", date(1970, 1, 1), email="p.durand@exemple.fr")
    pierre = person(operator, "Pierre", "Durand", date(1971, 1, 1), email="P.Durand@exemple.fr")
    sam = person(operator, "Sam", "Roux", date(1990, 5, 5), phone="06 11 22 33 44")
    sami = person(operator, "Sami", "Rouxel", date(1991, 5, 5), phone="+33611223344")
    # Said to be two persons at the intake: not proposed again.
    lea = person(operator, "Léa", "Martin", date(1992, 2, 2))
    leah = person(operator, "Lea", "Martin", date(1992, 2, 2))
    with scopes_disabled():
        DistinctPersonConfirmationFactory(beneficiary=leah, other=lea)
    # Another operator's look-alike is never paired.
    person(OperatorFactory(), "Karine", "Lemoine", date(1985, 3, 14))
    with scope(operator=operator.pk):
        pairs = selectors.likely_duplicates(operator_id=operator.pk)
    assert [(p.first.pk, p.second.pk, p.reasons) for p in pairs] == [
        (sam.pk, sami.pk, [SAME_PHONE]),
        (paul.pk, pierre.pk, [SAME_EMAIL]),
        (karine.pk, typo.pk, [SAME_NAME_AND_BIRTH]),
    ]


def test_the_list_page_queries_do_not_grow_with_the_pairs(
    login_as, operator, manager, django_assert_num_queries
):
    client = login_as(manager)
    person(operator, "Karine", "Lemoine", date(1985, 3, 14))
    person(operator, "Karine", "Lemoinne", date(1985, 3, 14))
    # The session, the user, the memberships, the roles, the pairs (in a savepoint, with the
    # transaction's settings), the files, the page's audit event.
    with django_assert_num_queries(11) as one:
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count("?avec=") == 1
    for n in range(5):
        person(operator, f"Jean{n}", "Dupont", date(1960, 1, 1 + n), email=f"j{n}@exemple.fr")
        person(operator, f"Jeanne{n}", "Durand", date(1961, 1, 1 + n), email=f"J{n}@exemple.fr")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LIST)
    assert response.content.decode().count("?avec=") == 6


def test_a_counsellor_does_not_see_the_list(login_as, operator):
    counsellor = make_membership(operator=operator)
    assert login_as(counsellor).get(LIST).status_code == 404


def test_the_merge_page_compares_and_merges(login_as, operator, manager):
    kept = person(operator, "Karine", "Lemoine", date(1985, 3, 14), email="k@exemple.fr")
    other = person(operator, "Karine", "Lemoinne", date(1985, 3, 14))
    with scopes_disabled():
        ParcoursFactory(beneficiary=other, referent=manager)
    client = login_as(manager)
    listing = client.get(LIST).content.decode()
    url = reverse("manager_merge", kwargs={"beneficiary_pk": kept.pk}) + f"?avec={other.pk}"
    assert url.replace("?", "?") in listing
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "k@exemple.fr" in html and "Karine Lemoinne" in html
    # No choice: nothing is merged, the reason is said.
    answer = client.post(url, {"avec": other.pk})
    assert answer.status_code == 400
    assert "Choisissez le dossier à conserver." in answer.content.decode()
    answer = client.post(url, {"avec": other.pk, "conserve": kept.pk})
    assert answer.status_code == 302
    assert answer.url == reverse("beneficiary_detail", kwargs={"beneficiary_pk": kept.pk})
    with scopes_disabled():
        other.refresh_from_db()
        assert other.merged_into_id == kept.pk
        assert kept.parcours.count() == 1
        assert AuditEvent.objects.filter(action=AuditEvent.Action.MERGE).count() == 2
    # The pair is gone from the list; the tombstone's page leads to the kept file.
    assert "?avec=" not in client.get(LIST).content.decode()


def test_the_merge_page_says_why_a_merge_is_refused(login_as, operator, manager):
    first = person(operator, "Karine", "Lemoine", date(1985, 3, 14))
    second = person(operator, "Karine", "Lemoinne", date(1985, 3, 14))
    with scopes_disabled():
        ParcoursFactory(beneficiary=first, referent=manager)
        ParcoursFactory(beneficiary=second, referent=manager)
    client = login_as(manager)
    url = reverse("manager_merge", kwargs={"beneficiary_pk": first.pk})
    answer = client.post(url, {"avec": second.pk, "conserve": second.pk})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Les deux dossiers ont chacun un parcours en cours" in html
    assert f'value="{second.pk}" checked' in html
    with scopes_disabled():
        assert Beneficiary.objects.filter(merged_into__isnull=False).count() == 0


def test_the_merge_page_queries_are_fixed(login_as, operator, manager, django_assert_num_queries):
    first = person(operator, "Karine", "Lemoine", date(1985, 3, 14))
    second = person(operator, "Karine", "Lemoinne", date(1985, 3, 14))
    client = login_as(manager)
    url = reverse("manager_merge", kwargs={"beneficiary_pk": first.pk}) + f"?avec={second.pk}"
    with django_assert_num_queries(7) as one:
        assert client.get(url).status_code == 200
    with scopes_disabled():
        for _ in range(4):
            ParcoursFactory(beneficiary=first, referent=manager, closed=True)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_list_pairs_the_same_france_travail_id_and_says_so(login_as, operator, manager):
    first = person(operator, "Paul", "Durand", date(1970, 1, 1), france_travail_id="1234567A")
    second = person(operator, "Jean", "Martin", date(1980, 6, 6), france_travail_id="1234567A")
    person(operator, "Anne", "Petit", date(1975, 3, 3), france_travail_id="1234567B")
    person(OperatorFactory(), "Zoé", "Roux", date(1990, 9, 9), france_travail_id="1234567A")
    with scope(operator=operator.pk):
        pairs = selectors.likely_duplicates(operator_id=operator.pk)
    assert [(p.first.pk, p.second.pk, p.reasons) for p in pairs] == [
        (first.pk, second.pk, [SAME_FRANCE_TRAVAIL_ID])
    ]
    html = login_as(manager).get(LIST).content.decode()
    assert "Même identifiant France Travail" in html
