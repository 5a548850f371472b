"""Routing: the suggestion rules, an admin's edit, routing and its history, the level-1 outcome."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accueil import selectors, services
from accueil.models import IntakeRequest, Routing
from accueil.routing import PersonFacts
from cep.models import Consent, Membership, Parcours
from tests.accueil.factories import (
    IntakeRequestFactory,
    RoutingFactory,
    RoutingRuleFactory,
    StructureFactory,
)
from tests.factories import OperatorFactory, make_membership

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 27)


def born(years_old: int) -> date:
    """A birth date giving that age on ON (birthday a month earlier)."""
    return date(ON.year - years_old, ON.month - 1, ON.day)


@pytest.fixture
def territory():
    """The usual rules of a region, in priority order."""
    operator = OperatorFactory()
    ml = StructureFactory(operator=operator, name="Mission locale")
    cap = StructureFactory(operator=operator, name="Cap emploi", kind="cap_emploi")
    apec = StructureFactory(operator=operator, name="Apec", kind="apec")
    regional = StructureFactory(operator=operator, name="Opérateur régional", kind="autre")
    rules = {
        "jeune": RoutingRuleFactory(
            operator=operator, priority=1, target=ml, status_group="demandeur_emploi", max_age=26
        ),
        "handicap": RoutingRuleFactory(
            operator=operator,
            priority=2,
            target=cap,
            status_group="demandeur_emploi",
            requires_rqth=True,
        ),
        "cadre": RoutingRuleFactory(operator=operator, priority=3, target=apec, pcs_group="3"),
        "salarie": RoutingRuleFactory(
            operator=operator, priority=4, target=regional, status_group="salarie_prive"
        ),
    }
    return operator, rules


# (age, status, rqth, pcs group) -> the structure a counsellor expects, by the rules above
CASES = [
    ((22, "de_a", False, "6"), "Mission locale"),
    ((25, "de_non_inscrit", True, "5"), "Mission locale"),  # the first rule wins
    ((26, "de_a", False, "5"), None),  # 26 is no longer "under 26"
    ((40, "de_b", True, "6"), "Cap emploi"),
    ((40, "de_b", False, "3"), "Apec"),
    ((45, "salarie_cdi", False, "3"), "Apec"),
    ((45, "salarie_cdi", False, "5"), "Opérateur régional"),
    ((30, "agent_titulaire", False, "4"), None),
    ((35, "salarie_interim", True, "6"), "Opérateur régional"),
]


@pytest.mark.parametrize(("facts", "expected"), CASES)
def test_each_rule_suggests_its_structure(territory, facts, expected):
    operator, _ = territory
    age, status, rqth, pcs = facts
    with scope(operator=operator.pk):
        rule = selectors.routing_suggestion(
            facts=PersonFacts(
                birth_date=born(age), employment_status=status, rqth=rqth, pcs_group=pcs
            ),
            on=ON,
        )
    assert (rule.target.name if rule else None) == expected


def test_an_admin_edit_changes_the_suggestion(territory, login_as):
    operator, rules = territory
    admin = make_membership(operator=operator, role=Membership.Role.ADMIN)
    client = login_as(admin)
    facts = PersonFacts(birth_date=born(28), employment_status="de_a", rqth=False)
    with scope(operator=operator.pk):
        assert selectors.routing_suggestion(facts=facts, on=ON) is None
    jeune = rules["jeune"]
    response = client.post(
        reverse("accueil:rule_edit", kwargs={"routingrule_pk": jeune.pk}),
        {
            "priority": "1",
            "label": "Jeune de moins de 30 ans",
            "status_group": "demandeur_emploi",
            "max_age": "30",
            "requires_rqth": "",
            "target": str(jeune.target_id),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    with scope(operator=operator.pk):
        rule = selectors.routing_suggestion(facts=facts, on=ON)
    assert (rule.label, rule.target.name) == ("Jeune de moins de 30 ans", "Mission locale")


def test_a_counsellor_cannot_edit_rules(territory, login_as):
    operator, rules = territory
    client = login_as(make_membership(operator=operator))
    url = reverse("accueil:rule_edit", kwargs={"routingrule_pk": rules["jeune"].pk})
    assert client.get(url).status_code == 404
    assert client.get(reverse("accueil:routing_setup")).status_code == 404


def test_rule_with_inverted_ages_is_refused(territory, login_as):
    operator, rules = territory
    client = login_as(make_membership(operator=operator, role=Membership.Role.ADMIN))
    response = client.post(
        reverse("accueil:rule_create"),
        {
            "priority": "5",
            "label": "Incohérente",
            "min_age": "50",
            "max_age": "30",
            "target": str(rules["jeune"].target_id),
        },
    )
    assert response.status_code == 400
    assert (
        "L&#x27;âge minimal doit être inférieur à l&#x27;âge limite." in response.content.decode()
    )


def test_routing_keeps_its_status_history():
    intake = IntakeRequestFactory()
    counsellor = intake.parcours.referent
    target = StructureFactory(operator=intake.operator)
    routing = services.route(
        membership=counsellor, parcours=intake.parcours, target=target, reason="Projet jeune"
    )
    services.change_routing_status(
        membership=counsellor, routing=routing, status=Routing.Status.NO_ANSWER
    )
    services.change_routing_status(
        membership=counsellor, routing=routing, status=Routing.Status.ACCEPTED, note="Rappelée"
    )
    history = [(c.status, c.note) for c in routing.history.all()]
    assert history == [
        ("en_attente", "Orientation proposée"),
        ("sans_reponse", ""),
        ("acceptee", "Rappelée"),
    ]
    with pytest.raises(ValidationError, match="déjà ce statut"):
        services.change_routing_status(
            membership=counsellor, routing=routing, status=Routing.Status.ACCEPTED
        )


def test_routing_to_a_platform_operator_is_a_transfer_with_consent():
    intake = IntakeRequestFactory()
    counsellor = intake.parcours.referent
    other = StructureFactory(operator=intake.operator, on_platform=True)
    with pytest.raises(ValidationError) as error:
        services.route(
            membership=counsellor, parcours=intake.parcours, target=other, reason="Cadre"
        )
    assert "accord de la personne" in error.value.message_dict["consent_evidence"][0]
    assert not Routing.objects.exists()
    routing = services.route(
        membership=counsellor,
        parcours=intake.parcours,
        target=other,
        reason="Cadre",
        consent_evidence="Accord oral à l'entretien",
    )
    assert routing.is_transfer
    assert routing.consent.purpose == Consent.Purpose.SHARE_WITH_OPERATOR


def test_go_on_to_level_2_assigns_a_referent():
    intake = IntakeRequestFactory(received_on=timezone.localdate() - timedelta(days=3))
    colleague = make_membership(operator=intake.operator)
    services.decide_level1_outcome(
        membership=intake.parcours.referent,
        intake_request=intake,
        outcome=IntakeRequest.Outcome.GO_ON,
        decided_on=timezone.localdate(),
        referent=colleague,
    )
    parcours = Parcours.objects.get(pk=intake.parcours_id)
    assert (parcours.current_level, parcours.referent, parcours.is_open) == (2, colleague, True)
    assert parcours.referent_assignments.last().referent == colleague


@pytest.mark.parametrize(
    ("outcome", "reason", "with_routing", "error_field"),
    [
        ("arret", "", False, "reason"),
        ("oriente", "", False, "outcome"),
        ("inconnue", "", False, "outcome"),
    ],
)
def test_outcome_needs_what_it_needs(outcome, reason, with_routing, error_field):
    intake = IntakeRequestFactory(received_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        services.decide_level1_outcome(
            membership=intake.parcours.referent,
            intake_request=intake,
            outcome=outcome,
            decided_on=timezone.localdate(),
            reason=reason,
        )
    assert error_field in error.value.message_dict
    assert Parcours.objects.get(pk=intake.parcours_id).is_open


def test_routed_outcome_closes_the_parcours():
    intake = IntakeRequestFactory(received_on=timezone.localdate())
    RoutingFactory(parcours=intake.parcours)
    services.decide_level1_outcome(
        membership=intake.parcours.referent,
        intake_request=intake,
        outcome=IntakeRequest.Outcome.ROUTED,
        decided_on=timezone.localdate(),
    )
    parcours = Parcours.objects.get(pk=intake.parcours_id)
    assert (parcours.closed_on, parcours.closing_reason) == (timezone.localdate(), "oriente")


def test_routed_outcome_needs_a_live_routing():
    intake = IntakeRequestFactory(received_on=timezone.localdate())
    RoutingFactory(parcours=intake.parcours, status=Routing.Status.REFUSED)
    with pytest.raises(ValidationError) as error:
        services.decide_level1_outcome(
            membership=intake.parcours.referent,
            intake_request=intake,
            outcome=IntakeRequest.Outcome.ROUTED,
            decided_on=timezone.localdate(),
        )
    assert error.value.message_dict == {
        "outcome": ["Enregistrez d'abord l'orientation vers la structure choisie."]
    }
