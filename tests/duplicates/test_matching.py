"""The duplicate rule, on a hand-written table of pairs, through the real lookup (the PostgreSQL
function under row-level security), and where it is asked: creating a file (service, page, API)
and the intake."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cep import services
from cep.duplicates import matching
from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import AuditEvent, Beneficiary, Membership, normalize_phone
from cep.registries import PossibleDuplicate
from tests.factories import BeneficiaryFactory, OperatorFactory, make_membership

pytestmark = pytest.mark.django_db

KARINE = {
    "first_name": "Karine",
    "last_name": "Lemoine",
    "birth_date": date(1985, 3, 14),
    "email": "karine.lemoine@exemple.fr",
    "phone": "06 12 34 56 78",
    "france_travail_id": "1234567A",
}
NAME = matching.SAME_NAME_AND_BIRTH
EMAIL = matching.SAME_EMAIL
PHONE = matching.SAME_PHONE
FT_ID = matching.SAME_FRANCE_TRAVAIL_ID
OTHER_DAY = date(1990, 7, 1)

# (typed person, the reasons the existing Karine LEMOINE, 14/03/1985 matches with); [] = no match.
PAIRS = [
    ({"first_name": "Karine", "last_name": "Lemoine", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "KARINE", "last_name": "LEMOINE", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "Karine", "last_name": "Lémoine", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "Karïne", "last_name": "Le Moine", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "Karine", "last_name": "Lemoinne", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "Carine", "last_name": "Lemoine", "birth_date": date(1985, 3, 14)}, [NAME]),
    ({"first_name": "Lemoine", "last_name": "Karine", "birth_date": date(1985, 3, 14)}, [NAME]),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "email": "Karine.LEMOINE@exemple.fr",
        },
        [EMAIL],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "phone": "+33612345678",
        },
        [PHONE],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "phone": "0033 6 12 34 56 78",
        },
        [PHONE],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "phone": "06.12.34.56.78",
        },
        [PHONE],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "phone": "+33 (0)6 12 34 56 78",
        },
        [PHONE],
    ),
    # The same France Travail identifier, whatever the name, the case or the spaces typed.
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "france_travail_id": "1234567A",
        },
        [FT_ID],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "france_travail_id": " 1234 567a ",
        },
        [FT_ID],
    ),
    (
        {**KARINE, "email": "KARINE.lemoine@exemple.fr", "phone": "+33 6 12 34 56 78"},
        [NAME, EMAIL, PHONE, FT_ID],
    ),
    # Another identifier does not part the same name and birth date...
    ({**KARINE, "email": "", "phone": "", "france_travail_id": "7654321B"}, [NAME]),
    # Must not match: a twin sister (same last name and birth date, another first name)...
    ({"first_name": "Julie", "last_name": "Lemoine", "birth_date": date(1985, 3, 14)}, []),
    # ...a namesake born another day, another person with a close phone or another e-mail...
    ({"first_name": "Karine", "last_name": "Lemoine", "birth_date": date(1985, 3, 15)}, []),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "phone": "06 12 34 56 79",
        },
        [],
    ),
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "email": "karine.lemoine@exemple.com",
        },
        [],
    ),
    # ...nor does it match alone: another person whose identifier differs by its last sign...
    (
        {
            "first_name": "Paul",
            "last_name": "Durand",
            "birth_date": OTHER_DAY,
            "france_travail_id": "1234567B",
        },
        [],
    ),
    # ...and someone else entirely, born the same day.
    ({"first_name": "Martine", "last_name": "Lefèvre", "birth_date": date(1985, 3, 14)}, []),
]


@pytest.fixture
def karine():
    operator = OperatorFactory()
    with scopes_disabled():
        existing = BeneficiaryFactory(operator=operator, **KARINE)
    return existing


def label(pair):
    typed, _ = pair
    return " ".join(str(v) for v in typed.values())


@pytest.mark.parametrize(("typed", "reasons"), PAIRS, ids=[label(p) for p in PAIRS])
def test_the_pairs_table(karine, typed, reasons):
    keys = matching.PersonKeys.of(operator_id=karine.operator_id, **typed)
    with scope(operator=karine.operator_id):
        found = matching.candidates(keys)
    assert [(c.beneficiary.pk, c.reasons) for c in found] == (
        [(karine.pk, reasons)] if reasons else []
    )
    # The rule in Python (the demo's SQLite, and the reasons shown) says the same.
    assert matching.match_reasons(keys, matching.PersonKeys.of_beneficiary(karine)) == reasons


def test_another_operators_file_is_never_a_candidate(karine):
    elsewhere = OperatorFactory()
    keys = matching.PersonKeys.of(operator_id=elsewhere.pk, **KARINE)
    with scope(operator=elsewhere.pk):
        assert matching.candidates(keys) == []
    # Even asked for the other operator's id, the function answers only inside its scope.
    keys = matching.PersonKeys.of(operator_id=karine.operator_id, **KARINE)
    with scope(operator=elsewhere.pk):
        assert matching.candidate_ids(keys) == []


def test_tombstones_and_anonymised_files_are_not_candidates(karine):
    with scopes_disabled():
        kept = BeneficiaryFactory(operator=karine.operator, first_name="Zoé", last_name="Ab")
        Beneficiary.objects.filter(pk=karine.pk).update(merged_into=kept)
    keys = matching.PersonKeys.of(operator_id=karine.operator_id, **KARINE)
    with scope(operator=karine.operator_id):
        assert matching.candidates(keys) == []


def test_phones_are_normalised_to_e164():
    assert normalize_phone("06 12 34 56 78") == "+33612345678"
    assert normalize_phone("0033 6 12 34 56 78") == "+33612345678"
    assert normalize_phone("+33 (0)6 12 34 56 78") == "+33612345678"
    assert normalize_phone("01-23-45-67-89") == "+33123456789"
    assert normalize_phone("0692 12 34 56") == "+262692123456"  # La Réunion, dialled nationally
    assert normalize_phone("+32 470 12 34 56") == "+32470123456"
    assert normalize_phone("") == ""
    assert normalize_phone("pas de téléphone") == ""


def test_the_python_similarity_is_pg_trgm(karine):
    names = ["lemoine karine", "lemoinne karine", "lemoine julie", "le moine karine", "ab"]
    with connection.cursor() as cursor:
        for other in names:
            cursor.execute("SELECT similarity(%s, %s)", ["lemoine karine", other])
            expected = cursor.fetchone()[0]
            assert matching.name_similarity("lemoine karine", other) == pytest.approx(
                expected, abs=1e-6
            )


def test_the_lookup_can_use_the_trigram_index(owner_cursor, transactional_db):
    """EXPLAIN of the installed function's own query, as the owner it runs as (so without the
    policies it does not need) and at its threshold, on an operator of 100,000 files: served
    by the trigram index, the e-mail, the phone and the France Travail identifier's indexes,
    not by reading the operator's files."""
    operator = OperatorFactory()
    owner_cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cep_duplicate_candidates'")
    body = owner_cursor.fetchone()[0]
    owner_cursor.execute("BEGIN")
    owner_cursor.execute(
        """
        INSERT INTO cep_beneficiary (operator_id, first_name, last_name, search_name, sex,
            birth_date, email, phone, phone_e164, postcode, departement, employment_status,
            pcs_group, diploma_level, rqth, qpv_resident, created_at, updated_at,
            france_travail_id)
        SELECT %s, 'Prénom' || g, 'Nom' || g, 'nom' || g || ' prénom' || g, 'F',
            DATE '1960-01-01' + (g * 37 %% 14000), 'p' || g || '@exemple.fr', '', '+336' || g,
            '', '69', 'salarie_cdi', '', '', false, false, now(), now(),
            CASE WHEN g %% 2 = 0 THEN lpad(g::text, 7, '0') || 'A' ELSE '' END
        FROM generate_series(1, 100000) AS g
        """,
        [operator.pk],
    )
    owner_cursor.execute("ANALYZE cep_beneficiary")
    owner_cursor.execute("SET LOCAL enable_seqscan = off")
    owner_cursor.execute(f"SET LOCAL pg_trgm.similarity_threshold = {matching.NAME_SIMILARITY}")
    owner_cursor.execute(
        "PREPARE dup(bigint, text, date, text, text, real, integer, text) AS " + body
    )
    owner_cursor.execute(
        f"EXPLAIN EXECUTE dup({int(operator.pk)}, 'lemoine karine', '1985-03-14', "
        "'k@exemple.fr', '+33612345678', 0.6, 11, '1234567A')"
    )
    plan = "\n".join(row[0] for row in owner_cursor.fetchall())
    owner_cursor.execute("DEALLOCATE dup")
    owner_cursor.execute("ROLLBACK")
    assert "beneficiary_name_trgm" in plan, plan
    assert "beneficiary_email_idx" in plan, plan
    assert "beneficiary_phone_idx" in plan, plan
    assert "beneficiary_ft_id_idx" in plan, plan


