"""Managers' pages of one file per person: the operator's likely duplicates, and the merge of
two files (compare them, choose the one kept, confirm). For REVIEW_CASELOAD (404 otherwise)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from cep.audit import client_ip
from cep.duplicates import selectors, services
from cep.managers.views import ManagerMixin


class LikelyDuplicatesView(ManagerMixin, View):
    def get(self, request):
        pairs = selectors.likely_duplicates(operator_id=request.membership.operator_id)
        context = {
            "title": "Doublons probables",
            "pairs": pairs,
            "limit": selectors.PAIRS_SHOWN,
        }
        return render(request, "managers/duplicates.html", context)


class MergeView(ManagerMixin, View):
    """`/gestion/doublons/<file>/fusion/?avec=<other file>`."""

    def files(self, request, beneficiary_pk):
        try:
            other_pk = int(request.POST.get("avec") or request.GET.get("avec", ""))
        except ValueError:
            raise Http404 from None
        return selectors.merge_comparison(first_pk=beneficiary_pk, second_pk=other_pk)

    def get(self, request, beneficiary_pk):
        return self.render(self.files(request, beneficiary_pk))

    def post(self, request, beneficiary_pk):
        files = self.files(request, beneficiary_pk)
        by_pk = {str(file.pk): file for file in files}
        kept = by_pk.get(request.POST.get("conserve", ""))
        if kept is None:
            return self.render(files, error="Choisissez le dossier à conserver.", status=400)
        merged = next(file for file in files if file.pk != kept.pk)
        try:
            services.merge_beneficiaries(
                membership=request.membership,
                kept=kept,
                merged=merged,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            return self.render(files, error=" ".join(error.messages), kept=kept, status=400)
        messages.success(
            request,
            f"Les deux dossiers sont fusionnés : le dossier de {kept.full_name} réunit "
            "désormais tout le suivi.",
        )
        return redirect("beneficiary_detail", beneficiary_pk=kept.pk)

    def render(self, files, *, error="", kept=None, status=200):
        first, second = files
        context = {
            "title": f"Fusionner deux dossiers — {first.full_name}",
            "first": first,
            "second": second,
            "reasons": selectors.reasons_between(first, second),
            "error": error,
            "kept_pk": kept.pk if kept else None,
        }
        return render(self.request, "managers/merge.html", context, status=status)
