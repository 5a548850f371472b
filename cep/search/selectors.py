"""The header search: one operator's beneficiaries by name (without accents or case, typos
tolerated), e-mail, phone in any format, file number and France Travail identifier; then the
groups the apps register (cep.search.registry). A fixed number of queries: two for the
beneficiaries (the ids, then the rows), one per group."""

import re
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse

from cep.models import (
    Beneficiary,
    Membership,
    normalize_for_search,
    normalize_france_travail_id,
    normalize_phone,
)
from cep.search.registry import Hit, SearchGroup, SearchQuery, search_groups

MAX_ROWS = 10
MIN_LENGTH = 2
MAX_LENGTH = 100
FRANCE_TRAVAIL_ID = re.compile(r"^\d{7}[0-9A-Z]$")
FILE_NUMBER = re.compile(r"^(?:n\s*°|no|numéro|dossier)?\s*(\d{1,12})$", re.IGNORECASE)
LETTER = re.compile(r"[^\W\d_]")


def read_query(text: str) -> SearchQuery:
    text = (text or "").replace("\x00", "").strip()[:MAX_LENGTH]
    number = FILE_NUMBER.match(text)
    france_travail_id = normalize_france_travail_id(text)
    # A phone in any format ("06 12 34 56 78", "+33 6 12…", "0033 6…"), compared in E.164.
    phone = ""
    if not LETTER.search(text) and sum(c.isdigit() for c in text) >= 9:
        phone = normalize_phone(text)
    if not FRANCE_TRAVAIL_ID.match(france_travail_id):
        france_travail_id = ""
    # A name holds a letter; an e-mail or a France Travail identifier is not looked up as one.
    is_name = bool(LETTER.search(text)) and "@" not in text and not france_travail_id
    return SearchQuery(
        text=text,
        name=normalize_for_search(text) if is_name else "",
        email=text.lower() if "@" in text else "",
        phone=phone,
        france_travail_id=france_travail_id,
        file_number=int(number.group(1)) if number else None,
    )


def beneficiary_ids(query: SearchQuery, *, operator_id: int, limit: int) -> list[int]:
    """The ids found, best first (an exact key before a name, then by name similarity)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM cep_search_beneficiaries(%s, %s, %s, %s, %s, %s, %s)",
                [
                    operator_id,
                    query.name,
                    query.email,
                    query.phone,
                    query.france_travail_id,
                    query.file_number,
                    limit,
                ],
            )
            return [row[0] for row in cursor.fetchall()]
    # The SQLite demo: the same keys, and the name as a substring (no typo tolerance).
    from django.db.models import Q

    condition = Q(pk__in=[])
    if query.name:
        condition |= Q(search_name__contains=query.name)
    if query.email:
        condition |= Q(email__iexact=query.email)
    if query.phone:
        condition |= Q(phone_e164=query.phone)
    if query.france_travail_id:
        condition |= Q(france_travail_id=query.france_travail_id)
    if query.file_number is not None:
        condition |= Q(pk=query.file_number)
    rows = Beneficiary.objects.filter(
        condition, operator_id=operator_id, merged_into__isnull=True, anonymised_at__isnull=True
    )
    return list(rows.order_by("search_name", "pk").values_list("pk", flat=True)[:limit])


@dataclass(frozen=True)
class ResultGroup:
    key: str
    label: str
    hits: list[Hit]


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    groups: list[ResultGroup]

    @property
    def first(self) -> Hit | None:
        for group in self.groups:
            if group.hits:
                return group.hits[0]
        return None

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def beneficiary_hits(ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    rows = Beneficiary.objects.in_bulk(ids)
    hits = []
    for pk in ids:
        person = rows.get(pk)
        if person is None:
            continue
        hits.append(
            Hit(
                label=person.full_name,
                detail=f"Dossier n° {person.pk} — né(e) le {person.birth_date:%d/%m/%Y}",
                url=reverse("beneficiary_detail", args=[person.pk]),
            )
        )
    return hits


BENEFICIARIES = "beneficiaires"


def search(*, membership: Membership, text: str, limit: int = MAX_ROWS) -> SearchResults:
    """Every counsellor of an operator may open its beneficiaries (cep.selectors), its requests
    and its sessions: the search reaches what the membership's role may open, within its
    operator only."""
    query = read_query(text)
    if len(query.text) < MIN_LENGTH and query.file_number is None:
        return SearchResults(query=query, groups=[])
    ids = beneficiary_ids(query, operator_id=membership.operator_id, limit=limit)
    groups = [ResultGroup(BENEFICIARIES, "Bénéficiaires", beneficiary_hits(ids))]
    group: SearchGroup
    for group in search_groups():
        groups.append(
            ResultGroup(group.key, group.label, group.find(membership, query, ids, limit))
        )
    return SearchResults(query=query, groups=groups)
