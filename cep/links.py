"""Links e-mailed to people: absolute addresses, and signed, expiring tokens.

A token carries a small payload (ids, a checksum) signed with the site's secret and a salt of
its own: changing any character breaks the signature, and a token made for one purpose never
opens another.
"""

from django.conf import settings
from django.core import signing
from django.utils.http import url_has_allowed_host_and_scheme


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def sign(payload: dict, *, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(payload)


def unsign(token: str, *, salt: str, max_age: int, fields: dict[str, type]) -> dict:
    """The payload with each field converted; raises signing.SignatureExpired for an old token
    and signing.BadSignature for a forged or malformed one."""
    payload = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    try:
        return {name: kind(payload[name]) for name, kind in fields.items()}
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("unexpected payload") from None


RETURN_PARAM = "retour"


def return_path(request) -> str | None:
    """The page a form was opened from (``?retour=`` or the hidden field of the same name): a path
    of this site only, never another host, so the link cannot send anyone elsewhere."""
    wanted = request.POST.get(RETURN_PARAM) or request.GET.get(RETURN_PARAM) or ""
    if not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted:
        return None
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return None
    return wanted
