from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from cep import accessibility, selectors, services
from cep.audit import client_ip
from cep.file_page import file_blocks, parcours_links
from cep.forms import BeneficiaryForm, NewBeneficiaryForm, ServiceForm, add_service_errors
from cep.home import alerts_for, todo_for
from cep.links import return_path
from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from cep.mixins import OperatorPermissionRequiredMixin
from cep.models import Level, Parcours
from cep.registries import PossibleDuplicate
from cep.roles import REVIEW_CASELOAD

MERGED_FILE = "Ce dossier a été fusionné : voici le dossier conservé, qui réunit tout le suivi."


def home(request):
    """Each role lands on its own page: managers on their team, counsellors on their
    caseload, coordinators on their indicators, the person on their space."""
    if request.membership is not None:
        if REVIEW_CASELOAD in request.operator_permissions:
            return redirect("manager_team")
        return redirect("caseload")
    if request.beneficiary_account is not None:
        return redirect("space:home")
    if request.coordinator is not None:
        return redirect("indicateurs:dashboard")
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "cep/no_membership.html", status=200)


@login_not_required
def accessibility_statement(request):
    """The accessibility declaration: public, the same for everyone, no operator's data."""
    context = {
        "title": "Déclaration d'accessibilité",
        "platform_name": settings.PLATFORM_NAME,
        "status": accessibility.STATUS,
        "rgaa_version": accessibility.RGAA_VERSION,
        "checked_on": accessibility.CHECKED_ON,
        "areas": accessibility.CHECKED_AREAS,
        "checks": accessibility.AUTOMATED_CHECKS,
        "known_issues": accessibility.KNOWN_ISSUES,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
    }
    return render(request, "cep/accessibility.html", context)


@login_not_required
def healthcheck(request):
    return HttpResponse("ok", content_type="text/plain")


class SwitchMembershipView(View):
    """A user with several memberships chooses the operator they act for."""

    def get(self, request):
        if len(request.memberships) < 2:
            raise Http404
        return render(request, "cep/switch_membership.html", {"title": "Changer d'espace"})

    def post(self, request):
        try:
            wanted = int(request.POST.get("membership", ""))
        except ValueError:
            raise Http404 from None
        membership = next((m for m in request.memberships if m.pk == wanted), None)
        if membership is None:
            raise Http404
        request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
        messages.success(request, f"Vous agissez maintenant pour {membership.operator.name}.")
        return redirect("caseload")


class CaseloadView(OperatorPermissionRequiredMixin, TemplateView):
    """The counsellor's home: their caseload, sortable and filtered from the URL, paged by
    keyset, with the alerts and the "À traiter" counts."""

    template_name = "cep/caseload.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET
        today = timezone.localdate()
        search = query.get("q", "")[:100]
        state = query.get("etat", "open")
        if state not in {"open", "closed", "all", "co"}:
            state = "open"
        try:
            level = int(query.get("niveau", ""))
        except ValueError:
            level = None
        if level not in Level.values:
            level = None
        alert = query.get("alerte", "")
        if alert not in selectors.CASELOAD_ALERTS:
            alert = ""
        sort = selectors.parse_sort(query.get("tri"))
        page = selectors.caseload(
            membership=self.request.membership,
            today=today,
            search=search,
            level=level,
            state=state,
            alert=alert,
            sort=sort,
            after=selectors.CaseloadCursor.decode(query.get("apres")),
        )
        for row in page.rows:
            row.next_action = next_action_text(row)
        # The filters as they stand, for the sort links, the first page and the next page.
        kept = {"q": search, "etat": state, "niveau": level or "", "alerte": alert}
        kept = {name: value for name, value in kept.items() if value}
        next_query = None
        if page.next_cursor is not None:
            next_query = urlencode({**kept, "tri": sort, "apres": page.next_cursor.encode()})
        columns = []
        for key, label in selectors.CASELOAD_SORTS.items():
            current = sort.lstrip("-") == key
            descending = current and sort.startswith("-")
            # A click on the current column reverses it; another column starts ascending
            # (the dates of contact, newest first).
            wanted = key if (current and descending) else f"-{key}"
            if not current and key not in {"contact", "ouverture"}:
                wanted = key
            columns.append(
                {
                    "key": key,
                    "label": label,
                    "url": "?" + urlencode({**kept, "tri": wanted}),
                    "aria_sort": ("descending" if descending else "ascending") if current else "",
                }
            )
        return super().get_context_data(
            title="Mon portefeuille",
            alerts=alerts_for(self.request.membership),
            todo=todo_for(self.request.membership, self.request.operator_permissions, today),
            page=page,
            search=search,
            state=state,
            level=level,
            levels=Level.choices,
            alert=alert,
            alert_choices=selectors.CASELOAD_ALERTS.items(),
            sort=sort,
            columns={column["key"]: column for column in columns},
            next_query=next_query,
            first_query=urlencode({**kept, "tri": sort}),
            show_first_page_link="apres" in query,
            **kwargs,
        )


