"""Managers' pages: the team view, one counsellor's caseload, the parcours to follow up, and
reassignment. Only for a role with REVIEW_CASELOAD (404 otherwise); every list exports as CSV,
within the manager's operator, audited."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cep import services as core_services
from cep.audit import client_ip, log_event
from cep.exports import ExportTable, export_response
from cep.forms import add_service_errors
from cep.home import todo_for
from cep.managers import selectors, services
from cep.managers.forms import (
    FollowUpFilterForm,
    HandOverForm,
    PeriodForm,
    ReassignForm,
    SecuritySettingsForm,
)
from cep.managers.selectors import retention_report
from cep.managers.team import in_days, team_figures
from cep.mixins import OperatorPermissionRequiredMixin
from cep.models import AuditEvent, Membership
from cep.roles import MANAGE_OPERATOR, REVIEW_CASELOAD
from cep.views import BeneficiaryPostView


class ManagerMixin(OperatorPermissionRequiredMixin):
    permission_required = REVIEW_CASELOAD

    def wants_csv(self) -> bool:
        return self.request.GET.get("format") == "csv"

    def csv_response(self, name: str, title: str, header: list[str], rows) -> HttpResponse:
        """The list as a CSV download (cep.exports: formulas neutralised), audited."""
        count = 0

        def counted():
            nonlocal count
            for row in rows:
                count += 1
                yield row

        response = export_response(
            ExportTable(title=title, columns=header, rows=counted()), fmt="csv", filename=name
        )
        log_event(
            membership=self.request.membership,
            action=AuditEvent.Action.EXPORT,
            obj=self.request.membership.operator,
            ip_address=client_ip(self.request),
            details={"export": name, "lignes": count},
        )
        return response


def display(value) -> str:
    value = in_days(value)
    return "" if value is None else str(value)


class TeamView(ManagerMixin, View):
    def get(self, request):
        today = timezone.localdate()
        form = PeriodForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        period = selectors.period_of(
            data.get("periode") or "", data.get("du"), data.get("au"), today
        )
        site = data.get("site")
        rows = selectors.team_rows(period=period, today=today, site_id=site.pk if site else None)
        figures = team_figures()
        sort = request.GET.get("tri", "")
        if sort.lstrip("-") in {f.key for f in figures}:
            key = sort.lstrip("-")
            rows.sort(
                key=lambda r: (getattr(r, key) is None, getattr(r, key) or 0),
                reverse=sort.startswith("-"),
            )
        if self.wants_csv():
            return self.csv_response(
                "equipe",
                "Mon équipe",
                ["conseiller", "rôle", *[f.label for f in figures]],
                (
                    [
                        r.display_name,
                        r.get_role_display(),
                        *[in_days(getattr(r, f.key)) for f in figures],
                    ]
                    for r in rows
                ),
            )
        table = [
            {"membership": r, "values": [display(getattr(r, f.key)) for f in figures]} for r in rows
        ]
        sites = [
            {
                "site": total["site"],
                "counsellors": total["counsellors"],
                "values": [display(total["values"].get(f.key)) for f in figures],
            }
            for total in selectors.site_totals(rows, [f.key for f in figures])
        ]
        context = {
            "title": "Mon équipe",
            "todo": todo_for(request.membership, request.operator_permissions, today),
            "form": form,
            "period": period,
            "period_last_day": period.end - timedelta(days=1),
            "figures": figures,
            "table": table,
            "sites": sites,
            "sort": sort,
            "query": request.GET.urlencode(),
        }
        return render(request, "managers/team.html", context)


class CounsellorCaseloadView(ManagerMixin, View):
    def get(self, request, membership_pk, form=None, status=200):
        counsellor = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk)
        today = timezone.localdate()
        ended = request.GET.get("termines") == "1"
        parcours = list(
            selectors.counsellor_parcours(counsellor=counsellor, today=today, ended=ended)[:500]
        )
        if self.wants_csv():
            return self.csv_response(
                f"portefeuille-{counsellor.pk}",
                f"Portefeuille de {counsellor.display_name}",
                ["bénéficiaire", "niveau", "ouvert le", "dernier contact", "prochaine échéance"],
                (
                    [
                        p.beneficiary.full_name,
                        p.current_level,
                        p.opened_on,
                        p.last_contact_on,
                        getattr(p, "next_due", None),
                    ]
                    for p in parcours
                ),
            )
        context = {
            "title": f"Portefeuille de {counsellor.display_name}",
            "counsellor": counsellor,
            "parcours": parcours,
            "ended": ended,
            "today": today,
            "stale_before": today - timedelta(days=settings.STALE_PARCOURS_DAYS),
            "form": form or HandOverForm(exclude=counsellor.pk),
        }
        return render(request, "managers/counsellor.html", context, status=status)

    def post(self, request, membership_pk):
        counsellor = get_object_or_404(Membership, pk=membership_pk)
        form = HandOverForm(request.POST, exclude=counsellor.pk)
        if form.is_valid():
            try:
                moved = services.hand_over_caseload(
                    membership=request.membership,
                    leaving=counsellor,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                    deactivate=form.cleaned_data["deactivate"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"{moved} parcours confiés à {form.cleaned_data['to'].display_name}."
                )
                return redirect("manager_team")
        return self.get(request, membership_pk, form=form, status=400)


class FollowUpView(ManagerMixin, View):
    def get(
        self,
        request,
        reassign_form=None,
        selected=frozenset(),
        parcours_errors=(),
        back=None,
        status=200,
    ):
        form = FollowUpFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        kind = data.get("liste") or "sans-referent"
        site = data.get("site")
        filters = selectors.ListFilters(
            site=site.pk if site else None,
            level=data.get("niveau"),
            status_group=data.get("situation") or "",
            job_seeker=data.get("categorie") or "",
            age_band=data.get("age") or "",
            rqth=data.get("rqth") or "",
        )
        rows = selectors.followup_list(kind=kind, filters=filters, today=timezone.localdate())
        if self.wants_csv():
            return self.csv_response(
                kind,
                selectors.LISTS[kind],
                ["bénéficiaire", "niveau", "ouvert le", "dernier contact", "référent"],
                (
                    [
                        p.beneficiary.full_name,
                        p.current_level,
                        p.opened_on,
                        p.last_contact_on,
                        p.referent.display_name if p.referent else "",
                    ]
                    for p in rows.iterator(chunk_size=2000)
                ),
            )
        context = {
            "title": selectors.LISTS[kind],
            "kind": kind,
            "lists": selectors.LISTS,
            "form": form,
            "rows": list(rows[: selectors.LIST_PAGE_SIZE]),
            "page_size": selectors.LIST_PAGE_SIZE,
            "reassign_form": reassign_form or ReassignForm(),
            "selected": selected,
            "parcours_errors": parcours_errors,
            "back": back or request.get_full_path(),
            "query": request.GET.urlencode(),
        }
        return render(request, "managers/followup.html", context, status=status)


class ReassignView(ManagerMixin, View):
    def post(self, request):
        form = ReassignForm(request.POST)
        try:
            ids = [int(v) for v in request.POST.getlist("parcours")]
        except ValueError:
            ids = []
        back = request.POST.get("retour", "")
        if not back.startswith("/gestion/"):
            back = reverse("manager_followup")
        # The ticks are the table's checkbox column, not a field of the form: their error is shown
        # on that column (parcours_errors), the others next to their fields.
        parcours_errors = [] if ids else ["Cochez au moins un parcours."]
        if form.is_valid() and ids:
            try:
                moved = services.reassign_parcours(
                    membership=request.membership,
                    parcours_ids=ids,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    parcours_errors = [e for v in error.error_dict.pop("parcours", []) for e in v]
                if not hasattr(error, "error_dict") or error.error_dict:
                    add_service_errors(form, error)
            else:
                messages.success(
                    request, f"{moved} parcours confiés à {form.cleaned_data['to'].display_name}."
                )
                return redirect(back)
        # Refused: the list again, its filters from the page the form came from, the errors
        # next to their fields, the typed values and the ticks kept.
        request.GET = QueryDict(urlsplit(back).query, mutable=True)
        request.GET.pop("format", None)
        followup = FollowUpView()
        followup.setup(request)
        return followup.get(
            request,
            reassign_form=form,
            selected=frozenset(ids),
            parcours_errors=parcours_errors,
            back=back,
            status=400,
        )


class RetentionView(ManagerMixin, View):
    """The retention job's dry run: the files it will anonymise tonight, and those a legal
    retention keeps."""

    def get(self, request):
        rows = retention_report(today=timezone.localdate())
        if self.wants_csv():
            return self.csv_response(
                "conservation",
                "Conservation des dossiers",
                ["Personne", "Dernier contact", "Décision"],
                (
                    [
                        row.beneficiary.full_name,
                        row.last_contact,
                        row.kept_because or "Sera anonymisé",
                    ]
                    for row in rows
                ),
            )
        return render(
            request,
            "managers/retention.html",
            {
                "title": "Conservation des dossiers",
                "rows": rows,
                "days": settings.FILE_RETENTION_DAYS,
                "to_anonymise": sum(1 for row in rows if not row.kept_because),
            },
        )


class SecuritySettingsView(OperatorPermissionRequiredMixin, View):
    """The operator's login rule for counsellors, and who has set up their second factor."""

    permission_required = MANAGE_OPERATOR

    def get(self, request):
        form = SecuritySettingsForm(
            initial={"counsellors_use_2fa": request.operator.counsellors_use_2fa}
        )
        return self.render(form)

    def post(self, request):
        form = SecuritySettingsForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        core_services.set_counsellors_second_factor(
            membership=request.membership,
            required=form.cleaned_data["counsellors_use_2fa"],
            ip_address=client_ip(request),
        )
        messages.success(request, "La règle de connexion est enregistrée.")
        return redirect("manager_security")

    def render(self, form, status=200):
        context = {
            "title": "Sécurité des connexions",
            "form": form,
            "team": selectors.second_factor_status(),
        }
        return render(self.request, "managers/security.html", context, status=status)


class AnonymiseBeneficiaryView(BeneficiaryPostView):
    permission_required = REVIEW_CASELOAD
    success = "Le dossier est anonymisé : il ne reste que des données non nominatives."

    def perform(self, request, beneficiary):
        services.anonymise_beneficiary(
            membership=request.membership, beneficiary=beneficiary, ip_address=client_ip(request)
        )
