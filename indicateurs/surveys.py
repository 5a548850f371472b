"""Signed links of the follow-up survey: the token names the survey and its operator; it cannot
be altered to reach another survey."""

from django.conf import settings
from django.urls import reverse

from cep.links import absolute_url, sign, unsign

SALT = "indicateurs.enquete-de-suivi"


def make_token(survey) -> str:
    return sign({"s": survey.pk, "o": survey.operator_id}, salt=SALT)


def read_token(token: str) -> tuple[int, int]:
    """(survey id, operator id); raises signing.BadSignature (or SignatureExpired)."""
    payload = unsign(
        token, salt=SALT, max_age=settings.SURVEY_LINK_MAX_AGE_SECONDS, fields={"s": int, "o": int}
    )
    return payload["s"], payload["o"]


def survey_url(survey) -> str:
    return absolute_url(reverse("indicateurs:survey", kwargs={"token": make_token(survey)}))
