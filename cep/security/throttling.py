"""Login throttling: failed attempts counted per identifier and per address, in the cache.

Counting both stops guessing one person's password from many addresses and trying many
identifiers from one address. A success clears the identifier's count.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

LOCKED_MESSAGE = (
    "Trop de tentatives de connexion ont échoué. Pour protéger le compte, réessayez dans "
    "{minutes} minutes."
)


def _keys(username: str, ip_address: str | None) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    keys = [f"login-failures:user:{name}"]
    if ip_address:
        keys.append(f"login-failures:ip:{ip_address}")
    return keys


def is_locked(username: str, ip_address: str | None) -> bool:
    counts = cache.get_many(_keys(username, ip_address))
    # An address shared by many people (a library, an agency) gets more room than one account.
    limits = {"user": settings.LOGIN_FAILURE_LIMIT, "ip": settings.LOGIN_FAILURE_LIMIT * 4}
    return any(count >= limits[key.split(":")[1]] for key, count in counts.items())


def record_failure(username: str, ip_address: str | None) -> None:
    for key in _keys(username, ip_address):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear(username: str) -> None:
    cache.delete(_keys(username, None)[0])


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60))
