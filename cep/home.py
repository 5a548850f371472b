"""The référent's home page gathers alerts from the level apps without importing them.

An app registers a provider in its AppConfig.ready(): a function taking the membership and
returning `Alert`s for the parcours that membership follows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache

from cep.models import Membership


@dataclass(frozen=True)
class Alert:
    kind: str  # short label, e.g. "Action en retard"
    text: str
    url: str


AlertProvider = Callable[[Membership], list[Alert]]
_providers: list[AlertProvider] = []


def register_alert_provider(provider: AlertProvider) -> AlertProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def alerts_for(membership: Membership) -> list[Alert]:
    """Computed at most every ``HOME_ALERTS_CACHE_SECONDS`` per membership: the home page is
    the page counsellors reload all day, and an alert a minute late changes nothing."""
    seconds = settings.HOME_ALERTS_CACHE_SECONDS
    key = f"home-alerts:{membership.pk}"
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    found = [alert for provider in _providers for alert in provider(membership)]
    if seconds:
        cache.set(key, found, seconds)
    return found


@dataclass(frozen=True)
class TodoCount:
    """A count of the "À traiter" block of a staff home: one query, linked to its list."""

    key: str
    label: str
    order: int
    count: Callable[[Membership, date], int]  # (membership, today) -> how many
    url: Callable[[], str]  # the list the count links to
    shown_to: Callable[[frozenset[str]], bool] = lambda permissions: True


@dataclass(frozen=True)
class TodoItem:
    key: str
    label: str
    count: int
    url: str


_todo_counts: dict[str, TodoCount] = {}


def register_todo_count(todo: TodoCount) -> None:
    _todo_counts[todo.key] = todo


def todo_for(membership: Membership, permissions: frozenset[str], today: date) -> list[TodoItem]:
    """The "À traiter" counts this membership sees, each one query, cached as the alerts are
    (per membership, role and day)."""
    shown = sorted(
        (t for t in _todo_counts.values() if t.shown_to(permissions)),
        key=lambda t: (t.order, t.key),
    )
    seconds = settings.HOME_ALERTS_CACHE_SECONDS
    key = f"home-todo:{membership.pk}:{today.isoformat()}:" + ",".join(t.key for t in shown)
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    found = [TodoItem(t.key, t.label, t.count(membership, today), t.url()) for t in shown]
    if seconds:
        cache.set(key, found, seconds)
    return found


def register_core_todo_counts() -> None:
    """The counsellor's own alerts, as counts linked to the filtered caseload."""
    from django.urls import reverse

    from cep.selectors import caseload_alert_counts

    for order, (key, label) in enumerate(
        (("sans-activite", "Parcours sans activité"), ("en-retard", "Parcours en retard"))
    ):
        register_todo_count(
            TodoCount(
                key=f"caseload-{key}",
                label=label,
                order=20 + order,
                count=lambda membership, today, key=key: caseload_alert_counts(
                    membership=membership, today=today, only=key
                ),
                url=lambda key=key: reverse("caseload") + f"?alerte={key}",
            )
        )
