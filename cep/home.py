"""The référent's home page gathers alerts from the level apps without importing them.

An app registers a provider in its AppConfig.ready(): a function taking the membership and
returning `Alert`s for the parcours that membership follows.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
    return [alert for provider in _providers for alert in provider(membership)]
