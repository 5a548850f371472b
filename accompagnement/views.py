from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accompagnement import selectors, services
from accompagnement.diff import diff_versions
from accompagnement.forms import (
    ITEM_FORMS,
    ContactForm,
    DeclaredFactsForm,
    FundingAnswerForm,
    OverrideForm,
    ReviseForm,
)
from accompagnement.funding_rules import SCHEMES, Facts, MissingFundingParameter, evaluate_all
from accompagnement.models import Action, DeclaredFacts, ExternalService, FundingRequest
from cep import services as core
from cep.audit import client_ip
from cep.forms import add_service_errors
from cep.mixins import ParcoursViewMixin
from conseil.forms import AgreementForm

VERDICT_LABELS = {"eligible": "éligible", "not_eligible": "non éligible", "unknown": "à vérifier"}


class PlanMixin(ParcoursViewMixin, View):
    """A page of the action plan of one parcours: the plan is loaded with it."""

    def parcours_loaded(self) -> None:
        self.plan = selectors.plan_of(self.parcours)

    def back(self):
        return redirect("accompagnement:plan", parcours_pk=self.parcours.pk)


class PlanView(PlanMixin):
    def get(self, request, parcours_pk):
        try:
            number = int(request.GET["version"]) if "version" in request.GET else None
        except ValueError:
            number = None
        version = selectors.version_page(self.plan, number)
        core.record_beneficiary_read(
            membership=request.membership,
            beneficiary=self.parcours.beneficiary,
            ip_address=client_ip(request),
        )
        declared = DeclaredFacts.objects.filter(parcours=self.parcours).first()
        try:
            verdicts = evaluate_all(
                Facts.from_records(self.parcours.beneficiary, declared), timezone.localdate()
            )
        except MissingFundingParameter as error:
            # The plan stays usable; the missing parameter is for platform staff to add.
            verdicts = {}
            messages.warning(request, str(error))
        versions = list(self.plan.versions.order_by("-number").values("number", "status"))
        context = {
            "title": f"Plan d'action — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "beneficiary": self.parcours.beneficiary,
            "version": version,
            "versions": versions,
            "is_latest": version.number == versions[0]["number"],
            "summary": selectors.funding_summary(
                version, declared, beneficiary=self.parcours.beneficiary
            ),
            "timeline": selectors.timeline(version),
            "verdicts": verdicts,
            "schemes": SCHEMES,
            "verdict_labels": VERDICT_LABELS,
            "contacts": self.plan.contacts.select_related("recorded_by__user")[:50],
            "agreement_form": AgreementForm(initial={"agreed_on": timezone.localdate()}),
            "revise_form": ReviseForm(),
            "action_statuses": Action.Status.choices,
            "funding_statuses": FundingRequest.Status.choices,
        }
        return render(request, "accompagnement/plan.html", context)


