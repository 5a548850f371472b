"""Reads of the beneficiary space, for the staff's side of the file."""

from cep.http import MemberRequest
from cep.models import Beneficiary, BeneficiaryAccount
from cep.roles import REVIEW_CASELOAD
from cep.space.models import BeneficiaryRequest, Invitation


def space_status(beneficiary: Beneficiary) -> dict:
    """The person's space as the counsellor sees it: account, last invitation, their requests."""
    return {
        "account": BeneficiaryAccount.objects.filter(beneficiary=beneficiary).first(),
        "invitation": Invitation.objects.filter(beneficiary=beneficiary)
        .order_by("-created_at", "-pk")
        .first(),
        "requests": list(
            BeneficiaryRequest.objects.filter(beneficiary=beneficiary)
            .select_related("handled_by__user")
            .order_by("handled_at", "-created_at")[:20]
        ),
    }


def file_block_context(request: MemberRequest, beneficiary: Beneficiary) -> dict:
    """The "Espace personnel" block of the person's file (cep.file_page)."""
    return {
        **space_status(beneficiary),
        "can_anonymise": REVIEW_CASELOAD in request.operator_permissions,
    }
