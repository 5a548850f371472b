"""Signed links of the follow-up survey: the token names the survey and its operator, signed
with the site's secret; it cannot be altered to reach another survey."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "indicateurs.enquete-de-suivi"


def make_token(survey) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"s": survey.pk, "o": survey.operator_id})


def read_token(token: str) -> tuple[int, int]:
    """(survey id, operator id); raises signing.BadSignature (or SignatureExpired)."""
    payload = signing.TimestampSigner(salt=SALT).unsign_object(
        token, max_age=settings.SURVEY_LINK_MAX_AGE_SECONDS
    )
    try:
        return int(payload["s"]), int(payload["o"])
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("unexpected payload") from None


def survey_url(survey) -> str:
    path = reverse("indicateurs:survey", kwargs={"token": make_token(survey)})
    return settings.SITE_URL.rstrip("/") + path
