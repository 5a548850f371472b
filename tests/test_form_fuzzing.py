"""Any input on the main forms (Hypothesis, bounded): never a server error, never half-saved;
a refusal is the form again with French messages next to the fields."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cep.models import Beneficiary, Membership, Service
from tests.factories import OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

# Text as people paste it: any character, including NUL and control characters.
anything = st.one_of(st.text(max_size=60), st.sampled_from(["", " ", "0", "-1", "2026-13-45"]))
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def staff(login_as):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    parcours = ParcoursFactory(operator=operator, referent=counsellor)
    return {"counsellor": counsellor, "manager": manager, "parcours": parcours}


BENEFICIARY_FIELDS = [
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "email",
    "phone",
    "france_travail_id",
    "postcode",
    "departement",
    "employment_status",
    "pcs_group",
    "diploma_level",
    "entry_level",
]


@FUZZ
@given(values=st.fixed_dictionaries({name: anything for name in BENEFICIARY_FIELDS}))
def test_the_new_beneficiary_form(staff, login_as, values):
    client = login_as(staff["counsellor"])
    before = Beneficiary.objects.count()
    response = client.post("/beneficiaires/nouveau/", values)
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # refused: nothing saved, the reasons shown
        assert Beneficiary.objects.count() == before
        assert (
            "fr-error-text" in response.content.decode() or "fr-alert" in response.content.decode()
        )


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {
            name: anything
            for name in ("kind", "channel", "delivered_on", "duration_minutes", "notes")
        }
    )
)
def test_the_service_form(staff, login_as, values):
    client = login_as(staff["counsellor"])
    before = Service.objects.count()
    response = client.post(f"/parcours/{staff['parcours'].pk}/prestations/nouvelle/", values)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Service.objects.count() == before


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {name: anything for name in ("periode", "mois", "annee", "trimestre", "du", "au")}
    ),
    export=st.sampled_from(["", "indicateurs", "beneficiaires-sexe", "rien"]),
    fmt=st.sampled_from(["csv", "xlsx", "pdf", ""]),
)
def test_the_indicator_period_and_exports(staff, login_as, values, export, fmt):
    client = login_as(staff["manager"])
    query = {**values, "export": export, "format": fmt}
    assert client.get("/indicateurs/", query).status_code in (200, 400, 404)
    assert client.get("/api/v1/indicateurs/", values).status_code in (200, 400)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {
            "transfert-target_operator": anything,
            "transfert-reason": anything,
            "transfert-categories": st.lists(anything, max_size=3),
            "transfert-consent_evidence": anything,
        }
    )
)
def test_the_transfer_form(staff, login_as, values):
    client = login_as(staff["counsellor"])
    response = client.post(
        f"/parcours/{staff['parcours'].pk}/continuite/", {"action": "transfert", **values}
    )
    assert response.status_code in (302, 400)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cep_transfer WHERE status = 'en_attente'")
        # Nothing leaves without a target on the platform and the person's consent.
        if not values["transfert-consent_evidence"].strip():
            assert cursor.fetchone()[0] == 0