@pytest.fixture
def counsellor(karine):
    return make_membership(operator=karine.operator)


PERSON = {
    "sex": "F",
    "departement": "69",
    "employment_status": "salarie_cdi",
}


def test_creating_a_possible_duplicate_saves_nothing_until_confirmed(karine, counsellor):
    typed = {
        **PERSON,
        "first_name": "Karine",
        "last_name": "LÉMOINE",
        "birth_date": date(1985, 3, 14),
    }
    with scope(operator=karine.operator_id):
        with pytest.raises(PossibleDuplicate) as warning:
            services.create_beneficiary(membership=counsellor, **typed)
        assert [c.beneficiary.pk for c in warning.value.candidates] == [karine.pk]
        assert Beneficiary.objects.count() == 1
        created = services.create_beneficiary(membership=counsellor, confirm_distinct=True, **typed)
        confirmation = DistinctPersonConfirmation.objects.get()
        assert (confirmation.beneficiary, confirmation.other) == (created, karine)
        assert confirmation.confirmed_by == counsellor
        assert confirmation.reasons == [NAME]
        event = AuditEvent.objects.get(details__autre_personne_que=[karine.pk])
        assert event.beneficiary_id == created.pk
        assert Beneficiary.objects.count() == 2


def test_the_new_file_page_shows_the_candidates_and_keeps_what_was_typed(client, karine):
    counsellor = make_membership(operator=karine.operator)
    client.force_login(counsellor.user)
    typed = {
        **PERSON,
        "first_name": "Karine",
        "last_name": "Lemoinne",
        "birth_date": "14/03/1985",
        "email": "",
        "phone": "",
        "postcode": "",
        "pcs_group": "",
        "diploma_level": "",
        "entry_level": "1",
    }
    url = reverse("beneficiary_create")
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Cette personne a peut-être déjà un dossier" in html
    assert reverse("beneficiary_detail", kwargs={"beneficiary_pk": karine.pk}) in html
    assert "Nom proche et même date de naissance" in html
    assert 'value="Lemoinne"' in html
    with scopes_disabled():
        assert Beneficiary.objects.count() == 1
    response = client.post(url, {**typed, "confirm_distinct": "1"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Beneficiary.objects.count() == 2
        assert DistinctPersonConfirmation.objects.count() == 1


def test_the_api_answers_409_with_the_candidates_unless_confirm_distinct(client, karine):
    counsellor = make_membership(operator=karine.operator)
    client.force_login(counsellor.user)
    body = {
        **PERSON,
        "first_name": "karine",
        "last_name": "lemoine",
        "birth_date": "1985-03-14",
        "phone": "+33612345678",
    }
    response = client.post("/api/v1/beneficiaries/", body, content_type="application/json")
    assert response.status_code == 409
    data = response.json()
    assert data["detail"].startswith("Cette personne a peut-être déjà un dossier")
    assert data["candidates"] == [
        {
            "id": karine.pk,
            "first_name": "Karine",
            "last_name": "Lemoine",
            "birth_date": "1985-03-14",
            "reasons": [NAME, PHONE],
        }
    ]
    with scopes_disabled():
        assert Beneficiary.objects.count() == 1
    response = client.post(
        "/api/v1/beneficiaries/",
        {**body, "confirm_distinct": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    with scopes_disabled():
        assert Beneficiary.objects.count() == 2


def test_the_intake_warns_at_the_first_step(client, karine):
    counsellor = make_membership(operator=karine.operator)
    client.force_login(counsellor.user)
    url = reverse("accueil:intake") + "?etape=1"
    typed = {
        "first_name": "Karine",
        "last_name": "Lemoine",
        "sex": "F",
        "birth_date": "14/03/1985",
        "email": "",
        "phone": "",
        "postcode": "",
        "departement": "69",
    }
    response = client.post(url, typed)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Cette personne a peut-être déjà un dossier" in html
    assert 'value="Lemoine"' in html
    response = client.post(url, {**typed, "confirm_distinct": "1"})
    assert response.status_code == 302
    assert response.url.endswith("etape=2")


def test_intake_api_409(client, karine):
    counsellor = make_membership(operator=karine.operator, role=Membership.Role.CONSEILLER)
    client.force_login(counsellor.user)
    body = {
        "person": {
            **PERSON,
            "first_name": "Karine",
            "last_name": "Lemoine",
            "birth_date": "1985-03-14",
        },
        "received_on": timezone.localdate().isoformat(),
        "channel": "sur_site",
        "motive": "Changer de métier.",
    }
    with transaction.atomic():
        response = client.post("/api/v1/intake-requests/", body, content_type="application/json")
    assert response.status_code == 409, response.content
    assert [c["id"] for c in response.json()["candidates"]] == [karine.pk]


def test_the_lookups_trigram_threshold_is_the_rules():
    """The index condition (`%`) runs at the rule's threshold, set on the function only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'cep_duplicate_candidates'")
        config = cursor.fetchone()[0]
        assert f"pg_trgm.similarity_threshold={matching.NAME_SIMILARITY}" in config
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert cursor.fetchone()[0] == "0.3"  # the session's own, untouched


def test_the_warning_page_queries_do_not_grow_with_the_candidates(
    login_as, karine, django_assert_num_queries
):
    counsellor = make_membership(operator=karine.operator)
    client = login_as(counsellor)
    typed = {
        **PERSON,
        "first_name": "Paul",
        "last_name": "Durand",
        "birth_date": "01/07/1990",
        "email": "",
        "phone": "06 12 34 56 78",
        "postcode": "",
        "pcs_group": "",
        "diploma_level": "",
        "entry_level": "1",
    }
    url = reverse("beneficiary_create")
    # Session, user, second-factor device, membership, roles; the service's savepoint, the
    # lookup, the candidates, the rollback to the savepoint (nothing saved) and its release.
    with django_assert_num_queries(10) as one:
        response = client.post(url, typed)
    assert response.status_code == 409
    with scopes_disabled():
        for n in range(4):
            BeneficiaryFactory(
                operator=karine.operator, first_name=f"Autre{n}", phone="+33612345678"
            )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.post(url, typed)
    html = response.content.decode()
    assert html.count("Même numéro de téléphone") == 5


def test_the_intake_warning_queries_do_not_grow_with_the_candidates(
    login_as, karine, django_assert_num_queries
):
    client = login_as(make_membership(operator=karine.operator))
    url = reverse("accueil:intake") + "?etape=1"
    typed = {
        "first_name": "Paul",
        "last_name": "Durand",
        "sex": "M",
        "birth_date": "01/07/1990",
        "email": "",
        "phone": "+336 12 34 56 78",
        "postcode": "",
        "departement": "69",
    }
    with django_assert_num_queries(7) as one:
        assert client.post(url, typed).status_code == 409
    with scopes_disabled():
        for n in range(4):
            BeneficiaryFactory(
                operator=karine.operator, first_name=f"Autre{n}", phone="06 12 34 56 78"
            )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.post(url, typed)
    assert response.content.decode().count("Même numéro de téléphone") == 5


def test_the_intake_warns_on_the_same_france_travail_id(client, karine):
    client.force_login(make_membership(operator=karine.operator).user)
    url = reverse("accueil:intake") + "?etape=1"
    typed = {
        "first_name": "Paul",
        "last_name": "Durand",
        "sex": "M",
        "birth_date": "01/07/1990",
        "email": "",
        "phone": "",
        "france_travail_id": "1234567a",
        "postcode": "",
        "departement": "69",
    }
    response = client.post(url, typed)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Même identifiant France Travail" in html
    assert reverse("beneficiary_detail", kwargs={"beneficiary_pk": karine.pk}) in html
    # What was typed stays in the form, as typed.
    assert 'value="1234567A"' in html or 'value="1234567a"' in html


def test_the_api_answers_409_on_the_same_france_travail_id(client, karine):
    client.force_login(make_membership(operator=karine.operator).user)
    body = {
        **PERSON,
        "first_name": "Paul",
        "last_name": "Durand",
        "birth_date": "1990-07-01",
        "france_travail_id": "1234 567A",
    }
    response = client.post("/api/v1/beneficiaries/", body, content_type="application/json")
    assert response.status_code == 409, response.content
    assert [(c["id"], c["reasons"]) for c in response.json()["candidates"]] == [
        (karine.pk, [FT_ID])
    ]