def next_action_text(parcours: Parcours) -> str:
    """What comes next for this parcours, in words."""
    if not parcours.is_open:
        return ""
    if parcours.next_due is not None:
        what = parcours.next_action_label or "Action"
        return f"{what} — échéance du {parcours.next_due:%d/%m/%Y}"
    if parcours.last_contact_on is None:
        return "Premier entretien à fixer"
    return ""


class BeneficiaryCreateView(OperatorPermissionRequiredMixin, View):
    template_name = "cep/beneficiary_form.html"

    def get(self, request):
        return self._render(NewBeneficiaryForm())

    def post(self, request):
        form = NewBeneficiaryForm(request.POST)
        duplicates = []
        if form.is_valid():
            try:
                beneficiary = services.create_beneficiary(
                    membership=request.membership,
                    ip_address=client_ip(request),
                    confirm_distinct=request.POST.get("confirm_distinct") == "1",
                    **form.cleaned_data,
                )
            except PossibleDuplicate as warning:
                # Not an error of the form: the counsellor opens a file or confirms.
                duplicates = warning.candidates
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{beneficiary.full_name} a été enregistré(e).")
                return redirect("beneficiary_detail", beneficiary_pk=beneficiary.pk)
        return self._render(form, status=409 if duplicates else 400, duplicates=duplicates)

    def _render(self, form, status=200, duplicates=()):
        context = {
            "form": form,
            "title": "Nouveau bénéficiaire",
            "is_new": True,
            "duplicates": duplicates,
        }
        return render(self.request, self.template_name, context, status=status)


class BeneficiaryUpdateView(OperatorPermissionRequiredMixin, View):
    template_name = "cep/beneficiary_form.html"

    def get_beneficiary(self, pk):
        return get_object_or_404(selectors.beneficiaries_visible_to(self.request.membership), pk=pk)

    def get(self, request, beneficiary_pk):
        beneficiary = self.get_beneficiary(beneficiary_pk)
        if beneficiary.merged_into_id:
            return redirect("beneficiary_update", beneficiary_pk=beneficiary.merged_into_id)
        return self._render(BeneficiaryForm(instance=beneficiary), beneficiary)

    def post(self, request, beneficiary_pk):
        beneficiary = self.get_beneficiary(beneficiary_pk)
        if beneficiary.merged_into_id:
            return redirect("beneficiary_detail", beneficiary_pk=beneficiary.merged_into_id)
        form = BeneficiaryForm(request.POST, instance=beneficiary)
        duplicates = []
        if form.is_valid():
            try:
                services.update_beneficiary(
                    membership=request.membership,
                    beneficiary=beneficiary,
                    ip_address=client_ip(request),
                    confirm_distinct=request.POST.get("confirm_distinct") == "1",
                    **form.cleaned_data,
                )
            except PossibleDuplicate as warning:
                # The new e-mail, phone or identifier is another file's: nothing was saved.
                duplicates = warning.candidates
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Les informations ont été mises à jour.")
                return redirect("beneficiary_detail", beneficiary_pk=beneficiary.pk)
        status = 409 if duplicates else 400
        return self._render(form, beneficiary, status=status, duplicates=duplicates)

    def _render(self, form, beneficiary, status=200, duplicates=()):
        context = {
            "form": form,
            "beneficiary": beneficiary,
            "title": f"Modifier — {beneficiary.full_name}",
            "duplicates": duplicates,
        }
        return render(self.request, self.template_name, context, status=status)


