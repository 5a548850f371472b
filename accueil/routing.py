"""Routing suggestion: which structure of the territory fits a person best, and by which rule.

Pure functions over plain facts, so the rule logic is tested without a database.
"""

from dataclasses import dataclass
from datetime import date

from cep.nomenclatures import STATUS_GROUP_OF, age_on


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date
    employment_status: str
    rqth: bool
    pcs_group: str = ""

    def age(self, on: date) -> int:
        return age_on(self.birth_date, on)


def rule_matches(rule, facts: PersonFacts, on: date) -> bool:
    """Every condition set on the rule must hold; an empty condition accepts anyone."""
    age = facts.age(on)
    if rule.status_group and STATUS_GROUP_OF.get(facts.employment_status) != rule.status_group:
        return False
    if rule.min_age is not None and age < rule.min_age:
        return False
    if rule.max_age is not None and age >= rule.max_age:
        return False
    if rule.requires_rqth is not None and facts.rqth != rule.requires_rqth:
        return False
    return not (rule.pcs_group and facts.pcs_group != rule.pcs_group)


def first_matching_rule(rules, facts: PersonFacts, on: date):
    """`rules` in priority order; the first that matches decides."""
    return next((rule for rule in rules if rule_matches(rule, facts, on)), None)
