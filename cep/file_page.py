"""What the apps add to a person's file page, without the kernel importing any of them.

An app registers, in its AppConfig.ready():
- a block of the page (a template and the context it needs), as the beneficiary space does;
- a link under each parcours, shown when the parcours is at the right level or stage, as each
  level and the continuity app do.
The kernel's view renders whatever is registered, in the order given.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from cep.http import MemberRequest
from cep.models import Beneficiary, Parcours


@dataclass(frozen=True)
class FileBlock:
    template: str
    # The context of the block; it may query, but in a fixed number of queries.
    context: Callable[[MemberRequest, Beneficiary], dict]
    order: int = 100


@dataclass(frozen=True)
class ParcoursLink:
    label: str
    url_name: str
    applies: Callable[[Parcours], bool]
    order: int = 100


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str


_blocks: dict[str, FileBlock] = {}
_links: dict[str, ParcoursLink] = {}


def register_file_block(block: FileBlock) -> None:
    _blocks[block.template] = block  # registering again (ready() twice) replaces


def register_parcours_link(link: ParcoursLink) -> None:
    _links[link.url_name] = link


def file_blocks(request: MemberRequest, beneficiary: Beneficiary) -> list[dict]:
    return [
        {"template": block.template, **block.context(request, beneficiary)}
        for block in sorted(_blocks.values(), key=lambda b: (b.order, b.template))
    ]


def parcours_links(parcours: Parcours) -> list[ShownLink]:
    """No query: the rules read the parcours' own fields."""
    return [
        ShownLink(link.label, reverse(link.url_name, kwargs={"parcours_pk": parcours.pk}))
        for link in sorted(_links.values(), key=lambda item: (item.order, item.url_name))
        if link.applies(parcours)
    ]


# The page a parcours lands on when it enters a level: the level's app registers it, so the step
# that makes the decision (level 1 → 2 in accueil, 2 → 3 in conseil) leads on without importing it.
_level_pages: dict[int, str] = {}


def register_level_page(level: int, url_name: str) -> None:
    _level_pages[level] = url_name


def level_page_url(parcours: Parcours) -> str | None:
    """The registered page of the parcours' current level, or None (no query)."""
    url_name = _level_pages.get(parcours.current_level)
    if url_name is None:
        return None
    return reverse(url_name, kwargs={"parcours_pk": parcours.pk})
