"""Continuity of support across operators: transfer a parcours (with the person's consent, for
the categories they agree to share), decide on an incoming transfer, name a co-référent, and
hand a liaison file to a structure outside the platform."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views import View

from cep import selectors as core_selectors
from cep.audit import client_ip
from cep.continuity import selectors, services
from cep.continuity.forms import (
    AcceptForm,
    CoReferentForm,
    LiaisonExportForm,
    RefuseForm,
    TransferForm,
)
from cep.continuity.models import LiaisonFile, Transfer
from cep.forms import add_service_errors
from cep.mixins import OperatorPermissionRequiredMixin, ParcoursViewMixin
from cep.models import Membership
from cep.registries import CATEGORIES
from cep.roles import REVIEW_CASELOAD


class ContinuityView(ParcoursViewMixin, View):
    """The sending side, for one parcours: its transfers and their history, a new transfer, its
    co-référents, the liaison file for a structure outside the platform, and, for a parcours
    received by transfer, the liaison file that came with it."""

    template_name = "continuity/continuity.html"
    # The liaison file of an ended parcours is still handed over; the services refuse a
    # transfer or a new co-référent.
    writes_when_ended = True

    def parcours_queryset(self):
        # A co-référent of another team of the operator reaches it too.
        return core_selectors.parcours_visible_to(self.request.membership).select_related(
            "beneficiary", "referent__user"
        )

    def page(self, **forms_):
        membership = self.request.membership
        context = {
            "title": f"Continuité du parcours — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "transfers": selectors.transfers_of(self.parcours),
            "co_referents": selectors.co_referents_of(self.parcours),
            "liaison": LiaisonFile.objects.filter(parcours=self.parcours)
            .select_related("origin_operator")
            .first(),
            "transfer_form": forms_.get("transfer_form")
            or TransferForm(membership=membership, prefix="transfert"),
            "co_referent_form": forms_.get("co_referent_form")
            or CoReferentForm(parcours=self.parcours, prefix="coref"),
            "export_form": forms_.get("export_form") or LiaisonExportForm(prefix="liaison"),
            "can_name_co_referent": self.parcours.referent_id == membership.pk
            or REVIEW_CASELOAD in self.request.operator_permissions,
        }
        # A refused form comes back with its messages, as a 400.
        status = 400 if any(form.errors for form in forms_.values()) else 200
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, parcours_pk):
        return self.page()

    def post(self, request, parcours_pk):
        action = request.POST.get("action")
        handler = {
            "transfert": self.transfer,
            "co_referent": self.add_co_referent,
            "retirer_co_referent": self.remove_co_referent,
            "liaison": self.export,
        }.get(action)
        if handler is None:
            raise Http404
        return handler(request)

    def transfer(self, request):
        form = TransferForm(request.POST, membership=request.membership, prefix="transfert")
        if form.is_valid():
            try:
                transfer = services.propose_transfer(
                    membership=request.membership,
                    parcours=self.parcours,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if transfer.status == Transfer.Status.PENDING:
                    messages.success(
                        request, f"Transfert envoyé à {transfer.target_operator.name}."
                    )
                else:
                    messages.success(
                        request,
                        "Transfert proposé : la personne est invitée à donner son accord depuis "
                        "son espace ; rien n'est transmis avant.",
                    )
                return redirect("parcours_continuity", parcours_pk=self.parcours.pk)
        return self.page(transfer_form=form)

    def add_co_referent(self, request):
        form = CoReferentForm(request.POST, parcours=self.parcours, prefix="coref")
        if form.is_valid():
            try:
                services.add_co_referent(
                    membership=request.membership,
                    parcours=self.parcours,
                    counsellor=form.cleaned_data["counsellor"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Co-référent ajouté.")
                return redirect("parcours_continuity", parcours_pk=self.parcours.pk)
        return self.page(co_referent_form=form)

    def remove_co_referent(self, request):
        wanted = request.POST.get("counsellor", "")
        counsellor = get_object_or_404(Membership, pk=int(wanted) if wanted.isdigit() else 0)
        try:
            services.remove_co_referent(
                membership=request.membership, parcours=self.parcours, counsellor=counsellor
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{counsellor.display_name} n'est plus co-référent.")
        return redirect("parcours_continuity", parcours_pk=self.parcours.pk)

    def export(self, request):
        form = LiaisonExportForm(request.POST, prefix="liaison")
        if form.is_valid():
            try:
                package = services.export_liaison_package(
                    membership=request.membership,
                    parcours=self.parcours,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                response = HttpResponse(package, content_type="application/zip")
                name = slugify(f"dossier-de-liaison-{self.parcours.beneficiary.last_name}")
                response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
                return response
        return self.page(export_form=form)


class IncomingTransfersView(OperatorPermissionRequiredMixin, View):
    """The receiving side: transfers waiting for a decision, and the record of past ones."""

    permission_required = REVIEW_CASELOAD

    def get(self, request):
        return render(
            request,
            "continuity/transfers_incoming.html",
            {
                "title": "Transferts entrants",
                "pending": selectors.incoming_transfers(request.membership),
                "decided": selectors.decided_incoming(request.membership),
            },
        )


class IncomingTransferView(OperatorPermissionRequiredMixin, View):
    """One incoming transfer: what the person agreed to share, and the decision."""

    permission_required = REVIEW_CASELOAD
    template_name = "continuity/transfer_incoming.html"

    def page(self, transfer, accept_form=None, refuse_form=None):
        refused = any(form is not None and form.errors for form in (accept_form, refuse_form))
        return render(
            self.request,
            self.template_name,
            {
                "title": "Transfert entrant",
                "transfer": transfer,
                "categories": [CATEGORIES[c] for c in transfer.categories],
                "accept_form": accept_form or AcceptForm(prefix="accepter"),
                "refuse_form": refuse_form or RefuseForm(prefix="refuser"),
            },
            status=400 if refused else 200,
        )

    def get(self, request, transfer_pk):
        transfer = selectors.incoming_transfer(request.membership, transfer_pk)
        services.record_transfer_read(
            membership=request.membership, transfer=transfer, ip_address=client_ip(request)
        )
        return self.page(transfer)

    def post(self, request, transfer_pk):
        transfer = selectors.incoming_transfer(request.membership, transfer_pk)
        if request.POST.get("action") == "accepter":
            form = AcceptForm(request.POST, prefix="accepter")
            if form.is_valid():
                try:
                    parcours = services.accept_transfer(
                        membership=request.membership,
                        transfer_id=transfer.pk,
                        referent=form.cleaned_data["referent"],
                        ip_address=client_ip(request),
                    )
                except Transfer.DoesNotExist:
                    raise Http404 from None
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, "Transfert accepté : le dossier est ouvert.")
                    return redirect("beneficiary_detail", beneficiary_pk=parcours.beneficiary_id)
            return self.page(transfer, accept_form=form)
        form = RefuseForm(request.POST, prefix="refuser")
        if form.is_valid():
            try:
                services.refuse_transfer(
                    membership=request.membership,
                    transfer_id=transfer.pk,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            except Transfer.DoesNotExist:
                raise Http404 from None
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "Transfert refusé : l'opérateur d'origine en est informé."
                )
                return redirect("transfers_incoming")
        return self.page(transfer, refuse_form=form)
