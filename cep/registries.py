"""Hooks of the beneficiary space and of the person's data, so the core imports no level app.

Each app registers, in its AppConfig.ready():
- `SpaceSection`s: a block of the person's home page (`/mon-espace/`), with its template and a
  function giving the template's context for the person's account;
- `DataSection`s: the records an app holds about a person, for the data export (RGPD right of
  access) and, later, for the liaison file of a transfer (each section names the consent category
  it belongs to).
"""

import datetime
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Least
from django.db.models.lookups import Exact

from cep.models import Beneficiary, BeneficiaryAccount


@dataclass(frozen=True)
class SpaceSection:
    key: str
    order: int
    template: str
    context: Callable[[BeneficiaryAccount], dict]


@dataclass(frozen=True)
class DataSection:
    key: str
    label: str
    consent_category: str
    export: Callable[[Beneficiary], list[dict]]
    order: int = 100
    # In a transfer's liaison file: the records shared with the receiving operator, without a
    # counsellor's confidential notes (None: the same as the export; ``shared=False``: never).
    liaison: Callable[[Beneficiary], list[dict]] | None = None
    shared: bool = True

    def liaison_records(self, beneficiary: Beneficiary) -> list[dict]:
        return (self.liaison or self.export)(beneficiary)


# Consent categories of a person's data, shared by the export and the transfer.
IDENTITY = "identite"
SITUATION = "situation"
PROJECT = "projet"
PLAN = "plan"
FUNDING = "financement"
SYNTHESES = "syntheses"
CATEGORIES = {
    IDENTITY: "Identité et coordonnées",
    SITUATION: "Situation professionnelle et parcours",
    PROJECT: "Projet et stratégie",
    PLAN: "Plan d'action et formation",
    FUNDING: "Financement",
    SYNTHESES: "Documents de synthèse",
}
# A file cannot be opened at the receiving operator without who the person is and their
# situation (which decides their eligibility).
REQUIRED_FOR_TRANSFER = (IDENTITY, SITUATION)

_space_sections: dict[str, SpaceSection] = {}
_data_sections: dict[str, DataSection] = {}


def register_space_section(section: SpaceSection) -> None:
    _space_sections[section.key] = section


def space_sections() -> list[SpaceSection]:
    return sorted(_space_sections.values(), key=lambda s: (s.order, s.key))


def register_data_section(section: DataSection) -> None:
    _data_sections[section.key] = section


def data_sections() -> list[DataSection]:
    return sorted(_data_sections.values(), key=lambda s: (s.order, s.key))


# Every record of the export opens with what it is (the model's French name) and its number.
RECORD_KIND = "élément"
RECORD_NUMBER = "numéro"


def json_value(value: object) -> object:
    """A record's value as JSON: dates in ISO 8601, amounts as exact decimal text."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {key: json_value(v) for key, v in value.items()}
    return value


def record(instance: models.Model, fields: list[str]) -> dict:
    """One record of the export: what it is (RECORD_KIND), its number, and the named fields
    under their French labels (the fields' verbose_name), choices shown as their labels and
    related records as their names. Dates and amounts stay Python values: json_value writes
    them for the JSON, the readable page in French."""
    out = {RECORD_KIND: str(instance._meta.verbose_name), RECORD_NUMBER: instance.pk}
    for name in fields:
        field = instance._meta.get_field(name)
        # The model's own fields only: a reverse relation has no verbose_name to label it.
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is not a field of {type(instance).__name__}")
        value: object
        if field.many_to_many:
            value = [str(related) for related in getattr(instance, name).all()]
        elif field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif field.is_relation:
            related = getattr(instance, name)
            value = None if related is None else str(related)
        else:
            value = getattr(instance, name)
        label = str(field.verbose_name)
        # A field labelled like the record's own keys must not overwrite them.
        out[label if label not in (RECORD_KIND, RECORD_NUMBER) else f"{label} (champ)"] = value
    return out


# Erasure (RGPD): each app clears the free texts it holds about the person, and may say why
# files must still be kept (a legal retention period running). A check takes many files at once
# (the retention report reads a whole operator) and answers, for those to keep, why.
Anonymiser = Callable[[Beneficiary], None]
RetentionCheck = Callable[[QuerySet], dict[int, str]]
_anonymisers: list[Anonymiser] = []
_retention_checks: list[RetentionCheck] = []

ERASED = "[effacé]"


def register_anonymiser(anonymiser: Anonymiser) -> None:
    if anonymiser not in _anonymisers:
        _anonymisers.append(anonymiser)


def anonymisers() -> list[Anonymiser]:
    return list(_anonymisers)


def register_retention_check(check: RetentionCheck) -> None:
    if check not in _retention_checks:
        _retention_checks.append(check)


def retention_checks() -> list[RetentionCheck]:
    return list(_retention_checks)


# One file per person: the duplicate check the core runs before it creates a beneficiary,
# registered by cep.duplicates (so the core imports no topic app). Without one, no check.
@dataclass(frozen=True)
class PersonMatcher:
    # (unsaved beneficiary) -> the operator's files that may be the same person
    candidates: Callable[[Beneficiary], list]
    # (membership, beneficiary just created, those candidates) -> records "another person"
    record_distinct: Callable[..., None]
    # (existing beneficiary carrying its new values, names of the fields changed) -> the files
    # that the change makes look like the same person (none were proposed before)
    candidates_after_change: Callable[[Beneficiary, set[str]], list] | None = None


class PossibleDuplicate(ValidationError):
    """A beneficiary about to be created may already have a file: nothing was saved. Its
    `candidates` are shown to the counsellor, who opens one or confirms another person
    (`confirm_distinct=True`). A ValidationError, so a caller that does not show them still
    refuses with the message instead of a server error."""

    MESSAGE = (
        "Cette personne a peut-être déjà un dossier chez votre opérateur. Ouvrez le dossier "
        "existant, ou confirmez qu'il s'agit d'une autre personne."
    )

    def __init__(self, candidates: list):
        super().__init__(self.MESSAGE, code="possible_duplicate")
        self.candidates = candidates


_person_matchers: list[PersonMatcher] = []


def register_person_matcher(matcher: PersonMatcher) -> None:
    _person_matchers[:] = [matcher]


def person_matcher() -> PersonMatcher | None:
    return _person_matchers[0] if _person_matchers else None


# The next due action of a parcours, for the caseload's column and sort: expressions on the
# Parcours queryset giving its date and what it is (the level app holding the actions registers
# them).
NextDue = Callable[[datetime.date], models.Expression]
_next_due: list[tuple[NextDue, NextDue]] = []


def register_next_due(due: NextDue, label: NextDue) -> None:
    if (due, label) not in _next_due:
        _next_due.append((due, label))


def next_due_expressions(today: datetime.date) -> tuple[models.Expression, models.Expression]:
    """The earliest of the registered next due dates (NULL when none is due), and its text."""
    if not _next_due:
        return (
            models.Value(None, output_field=models.DateField()),
            models.Value(None, output_field=models.CharField()),
        )
    dues = [due(today) for due, _ in _next_due]
    labels = [label(today) for _, label in _next_due]
    if len(dues) == 1:
        return dues[0], labels[0]
    earliest = Least(*dues)
    return earliest, models.Case(
        *[
            models.When(Exact(due, earliest), then=label)
            for due, label in zip(dues, labels, strict=True)
        ]
    )
