"""Django's request as cep.middleware leaves it for a staff member: a type only, for the
annotations of the views' helpers (the middleware sets these attributes on Django's request)."""

from django.http import HttpRequest

from cep.models import Membership, Operator


class MemberRequest(HttpRequest):
    membership: Membership
    operator: Operator
    operator_permissions: frozenset[str]
