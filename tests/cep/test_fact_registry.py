"""The fact families' registry (cep.facts): each app's families, in a fixed order."""

from cep import facts
from cep.models import Level
from synthese.models import SynthesisDocument


def test_every_app_registers_its_families_in_a_fixed_order():
    names = [family.name for family in facts.fact_families()]
    assert names == [
        "parcours_started",
        "level_starts",
        "parcours_closed",
        "services",
        "first_interview_delay",
        "project_types",
        "strategies",
        "routings",
        "surveys_planned",
        "satisfaction",
        "six_months",
        "people",
    ]


def test_a_family_registered_again_is_replaced_and_the_union_follows_the_order(monkeypatch):
    monkeypatch.setattr(facts, "_families", {})
    facts.register_fact_family("late", "SELECT 2", order=20)
    facts.register_fact_family("early", "SELECT 0", order=10)
    facts.register_fact_family("early", "SELECT 1", order=10)
    assert [(f.name, f.sql) for f in facts.fact_families()] == [
        ("early", "SELECT 1"),
        ("late", "SELECT 2"),
    ]


def test_an_enum_value_becomes_an_sql_literal():
    assert facts.quoted(SynthesisDocument.Status.READY) == "'pret'"
    assert facts.quoted(Level.ACCUEIL) == "1"
    assert facts.quoted("l'été 100%") == "'l''été 100%%'"
