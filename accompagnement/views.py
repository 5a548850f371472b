from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accompagnement import history, selectors, services
from accompagnement.diff import diff_versions
from accompagnement.forms import (
    EDIT_HEADINGS,
    ITEM_FORMS,
    ITEM_NAMES,
    ContactForm,
    DeclaredFactsForm,
    FundingAnswerForm,
    OverrideForm,
    ReviseForm,
    SchemesForm,
)
from accompagnement.funding_rules import SCHEMES, Facts, MissingFundingParameter, evaluate_all
from accompagnement.models import (
    Action,
    DeclaredFacts,
    ExternalService,
    FundingRequest,
    PlanItemChange,
)
from cep import services as core
from cep.audit import client_ip
from cep.forms import add_service_errors
from cep.mixins import ParcoursViewMixin
from conseil.forms import AgreementForm


def item_form(kind, data, parcours, version, instance=None):
    """The form of one kind of item, its choices taken from the version, its dates checked
    against the parcours."""
    form_class, _ = ITEM_FORMS[kind]
    kwargs = {"instance": instance}
    if kind in ("action", "funding"):
        kwargs["version"] = version
    if kind in ("step", "action", "training", "external"):
        kwargs["opened_on"] = parcours.opened_on
    return form_class(data, **kwargs)


# The URL parameter naming each kind of item (<model>_pk, as the isolation walk reads it).
ITEM_PARAMS = {
    "step": "step_pk",
    "action": "action_pk",
    "training": "trainingpath_pk",
    "external": "externalservice_pk",
    "cost": "costline_pk",
    "funding": "fundingrequest_pk",
}

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
        return self.render_plan(number)

    def render_plan(self, number=None, *, agreement_form=None, status=200):
        """The plan page; `agreement_form` bound to what was typed when the agreement was
        refused, so the date and channel stay with the errors next to them."""
        request = self.request
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
            "editable": version.number == versions[0]["number"]
            and version.is_draft
            and self.parcours.is_open,
            "summary": selectors.funding_summary(
                version, declared, beneficiary=self.parcours.beneficiary
            ),
            "timeline": selectors.timeline(version),
            "verdicts": verdicts,
            "schemes": SCHEMES,
            "verdict_labels": VERDICT_LABELS,
            "contacts": self.plan.contacts.select_related("recorded_by__user")[:50],
            "agreement_form": agreement_form
            or AgreementForm(initial={"agreed_on": timezone.localdate()}),
            "revise_form": ReviseForm(),
            "action_statuses": Action.Status.choices,
            "funding_statuses": FundingRequest.Status.choices,
        }
        return render(request, "accompagnement/plan.html", context, status=status)


class AddItemView(PlanMixin):
    kind = ""

    def form(self, data=None):
        return item_form(self.kind, data, self.parcours, services.latest_version(self.plan))

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


class ItemMixin(PlanMixin):
    """A page of one item of the plan; an item of a version the person agreed to (or revised
    since) refuses every change, with the reason, on the plan page."""

    kind = ""

    def dispatch(self, request, *args, **kwargs):
        self.item_pk = kwargs.pop(ITEM_PARAMS[self.kind])
        return super().dispatch(request, *args, **kwargs)

    def parcours_loaded(self) -> None:
        super().parcours_loaded()
        model, _ = services.ITEM_MODELS[self.kind]
        self.item = get_object_or_404(
            model.objects.select_related("version"), pk=self.item_pk, version__plan=self.plan
        )

    def refusal(self):
        """The plan page with the reason, if the item cannot change."""
        try:
            services.draft_item(plan=self.plan, item_type=self.kind, pk=self.item.pk)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.back()
        return None


