"""Signed, expiring download links e-mailed to the person.

The token carries the document, its operator and the start of the file's checksum, signed with
the site's secret: changing any of them breaks the signature, and a link only ever opens the file
it was made for.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from cep.links import sign, unsign
from synthese.models import SynthesisDocument

SALT = "synthese.lien-de-telechargement"


@dataclass(frozen=True)
class LinkTarget:
    document_id: int
    operator_id: int
    checksum_prefix: str


def make_token(document: SynthesisDocument) -> str:
    return sign({"d": document.pk, "o": document.operator_id, "h": document.sha256[:16]}, salt=SALT)


def read_token(token: str) -> LinkTarget:
    """Raises signing.SignatureExpired for an old link, signing.BadSignature for a forged one."""
    payload = unsign(
        token,
        salt=SALT,
        max_age=settings.SYNTHESIS_LINK_MAX_AGE_SECONDS,
        fields={"d": int, "o": int, "h": str},
    )
    return LinkTarget(
        document_id=payload["d"], operator_id=payload["o"], checksum_prefix=payload["h"]
    )


def download_path(document: SynthesisDocument) -> str:
    return reverse("synthese:signed_download", kwargs={"token": make_token(document)})
