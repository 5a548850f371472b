"""The groups of the header search after the beneficiaries: each app registers its own in its
AppConfig.ready() (accueil: requests and sessions), so cep.search imports no level app."""

from collections.abc import Callable
from dataclasses import dataclass

from cep.models import Membership


@dataclass(frozen=True)
class Hit:
    """One result: what a counsellor reads, and the page it opens."""

    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, read once: the name without accents or case (empty when the query holds
    no letter), the e-mail, the phone in E.164, the France Travail identifier, the file number."""

    text: str
    name: str
    email: str
    phone: str
    france_travail_id: str
    file_number: int | None


@dataclass(frozen=True)
class SearchGroup:
    key: str
    label: str
    order: int
    # (membership, query, ids of the beneficiaries found, max rows) -> hits, in ONE query
    find: Callable[[Membership, SearchQuery, list[int], int], list[Hit]]


_groups: dict[str, SearchGroup] = {}


def register_search_group(group: SearchGroup) -> None:
    _groups[group.key] = group


def search_groups() -> list[SearchGroup]:
    return sorted(_groups.values(), key=lambda g: (g.order, g.key))
