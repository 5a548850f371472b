from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from cep.audit import events_in_request, record_page_read
from cep.models import Parcours
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


class ParcoursViewMixin(OperatorPermissionRequiredMixin):
    """A page of one parcours (`parcours_pk` in the URL), for the levels and the continuity
    pages alike:
    - the parcours is loaded through the operator's scope, so another operator's answers 404,
      and only once the operator permission is granted;
    - a page shown (GET, 200) that wrote no event of its own is audited as one READ of this
      parcours, with the person it is about, from what is loaded (the tenancy middleware
      then adds nothing);
    - its templates lead back to the person's file with includes/back_to_file.html;
    - an ended parcours is read-only: a POST is refused with the French message (shown by
      cep.errors on the page it came from) before the view reads the form, unless the view
      says it `writes_when_ended` (the end page itself, the synthèse of the ended parcours,
      the continuity page whose services refuse what an ended parcours may not do).
    """

    parcours: Parcours
    writes_when_ended: bool = False

    def parcours_queryset(self) -> QuerySet[Parcours]:
        return Parcours.objects.select_related("beneficiary", "referent__user")

    def parcours_loaded(self) -> None:
        """What a page loads with its parcours (the plan, say)."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.membership is not None
            and self.permission_required in request.operator_permissions
        ):
            self.parcours = get_object_or_404(self.parcours_queryset(), pk=kwargs["parcours_pk"])
            if request.method == "POST" and not self.writes_when_ended:
                self.parcours.require_open()
            self.parcours_loaded()
        response = super().dispatch(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200 and not events_in_request.get():
            record_page_read(request, (Parcours, self.parcours.pk, self.parcours.beneficiary_id))
        return response