class AddItemView(PlanMixin):
    kind = ""

    def form(self, data=None):
        form_class, _ = ITEM_FORMS[self.kind]
        version = services.latest_version(self.plan)
        if self.kind in ("action", "funding"):
            return form_class(data, version=version)
        return form_class(data)

    def get(self, request, parcours_pk):
        return self.render(self.form())

    def post(self, request, parcours_pk):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.add_item(
                    membership=request.membership,
                    plan=self.plan,
                    item_type=self.kind,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le plan est complété.")
                return self.back()
        return self.render(form, status=400)

    def render(self, form, status=200):
        heading = ITEM_FORMS[self.kind][1]
        context = {
            "form": form,
            "heading": heading,
            "title": f"{heading} — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "choice_notice": self.kind in ("training", "external"),
        }
        return render(self.request, "accompagnement/item_form.html", context, status=status)


class FactsView(PlanMixin):
    def get(self, request, parcours_pk, form=None, status=200):
        core.record_beneficiary_read(
            membership=request.membership,
            beneficiary=self.parcours.beneficiary,
            ip_address=client_ip(request),
        )
        declared = DeclaredFacts.objects.filter(parcours=self.parcours).first()
        context = {
            "form": form or DeclaredFactsForm(instance=declared),
            "heading": "Faits déclarés pour le financement",
            "title": f"Faits déclarés — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
        }
        return render(request, "accompagnement/item_form.html", context, status=status)

    def post(self, request, parcours_pk):
        form = DeclaredFactsForm(request.POST)
        if form.is_valid():
            try:
                services.save_declared_facts(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Les faits déclarés sont enregistrés.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class ContactView(PlanMixin):
    def get(self, request, parcours_pk, form=None, status=200):
        context = {
            "form": form or ContactForm(initial={"contacted_on": timezone.localdate()}),
            "heading": "Noter un échange avec un financeur ou un organisme",
            "title": f"Échange — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
        }
        return render(request, "accompagnement/item_form.html", context, status=status)

    def post(self, request, parcours_pk):
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.log_contact(
                    membership=request.membership, plan=self.plan, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "L'échange est noté.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class PlanPostView(PlanMixin):
    """A small form posted from the plan page: the outcome is told in a message."""

    form_class = None
    success = ""

    def post(self, request, parcours_pk, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return self.back()
        try:
            self.perform(form.cleaned_data, **kwargs)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.success)
        return self.back()


class AgreementView(PlanPostView):
    form_class = AgreementForm
    success = "L'accord de la personne est enregistré : le plan est validé."

    def perform(self, data):
        services.record_plan_agreement(membership=self.request.membership, plan=self.plan, **data)


class ReviseView(PlanPostView):
    form_class = ReviseForm
    success = "Une nouvelle version du plan est ouverte ; la version validée reste consultable."

    def perform(self, data):
        services.revise_plan(membership=self.request.membership, plan=self.plan, **data)


class ActionStatusView(PlanPostView):
    success = "L'action est mise à jour."

    def post(self, request, parcours_pk, action_pk):
        action = get_object_or_404(
            Action.objects.select_related("version__plan__parcours"),
            pk=action_pk,
            version__plan=self.plan,
        )
        try:
            services.set_action_status(
                membership=request.membership, action=action, status=request.POST.get("status", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.success)
        return self.back()


class FundingAnswerView(PlanPostView):
    form_class = FundingAnswerForm
    success = "La demande de financement est mise à jour."

    def perform(self, data, fundingrequest_pk):
        request = get_object_or_404(FundingRequest, pk=fundingrequest_pk, version__plan=self.plan)
        services.record_funding_answer(membership=self.request.membership, request=request, **data)


class OverrideView(PlanPostView):
    form_class = OverrideForm
    success = "Votre avis sur l'éligibilité est noté."

    def perform(self, data, fundingrequest_pk):
        request = get_object_or_404(
            FundingRequest.objects.select_related("version__plan__parcours"),
            pk=fundingrequest_pk,
            version__plan=self.plan,
        )
        services.override_verdict(membership=self.request.membership, request=request, **data)


class FollowUpView(PlanMixin):
    def post(self, request, parcours_pk, externalservice_pk):
        service = get_object_or_404(
            ExternalService.objects.select_related("version__plan__parcours"),
            pk=externalservice_pk,
            version__plan=self.plan,
        )
        try:
            services.record_follow_up(
                membership=request.membership,
                external_service=service,
                notes=request.POST.get("follow_up_notes", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Le suivi de la prestation est noté.")
        return self.back()


class DiffView(PlanMixin):
    def get(self, request, parcours_pk):
        versions = {v.number: v for v in self.plan.versions.all()}
        try:
            before = versions[int(request.GET.get("de", ""))]
            after = versions[int(request.GET.get("a", ""))]
        except (ValueError, KeyError):
            numbers = sorted(versions)
            if len(numbers) < 2:
                messages.info(request, "Le plan n'a qu'une version.")
                return self.back()
            before, after = versions[numbers[-2]], versions[numbers[-1]]
        core.record_beneficiary_read(
            membership=request.membership,
            beneficiary=self.parcours.beneficiary,
            ip_address=client_ip(request),
        )
        context = {
            "title": f"Comparer les versions — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "before": before,
            "after": after,
            "changes": diff_versions(before, after),
            "numbers": sorted(versions),
            "plan_url": reverse("accompagnement:plan", kwargs={"parcours_pk": self.parcours.pk}),
        }
        return render(request, "accompagnement/diff.html", context)