class BeneficiaryDetailView(OperatorPermissionRequiredMixin, View):
    def get(self, request, beneficiary_pk):
        beneficiary = selectors.beneficiary_file(membership=request.membership, pk=beneficiary_pk)
        if beneficiary.merged_into_id:
            # A merged file is a tombstone: its page is the kept file's (cep.duplicates).
            messages.info(request, MERGED_FILE)
            return redirect("beneficiary_detail", beneficiary_pk=beneficiary.merged_into_id)
        services.record_beneficiary_read(
            membership=request.membership, beneficiary=beneficiary, ip_address=client_ip(request)
        )
        for parcours in beneficiary.parcours.all():  # the prefetched list the template reads
            parcours.page_links = parcours_links(parcours)
        context = {
            "title": beneficiary.full_name,
            "beneficiary": beneficiary,
            "open_parcours": selectors.open_parcours_of(beneficiary),
            "can_anonymise": REVIEW_CASELOAD in request.operator_permissions,
            "file_blocks": file_blocks(request, beneficiary),
        }
        return render(request, "cep/beneficiary_detail.html", context)


class BeneficiaryPostView(OperatorPermissionRequiredMixin, View):
    """A small form of the beneficiary page; the outcome is told in a message."""

    success = ""

    def post(self, request, beneficiary_pk, **kwargs):
        beneficiary = selectors.beneficiary_file(membership=request.membership, pk=beneficiary_pk)
        if beneficiary.merged_into_id:
            messages.error(request, MERGED_FILE)
            return redirect("beneficiary_detail", beneficiary_pk=beneficiary.merged_into_id)
        try:
            self.perform(request, beneficiary, **kwargs)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.success)
        return redirect("beneficiary_detail", beneficiary_pk=beneficiary.pk)


class ServiceCreateView(OperatorPermissionRequiredMixin, View):
    template_name = "cep/service_form.html"

    def get_parcours(self, pk) -> Parcours:
        return get_object_or_404(
            selectors.parcours_visible_to(self.request.membership).select_related("beneficiary"),
            pk=pk,
        )

    def get(self, request, parcours_pk):
        parcours = self.get_parcours(parcours_pk)
        return self._render(ServiceForm(), parcours)

    def post(self, request, parcours_pk):
        parcours = self.get_parcours(parcours_pk)
        parcours.require_open()
        form = ServiceForm(request.POST)
        if form.is_valid():
            try:
                services.record_service(
                    membership=request.membership,
                    parcours=parcours,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La prestation a été enregistrée.")
                # Opened from a workspace, saving returns to it; otherwise to the file.
                back = return_path(request)
                if back is not None:
                    return redirect(back)
                url = reverse(
                    "beneficiary_detail", kwargs={"beneficiary_pk": parcours.beneficiary_id}
                )
                return redirect(f"{url}#parcours-{parcours.pk}")
        return self._render(form, parcours, status=400)

    def _render(self, form, parcours, status=200):
        context = {
            "form": form,
            "parcours": parcours,
            "return_path": return_path(self.request),
            "title": f"Nouvelle prestation — {parcours.beneficiary.full_name}",
        }
        return render(self.request, self.template_name, context, status=status)


def who_acted(event, own_user_id: int | None = None) -> str:
    """The author of an audit event, in words the person and the manager read."""
    if event.membership is not None:
        return f"{event.membership.display_name} ({event.membership.operator.name})"
    if own_user_id is not None and event.user_id == own_user_id:
        return "Vous, depuis votre espace"
    if event.details.get("par"):
        return f"{event.details['par']} (autre opérateur)"
    if event.details.get("depuis") == "espace bénéficiaire":
        return "La personne, depuis son espace"
    return "Traitement automatique ou lien envoyé à la personne"


class AccessLogView(OperatorPermissionRequiredMixin, View):
    """Who accessed this file: for the operator's managers. Reading it is itself recorded."""

    permission_required = REVIEW_CASELOAD

    def get(self, request, beneficiary_pk):
        beneficiary = selectors.beneficiary_file(membership=request.membership, pk=beneficiary_pk)
        if beneficiary.merged_into_id:
            return redirect("beneficiary_access_log", beneficiary_pk=beneficiary.merged_into_id)
        events = selectors.access_log(beneficiary)
        services.record_access_log_read(
            membership=request.membership, beneficiary=beneficiary, ip_address=client_ip(request)
        )
        rows = [(event, who_acted(event)) for event in events]
        return render(
            request,
            "cep/access_log.html",
            {"title": "Qui a consulté ce dossier", "beneficiary": beneficiary, "rows": rows},
        )
