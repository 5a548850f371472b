"""The référent's home page gathers alerts from the level apps without importing them.

An app registers a provider in its AppConfig.ready(): a function taking the membership and
returning `Alert`s for the parcours that membership follows.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
