"""The header search (cep.search): a hand-written table of queries and the files each finds,
through the page and the real lookup (the PostgreSQL function under row-level security); another
operator's counsellor finds nothing; the number of queries stays fixed as rows grow."""

from datetime import date

import pytest
from django.urls import reverse

from cep.models import Parcours
from tests.accueil.factories import (
    InformationSessionFactory,
    IntakeRequestFactory,
    SessionRegistrationFactory,
)
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


@pytest.fixture
def people():
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)

    def person(first, last, **extra):
        return BeneficiaryFactory(operator=operator, first_name=first, last_name=last, **extra)

    found = {
        "eloise": person(
            "Éloïse", "Lefèvre", email="eloise.lefevre@exemple.fr", phone="06 12 34 56 78"
        ),
        "karine": person("Karine", "Dupont", france_travail_id="1234567A", phone="0478123456"),
        "marc": person("Marc", "Dupond", birth_date=date(1970, 1, 2)),
        "noemie": person("Noémie", "Ngoumou"),
    }
    return operator, counsellor, found


def names(answer, group):
    results = answer.context["results"]
    for result_group in results.groups:
        if result_group.key == group:
            return [hit.label for hit in result_group.hits]
    raise AssertionError(f"no group {group}")


# (typed, the beneficiaries found, best first)
TABLE = [
    ("Lefèvre", ["Éloïse Lefèvre"]),
    ("lefevre", ["Éloïse Lefèvre"]),
    ("LEFEVRE", ["Éloïse Lefèvre"]),
    ("eloise lefevre", ["Éloïse Lefèvre"]),
    ("Lefevre Eloise", ["Éloïse Lefèvre"]),
    ("lefvre", ["Éloïse Lefèvre"]),  # a letter missing
    ("Lefebvre", ["Éloïse Lefèvre"]),  # spelt another way
    ("ngoumu", ["Noémie Ngoumou"]),
    ("Dupont", ["Karine Dupont", "Marc Dupond"]),  # the exact name first, the typo next
    ("dupond", ["Marc Dupond", "Karine Dupont"]),
    ("ELOISE.LEFEVRE@exemple.fr", ["Éloïse Lefèvre"]),
    ("06 12 34 56 78", ["Éloïse Lefèvre"]),
    ("0612345678", ["Éloïse Lefèvre"]),
    ("06.12.34.56.78", ["Éloïse Lefèvre"]),
    ("+33 6 12 34 56 78", ["Éloïse Lefèvre"]),
    ("0033612345678", ["Éloïse Lefèvre"]),
    ("04 78 12 34 56", ["Karine Dupont"]),
    ("1234567A", ["Karine Dupont"]),
    ("1234 567a", ["Karine Dupont"]),
    ("Martin", []),
    ("07 00 00 00 09", []),
    ("autre@exemple.fr", []),
    ("x", []),
]


@pytest.mark.parametrize(("typed", "expected"), TABLE)
def test_the_table_of_queries(people, login_as, typed, expected):
    _operator, counsellor, _found = people
    answer = login_as(counsellor).get(SEARCH, {"q": typed})
    assert answer.status_code == 200
    if typed == "x":
        assert answer.context["results"].groups == []
        assert "Saisissez au moins deux caractères" in answer.content.decode()
    else:
        assert names(answer, "beneficiaires") == expected


def test_the_file_number(people, login_as):
    _operator, counsellor, found = people
    client = login_as(counsellor)
    for typed in (str(found["marc"].pk), f"n° {found['marc'].pk}"):
        answer = client.get(SEARCH, {"q": typed})
        assert names(answer, "beneficiaires") == ["Marc Dupond"]
    page = client.get(SEARCH, {"q": str(found["marc"].pk)}).content.decode()
    assert f"Dossier n° {found['marc'].pk} — né(e) le 02/01/1970" in page


def test_a_merged_file_is_not_found(people, login_as):
    _operator, counsellor, found = people
    found["marc"].merged_into = found["karine"]
    found["marc"].save()
    answer = login_as(counsellor).get(SEARCH, {"q": "dupond"})
    assert names(answer, "beneficiaires") == ["Karine Dupont"]


