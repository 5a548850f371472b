"""The space's part of the person's data: their consents, requests and invitations."""

from cep.models import Beneficiary, Consent
from cep.registries import IDENTITY, DataSection, record, register_data_section
from cep.space.models import BeneficiaryRequest, Invitation


def _consents_and_requests(beneficiary: Beneficiary) -> list[dict]:
    consents = Consent.objects.filter(beneficiary=beneficiary).order_by("given_at", "pk")
    requests = BeneficiaryRequest.objects.filter(beneficiary=beneficiary).order_by("pk")
    invitations = Invitation.objects.filter(beneficiary=beneficiary).order_by("pk")
    return (
        [record(c, ["purpose", "given_at", "withdrawn_at", "evidence"]) for c in consents]
        + [record(r, ["kind", "message", "created_at", "handled_at", "outcome"]) for r in requests]
        + [record(i, ["email", "created_at", "expires_at", "used_at"]) for i in invitations]
    )


def register_data_sections() -> None:
    register_data_section(
        DataSection(
            "consentements",
            "Consentements, demandes et invitations",
            IDENTITY,
            _consents_and_requests,
            order=90,
            shared=False,  # the person's dealings with this operator, not their file
        )
    )
