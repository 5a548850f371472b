"""The rule that says two files may be the same person, in one place.

Two files of one operator may be the same person when any of these holds:
- **similar name and same birth date**: the name without accents or case (`search_name`, "nom
  prénom") has a trigram similarity of at least `NAME_SIMILARITY` with the other's (pg_trgm's
  measure: a typo, a dropped letter, first and last names swapped still match; twins — same last
  name and birth date, another first name — do not);
- **same e-mail**, whatever the case;
- **same phone**, once both are written in E.164 ("06 12 34 56 78", "+33 6 12 34 56 78" and
  "0033 6 12 34 56 78" are one number);
- **same France Travail identifier** ("1234567A", whatever the case or spaces typed), where
  both files hold one, whatever the names.

On PostgreSQL the lookup is `cep_duplicate_candidates` (cep/duplicates/migrations/0002: why a
function, and why it may use the trigram index under row-level security); elsewhere (the SQLite
demo) the same rule runs in Python over the rows of the same birth date, e-mail or phone.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet

from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import (
    Beneficiary,
    normalize_for_search,
    normalize_france_travail_id,
    normalize_phone,
)

NAME_SIMILARITY = 0.6
MAX_CANDIDATES = 10

SAME_NAME_AND_BIRTH = "nom proche et même date de naissance"
SAME_EMAIL = "même adresse électronique"
SAME_PHONE = "même numéro de téléphone"
SAME_FRANCE_TRAVAIL_ID = "même identifiant France Travail"


@dataclass(frozen=True)
class PersonKeys:
    """What the rule compares, normalised."""

    operator_id: int
    search_name: str
    birth_date: date | None
    email: str
    phone: str
    france_travail_id: str = ""

    @classmethod
    def of(
        cls,
        *,
        operator_id: int,
        first_name: str = "",
        last_name: str = "",
        birth_date: date | None = None,
        email: str = "",
        phone: str = "",
        france_travail_id: str = "",
    ) -> "PersonKeys":
        return cls(
            operator_id=operator_id,
            search_name=normalize_for_search(f"{last_name.strip()} {first_name.strip()}"),
            birth_date=birth_date,
            email=(email or "").strip().lower(),
            phone=normalize_phone(phone or ""),
            france_travail_id=normalize_france_travail_id(france_travail_id or ""),
        )

    @classmethod
    def of_beneficiary(cls, beneficiary: Beneficiary) -> "PersonKeys":
        return cls.of(
            operator_id=beneficiary.operator_id,
            first_name=beneficiary.first_name,
            last_name=beneficiary.last_name,
            birth_date=beneficiary.birth_date,
            email=beneficiary.email,
            phone=beneficiary.phone,
            france_travail_id=beneficiary.france_travail_id,
        )


@dataclass
class Candidate:
    """An existing file that may be the same person, and why."""

    beneficiary: Beneficiary
    reasons: list[str] = field(default_factory=list)

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.reasons)


_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word (letters and digits) padded with two spaces before and one
    after, lower case."""
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def name_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def match_reasons(keys: PersonKeys, other: PersonKeys) -> list[str]:
    """The branches of the rule that hold between two persons ([] when none does)."""
    reasons = []
    if (
        keys.birth_date is not None
        and keys.birth_date == other.birth_date
        and name_similarity(keys.search_name, other.search_name) >= NAME_SIMILARITY
    ):
        reasons.append(SAME_NAME_AND_BIRTH)
    if keys.email and keys.email == other.email:
        reasons.append(SAME_EMAIL)
    if keys.phone and keys.phone == other.phone:
        reasons.append(SAME_PHONE)
    if keys.france_travail_id and keys.france_travail_id == other.france_travail_id:
        reasons.append(SAME_FRANCE_TRAVAIL_ID)
    return reasons


def live_files() -> QuerySet[Beneficiary]:
    """The files that may be candidates: neither tombstones nor anonymised."""
    return Beneficiary.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)


def candidate_ids(keys: PersonKeys) -> list[int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT cep_duplicate_candidates(%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    keys.operator_id,
                    keys.search_name,
                    keys.birth_date,
                    keys.email,
                    keys.phone,
                    NAME_SIMILARITY,
                    MAX_CANDIDATES + 1,
                    keys.france_travail_id,
                ],
            )
            return [row[0] for row in cursor.fetchall()]
    # The demo's SQLite: the rows sharing a birth date, an e-mail or a phone, then the rule.
    near = Q(birth_date=keys.birth_date)
    if keys.email:
        near |= Q(email__iexact=keys.email)
    if keys.phone:
        near |= Q(phone_e164=keys.phone)
    if keys.france_travail_id:
        near |= Q(france_travail_id=keys.france_travail_id)
    rows = live_files().filter(operator_id=keys.operator_id).filter(near)
    return [row.pk for row in rows if match_reasons(keys, PersonKeys.of_beneficiary(row))]


def candidates(keys: PersonKeys, *, exclude: tuple[int, ...] = ()) -> list[Candidate]:
    """The operator's files that may be this person, with the reasons, at most
    `MAX_CANDIDATES`: two queries on PostgreSQL (the lookup, then the rows), one when none."""
    ids = [pk for pk in candidate_ids(keys) if pk not in exclude]
    if not ids:
        return []
    rows = (
        live_files()
        .filter(pk__in=ids)
        .only(
            "pk",
            "operator_id",
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "france_travail_id",
        )
        .order_by("last_name", "first_name", "pk")
    )
    found = [Candidate(row, match_reasons(keys, PersonKeys.of_beneficiary(row))) for row in rows]
    return [candidate for candidate in found if candidate.reasons][:MAX_CANDIDATES]


def candidates_for_beneficiary(beneficiary: Beneficiary) -> list[Candidate]:
    """For a file about to be created (unsaved) or an existing one (itself excluded)."""
    exclude = (beneficiary.pk,) if beneficiary.pk else ()
    return candidates(PersonKeys.of_beneficiary(beneficiary), exclude=exclude)


# The keys whose change is checked when an existing file is edited, and the branch each opens.
CHECKED_ON_CHANGE = {
    "email": SAME_EMAIL,
    "phone": SAME_PHONE,
    "france_travail_id": SAME_FRANCE_TRAVAIL_ID,
}


def candidates_after_change(beneficiary: Beneficiary, changed: set[str]) -> list[Candidate]:
    """For an existing file whose e-mail, phone or France Travail identifier was just changed
    (the instance carries the new values, unsaved): the other files the new value makes look
    like the same person, less those a counsellor already said were another person. A
    resemblance the change did not bring (a similar name known before) is not proposed again."""
    wanted = {CHECKED_ON_CHANGE[name] for name in changed if name in CHECKED_ON_CHANGE}
    if not wanted:
        return []
    found = [c for c in candidates_for_beneficiary(beneficiary) if wanted & set(c.reasons)]
    if not found:
        return []
    confirmed = {
        other
        for pair in DistinctPersonConfirmation.objects.filter(
            Q(beneficiary=beneficiary.pk, other__in=[c.beneficiary.pk for c in found])
            | Q(other=beneficiary.pk, beneficiary__in=[c.beneficiary.pk for c in found])
        ).values_list("beneficiary_id", "other_id")
        for other in pair
    }
    return [c for c in found if c.beneficiary.pk not in confirmed]
