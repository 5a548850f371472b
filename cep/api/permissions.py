from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from cep.roles import COUNSEL


class HasOperatorPermission(BasePermission):
    """The API twin of OperatorPermissionRequiredMixin: `permission_required` on the view."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        needed = getattr(view, "permission_required", COUNSEL)
        membership = getattr(request._request, "membership", None)
        if membership is None or needed not in request._request.operator_permissions:
            raise exceptions.NotFound()
        return True