def test_requests_and_sessions_are_grouped(people, login_as):
    operator, counsellor, found = people
    parcours = ParcoursFactory(operator=operator, beneficiary=found["eloise"], referent=counsellor)
    request = IntakeRequestFactory(parcours=parcours, received_on=date(2026, 3, 2))
    attended = InformationSessionFactory(operator=operator, theme="Se reconvertir après 45 ans")
    SessionRegistrationFactory(session=attended, beneficiary=found["eloise"])
    InformationSessionFactory(operator=operator, theme="Créer son entreprise")
    by_theme = InformationSessionFactory(operator=operator, theme="Découvrir la VAE")
    client = login_as(counsellor)

    answer = client.get(SEARCH, {"q": "lefevre"})
    assert names(answer, "demandes") == ["Demande du 02/03/2026 — Éloïse Lefèvre"]
    assert names(answer, "sessions") == ["Se reconvertir après 45 ans"]
    page = answer.content.decode()
    assert reverse("accueil:request_detail", args=[request.pk]) in page
    assert reverse("accueil:session_detail", args=[attended.pk]) in page
    assert page.index("Bénéficiaires (1)") < page.index("Demandes (1)")
    assert page.index("Demandes (1)") < page.index("Sessions collectives (1)")

    answer = client.get(SEARCH, {"q": "VAE"})
    assert names(answer, "beneficiaires") == []
    assert names(answer, "sessions") == ["Découvrir la VAE"]
    assert reverse("accueil:session_detail", args=[by_theme.pk]) in answer.content.decode()


def test_enter_from_the_header_opens_the_first_result(people, login_as):
    _operator, counsellor, found = people
    client = login_as(counsellor)
    answer = client.get(SEARCH, {"q": "lefevre", "premier": "1"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("beneficiary_detail", args=[found["eloise"].pk])
    # Nothing found: the page says so instead of leading nowhere.
    answer = client.get(SEARCH, {"q": "Martin", "premier": "1"})
    assert answer.status_code == 200
    assert "Aucun résultat pour « Martin »." in answer.content.decode()


def test_the_header_holds_the_search_on_staff_pages(people, login_as):
    _operator, counsellor, _found = people
    page = login_as(counsellor).get(reverse("caseload")).content.decode()
    assert 'id="recherche-entete"' in page
    assert f'action="{SEARCH}"' in page


def test_another_operators_counsellor_finds_nothing(people, login_as):
    operator, counsellor, found = people
    parcours = ParcoursFactory(operator=operator, beneficiary=found["eloise"], referent=counsellor)
    IntakeRequestFactory(parcours=parcours)
    session = InformationSessionFactory(operator=operator, theme="Lefèvre et la VAE")
    SessionRegistrationFactory(session=session, beneficiary=found["eloise"])
    other = make_membership(operator=OperatorFactory())
    client = login_as(other)
    for typed in (
        "lefevre",
        "eloise.lefevre@exemple.fr",
        "06 12 34 56 78",
        "1234567A",
        str(found["eloise"].pk),
        "VAE",
    ):
        answer = client.get(SEARCH, {"q": typed})
        assert answer.status_code == 200
        assert answer.context["results"].count == 0, typed
        assert "Lefèvre" not in answer.content.decode().replace(f"« {typed} »", "")
        answer = client.get(SEARCH, {"q": typed, "premier": "1"})
        assert answer.status_code == 200


def test_a_beneficiary_or_an_anonymous_visitor_has_no_search(people, client):
    answer = client.get(SEARCH, {"q": "lefevre"})
    assert answer.status_code in (302, 404)
    assert "Lefèvre" not in answer.content.decode()


def grow(operator, counsellor, rows):
    for index in range(rows):
        person = BeneficiaryFactory(operator=operator, first_name="Paul", last_name="Lefèvre")
        parcours = ParcoursFactory(operator=operator, beneficiary=person, referent=counsellor)
        IntakeRequestFactory(parcours=parcours)
        session = InformationSessionFactory(operator=operator, theme=f"Lefèvre {index}")
        SessionRegistrationFactory(session=session, beneficiary=person)


# The middleware's own queries (session, user, membership, permissions, scope...), then the
# search's four: the beneficiaries' ids, their rows, the requests, the sessions.
QUERIES = 10


@pytest.mark.parametrize("rows", [1, 8])
def test_a_fixed_number_of_queries(people, login_as, django_assert_num_queries, rows):
    operator, counsellor, _found = people
    grow(operator, counsellor, rows)
    client = login_as(counsellor)
    client.get(reverse("caseload"))  # the session's first page is behind
    with django_assert_num_queries(QUERIES):
        answer = client.get(SEARCH, {"q": "lefevre"})
    assert len(names(answer, "beneficiaires")) == rows + 1
    assert len(names(answer, "demandes")) == rows
    assert Parcours.objects.count() == rows
