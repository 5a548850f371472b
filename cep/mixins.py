from django.http import Http404

from cep.roles import COUNSEL


class OperatorPermissionRequiredMixin:
    """An HTML view declares the operator permission it needs.

    Without it the page does not exist for the user (404, never 403), like another operator's
    objects: nothing tells an outsider what is there.
    """

    permission_required: str = COUNSEL

    def dispatch(self, request, *args, **kwargs):
        if (
            request.membership is None
            or self.permission_required not in request.operator_permissions
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)
