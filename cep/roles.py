"""What each role may do, as permissions on the operator object (django-guardian)."""

from cep.models import Membership

COUNSEL = "cep.counsel_beneficiaries"
REVIEW_CASELOAD = "cep.review_caseload"
MANAGE_OPERATOR = "cep.manage_operator"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Membership.Role.CONSEILLER: frozenset({COUNSEL}),
    Membership.Role.MANAGER: frozenset({COUNSEL, REVIEW_CASELOAD}),
    Membership.Role.ADMIN: frozenset({COUNSEL, REVIEW_CASELOAD, MANAGE_OPERATOR}),
}
ALL_OPERATOR_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())