class EditItemView(ItemMixin):
    def form(self, data=None):
        return item_form(self.kind, data, self.parcours, self.item.version, instance=self.item)

    def get(self, request, parcours_pk):
        return self.refusal() or self.render(self.form())

    def post(self, request, parcours_pk):
        if refused := self.refusal():
            return refused
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.update_item(
                    membership=request.membership,
                    plan=self.plan,
                    item_type=self.kind,
                    pk=self.item.pk,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La correction est enregistrée.")
                return self.back()
        return self.render(form, status=400)

    def render(self, form, status=200):
        heading = EDIT_HEADINGS[self.kind]
        context = {
            "form": form,
            "heading": heading,
            "title": f"{heading} — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "choice_notice": self.kind in ("training", "external"),
            "delete_url": reverse(
                f"accompagnement:delete_{self.kind}",
                kwargs={"parcours_pk": self.parcours.pk, ITEM_PARAMS[self.kind]: self.item.pk},
            ),
            "training_line_notice": self.kind == "training",
        }
        return render(self.request, "accompagnement/item_form.html", context, status=status)


class DeleteItemView(ItemMixin):
    """Removing an item is confirmed (POST); the page says what goes with it."""

    def get(self, request, parcours_pk):
        if refused := self.refusal():
            return refused
        name = ITEM_NAMES[self.kind]
        label = history.label_of(self.item)
        context = {
            "title": f"Retirer {name} — {self.parcours.beneficiary.full_name}",
            "heading": f"Retirer {name} « {label} » ?",
            "parcours": self.parcours,
            "dependents": [
                (PlanItemChange.Kind(history.KINDS[type(d)]).label, history.label_of(d))
                for d in services.removed_with(self.item)
            ],
        }
        return render(request, "accompagnement/item_delete.html", context)

    def post(self, request, parcours_pk):
        if refused := self.refusal():
            return refused
        try:
            services.delete_item(
                membership=request.membership, plan=self.plan, item_type=self.kind, pk=self.item.pk
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "L'élément est retiré du plan ; l'historique le garde.")
        return self.back()


class SchemesView(PlanMixin):
    """The schemes and services to mobilise, a text of the draft."""

    def get(self, request, parcours_pk, form=None, status=200):
        try:
            version = services.editable_draft(self.plan)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back()
        context = {
            "form": form or SchemesForm(initial={"notes": version.schemes_notes}),
            "heading": "Dispositifs et services à mobiliser",
            "title": f"Dispositifs — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
        }
        return render(request, "accompagnement/item_form.html", context, status=status)

    def post(self, request, parcours_pk):
        form = SchemesForm(request.POST)
        if form.is_valid():
            try:
                services.set_schemes_notes(
                    membership=request.membership, plan=self.plan, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return self.back()
            messages.success(request, "Les dispositifs à mobiliser sont enregistrés.")
            return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


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


class AgreementView(PlanView):
    """The person's agreement: refused, the plan page comes back with what was typed (the date,
    the channel) and each error next to its field."""

    http_method_names = ["post"]

    def post(self, request, parcours_pk):
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.record_plan_agreement(
                    membership=request.membership, plan=self.plan, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "L'accord de la personne est enregistré : le plan est validé."
                )
                return self.back()
        return self.render_plan(agreement_form=form, status=400)


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
    """What changed between two versions, and the history of the corrections made to each
    version of the range while it was a draft (who, when, before → after)."""

    def get(self, request, parcours_pk):
        versions = {v.number: v for v in self.plan.versions.all()}
        numbers = sorted(versions)
        try:
            before = versions[int(request.GET.get("de", ""))]
            after = versions[int(request.GET.get("a", ""))]
        except (ValueError, KeyError):
            # One version: its history alone; more: the last two.
            before, after = (
                versions[numbers[-2] if len(numbers) > 1 else numbers[-1]],
                versions[numbers[-1]],
            )
        if before.number > after.number:
            before, after = after, before
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
            "changes": diff_versions(before, after) if before.pk != after.pk else None,
            "history": selectors.plan_history(self.plan, before.number, after.number),
            "numbers": numbers,
            "plan_url": reverse("accompagnement:plan", kwargs={"parcours_pk": self.parcours.pk}),
        }
        return render(request, "accompagnement/diff.html", context)
