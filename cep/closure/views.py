"""The end of a parcours, from its file and from every level's workspace: end it (référent or
manager), see its history, reopen it within the window or open the next parcours past it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from cep.audit import client_ip
from cep.closure import selectors, services
from cep.closure.forms import (
    EndForm,
    NextParcoursForm,
    ReopenForm,
    SubReasonForm,
)
from cep.closure.models import SubReason
from cep.forms import add_service_errors
from cep.mixins import OperatorPermissionRequiredMixin, ParcoursViewMixin
from cep.models import Parcours
from cep.roles import MANAGE_OPERATOR


class ParcoursEndView(ParcoursViewMixin, View):
    template_name = "closure/end.html"
    writes_when_ended = True  # reopening, or opening the next parcours

    def page(self, **forms_):
        parcours = self.parcours
        allowed = services.may_end(self.request.membership, parcours)
        context = {
            "title": f"Fin du parcours — {parcours.beneficiary.full_name}",
            "parcours": parcours,
            "beneficiary": parcours.beneficiary,
            "history": selectors.history_of(parcours),
            "following": list(parcours.next_parcours.all()),
            "may_end": allowed,
            "reopen_deadline": services.reopen_deadline(parcours),
            "can_reopen": services.can_reopen(parcours),
            "reopen_days": settings.PARCOURS_REOPEN_DAYS,
            "transferred": parcours.closing_reason == Parcours.ClosingReason.TRANSFERRED,
        }
        if allowed and parcours.is_open:
            context["end_form"] = forms_.get("end_form") or EndForm(
                sub_reasons=selectors.offered_sub_reasons(),
                initial={
                    "ended_on": timezone.localdate(),
                    "reason": self.request.GET.get("motif", ""),
                },
            )
        elif allowed and (context["can_reopen"] or "reopen_form" in forms_):
            context["reopen_form"] = forms_.get("reopen_form") or ReopenForm()
        elif allowed and not context["following"] and not context["transferred"]:
            context["next_form"] = forms_.get("next_form") or NextParcoursForm()
        status = 400 if any(form.errors for form in forms_.values()) else 200
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, parcours_pk):
        return self.page()

    def post(self, request, parcours_pk):
        if not services.may_end(request.membership, self.parcours):
            raise Http404
        handler = {"fin": self.end, "reouvrir": self.reopen, "nouveau": self.next}.get(
            request.POST.get("action")
        )
        if handler is None:
            raise Http404
        try:
            return handler(request)
        except PermissionDenied as denied:
            raise Http404 from denied

    def end(self, request):
        form = EndForm(request.POST, sub_reasons=selectors.offered_sub_reasons())
        if form.is_valid():
            try:
                services.end_parcours(
                    membership=request.membership,
                    parcours=self.parcours,
                    ip_address=client_ip(request),
                    ended_on=form.cleaned_data["ended_on"],
                    channel=form.cleaned_data["channel"],
                    reason=form.cleaned_data["reason"],
                    sub_reason=form.cleaned_data.get("sub_reason"),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le parcours est terminé ; la personne en est informée.")
                return redirect("parcours_end", parcours_pk=self.parcours.pk)
        return self.page(end_form=form)

    def reopen(self, request):
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.reopen_parcours(
                    membership=request.membership,
                    parcours=self.parcours,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le parcours est rouvert.")
                return redirect("beneficiary_detail", beneficiary_pk=self.parcours.beneficiary_id)
        return self.page(reopen_form=form)

    def next(self, request):
        form = NextParcoursForm(request.POST)
        if form.is_valid():
            try:
                services.open_following_parcours(
                    membership=request.membership,
                    previous=self.parcours,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Un nouveau parcours est ouvert, relié au précédent.")
                return redirect("beneficiary_detail", beneficiary_pk=self.parcours.beneficiary_id)
        return self.page(next_form=form)


class SubReasonsView(OperatorPermissionRequiredMixin, View):
    """The operator's admin adds sub-reasons under the national reasons, or stops offering one
    (it stays on the parcours that used it)."""

    permission_required = MANAGE_OPERATOR
    template_name = "closure/sub_reasons.html"

    def page(self, form=None):
        context = {
            "title": "Motifs de fin de parcours",
            "sub_reasons": SubReason.objects.order_by("national_reason", "label", "pk"),
            "form": form or SubReasonForm(),
        }
        return render(self.request, self.template_name, context, status=400 if form else 200)

    def get(self, request):
        return self.page()

    def post(self, request):
        if request.POST.get("action") == "basculer":
            wanted = request.POST.get("sub_reason", "")
            sub_reason = get_object_or_404(SubReason, pk=int(wanted) if wanted.isdigit() else 0)
            services.save_sub_reason(
                membership=request.membership,
                national_reason=sub_reason.national_reason,
                label=sub_reason.label,
                active=not sub_reason.active,
            )
            messages.success(request, "Sous-motif mis à jour.")
            return redirect("closure_sub_reasons")
        form = SubReasonForm(request.POST)
        if form.is_valid():
            try:
                services.save_sub_reason(membership=request.membership, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Sous-motif ajouté.")
                return redirect("closure_sub_reasons")
        return self.page(form)
