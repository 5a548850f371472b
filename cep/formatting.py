"""French formatting: the one place that says how an amount, a date, a duration or a word that
agrees with the person is shown (pages, PDFs, exports, e-mails all use these, through the template
filters of ``cep.templatetags.cep_format`` or directly from Python).

- an amount: "6 500,00 €", a narrow no-break space (U+202F) between the thousands and a no-break
  space (U+00A0) before the sign, so that it never wraps;
- a date: dd/mm/yyyy;
- a duration given in minutes: "45 min", "1 h", "1 h 30";
- words that agree with the person: "Salariée" for a woman, "Salarié" for a man, and the
  inclusive form "Salarié·e" where the sex is not known.
"""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

NNBSP = "\u202f"  # narrow no-break space: between the thousands
NBSP = "\u00a0"  # no-break space: before the unit
EMPTY = "—"


def euros(amount: Decimal | int | float | str | None) -> str:
    """6 500,00 € (an amount of None or one that is no number is shown "—")."""
    if amount is None or amount == "":
        return EMPTY
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return EMPTY
    text = f"{value:,.2f}"
    return text.replace(",", NNBSP).replace(".", ",") + NBSP + "€"


def date_fr(value: date | datetime | None) -> str:
    """12/03/2026; a datetime is first read in the local time zone."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.strftime("%d/%m/%Y")


def duration(minutes: int | None) -> str:
    """45 min, 1 h, 1 h 30, 12 h 05 (from a number of minutes)."""
    if minutes is None or minutes == "":
        return EMPTY
    minutes = int(minutes)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}{NBSP}min"
    if not rest:
        return f"{hours}{NBSP}h"
    return f"{hours}{NBSP}h{NBSP}{rest:02d}"


# The masculine form -> (the feminine form, the inclusive form). Only the words the nomenclatures
# and the documents use; a word absent from the table is left as it is.
AGREEMENTS: dict[str, tuple[str, str]] = {
    "Salarié": ("Salariée", "Salarié·e"),
    "salarié": ("salariée", "salarié·e"),
    "Salariés": ("Salariées", "Salarié·es"),
    "Retraité": ("Retraitée", "Retraité·e"),
    "retraité": ("retraitée", "retraité·e"),
    "Étudiant": ("Étudiante", "Étudiant·e"),
    "étudiant": ("étudiante", "étudiant·e"),
    "Demandeur": ("Demandeuse", "Demandeur·se"),
    "demandeur": ("demandeuse", "demandeur·se"),
    "inscrit": ("inscrite", "inscrit·e"),
    "Travailleur": ("Travailleuse", "Travailleur·se"),
    "indépendant": ("indépendante", "indépendant·e"),
    "Artisan": ("Artisane", "Artisan·e"),
    "commerçant": ("commerçante", "commerçant·e"),
    "Micro-entrepreneur": ("Micro-entrepreneuse", "Micro-entrepreneur·se"),
    "contractuel": ("contractuelle", "contractuel·le"),
    "Agent": ("Agente", "Agent·e"),
    "public": ("publique", "public·que"),  # with Agent: the filter is for a person's labels
    "Inactif": ("Inactive", "Inactif·ve"),
    "né": ("née", "né·e"),
    "Né": ("Née", "Né·e"),
    "accompagné": ("accompagnée", "accompagné·e"),
    "Accompagné": ("Accompagnée", "Accompagné·e"),
    "orienté": ("orientée", "orienté·e"),
    "Orienté": ("Orientée", "Orienté·e"),
}
_WORD = re.compile(
    r"(?<![\w·-])("
    + "|".join(sorted(map(re.escape, AGREEMENTS), key=len, reverse=True))
    + r")(?![\w·-])"
)

FEMALE = "F"
MALE = "M"


def agree(text: str | None, sex: str | None) -> str:
    """The text with its words agreeing with the person: "F" feminine, "M" as written (the
    nomenclatures are written in the masculine), anything else the inclusive form."""
    if not text:
        return text or ""
    if sex == MALE:
        return text
    index = 0 if sex == FEMALE else 1
    return _WORD.sub(lambda match: AGREEMENTS[match.group(1)][index], text)


def referent_changes(assignments) -> list[dict]:
    """Each change of référent once, in order: a designation of the person who already held the
    parcours (a reassignment to the same référent, a repeated designation) is no change. Each
    change is {"referent", "since", "until"} (until is None for the current one)."""
    changes: list[dict] = []
    for assignment in assignments:
        if changes and changes[-1]["referent"].pk == assignment.referent_id:
            continue
        if changes:
            changes[-1]["until"] = assignment.assigned_at
        changes.append(
            {"referent": assignment.referent, "since": assignment.assigned_at, "until": None}
        )
    return changes
