from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accueil import selectors, services
from accueil.forms import (
    INTAKE_STEPS,
    AttendanceForm,
    CancelSessionForm,
    InformationForm,
    OutcomeForm,
    RoutingForm,
    RoutingRuleForm,
    RoutingStatusForm,
    SessionForm,
    StructureForm,
)
from accueil.models import (
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingRule,
    SessionRegistration,
    Structure,
)
from accueil.routing import PersonFacts
from cep import services as core
from cep.audit import client_ip
from cep.duplicates.matching import PersonKeys, candidates
from cep.file_page import level_page_url
from cep.forms import add_service_errors
from cep.mixins import OperatorPermissionRequiredMixin
from cep.models import BENEFICIARY_FIELDS, Beneficiary
from cep.registries import PossibleDuplicate
from cep.roles import MANAGE_OPERATOR

INTAKE_DRAFT_KEY = "accueil_intake_draft"


class IntakeView(OperatorPermissionRequiredMixin, View):
    """Intake in three short steps; the draft lives in the session until the last one."""

    template_name = "accueil/intake.html"

    def step_number(self) -> int:
        try:
            step = int(self.request.GET.get("etape", "1"))
        except ValueError:
            step = 1
        return step if 1 <= step <= len(INTAKE_STEPS) else 1

    def draft(self) -> dict:
        return self.request.session.get(INTAKE_DRAFT_KEY, {})

    def bound(self, step: int, data=None):
        form_class = INTAKE_STEPS[step - 1][0]
        data = data if data is not None else self.draft().get(str(step))
        return form_class(data) if data is not None else form_class()

    def first_invalid_step(self, before: int) -> int | None:
        for step in range(1, before):
            form = self.bound(step)
            if not form.is_bound or not form.is_valid():
                return step
        return None

    def get(self, request):
        step = self.step_number()
        if (missing := self.first_invalid_step(step)) is not None:
            return redirect(f"{reverse('accueil:intake')}?etape={missing}")
        form = self.bound(step)
        if step == len(INTAKE_STEPS) and not form.is_bound:
            form = INTAKE_STEPS[step - 1][0](initial={"received_on": timezone.localdate()})
        return self.render(form, step)

    def post(self, request):
        step = self.step_number()
        if (missing := self.first_invalid_step(step)) is not None:
            return redirect(f"{reverse('accueil:intake')}?etape={missing}")
        data = {key: value for key, value in request.POST.lists() if key != "csrfmiddlewaretoken"}
        data = {key: values if len(values) > 1 else values[0] for key, values in data.items()}
        form = self.bound(step, data)
        if not form.is_valid():
            return self.render(form, step, status=400)
        if step == 1 and data.get("confirm_distinct") != "1":
            # The operator's files that may be this person, before going any further.
            duplicates = candidates(
                PersonKeys.of(
                    operator_id=request.membership.operator_id,
                    **{
                        name: form.cleaned_data.get(name)
                        for name in (
                            "first_name",
                            "last_name",
                            "birth_date",
                            "email",
                            "phone",
                            "france_travail_id",
                        )
                    },
                )
            )
            if duplicates:
                return self.render(form, step, status=409, duplicates=duplicates)
        draft = {**self.draft(), str(step): data}
        request.session[INTAKE_DRAFT_KEY] = draft
        if step < len(INTAKE_STEPS):
            return redirect(f"{reverse('accueil:intake')}?etape={step + 1}")
        person_form, situation_form = self.bound(1), self.bound(2)
        person_form.is_valid()
        situation_form.is_valid()
        # Steps 1 and 2 hold the person's field set; the rest of step 2 is the request's.
        answers = {**person_form.cleaned_data, **situation_form.cleaned_data}
        person = {name: answers.pop(name) for name in BENEFICIARY_FIELDS}
        try:
            intake = services.record_intake(
                membership=request.membership,
                person=person,
                ip_address=client_ip(request),
                confirm_distinct=self.draft()["1"].get("confirm_distinct") == "1",
                **answers,
                **form.cleaned_data,
            )
        except PossibleDuplicate as warning:
            # A file was created meanwhile: back to the person, with it.
            return self.render(person_form, 1, status=409, duplicates=warning.candidates)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render(form, step, status=400)
        del request.session[INTAKE_DRAFT_KEY]
        messages.success(request, "La demande est enregistrée et le parcours est ouvert.")
        return redirect("accueil:request_detail", intakerequest_pk=intake.pk)

    def render(self, form, step: int, status: int = 200, duplicates=()):
        context = {
            "form": form,
            "duplicates": duplicates,
            "step": step,
            "steps": [label for _, label in INTAKE_STEPS],
            "step_label": INTAKE_STEPS[step - 1][1],
            "next_label": INTAKE_STEPS[step][1] if step < len(INTAKE_STEPS) else None,
            "title": f"Nouvelle demande — {INTAKE_STEPS[step - 1][1]}",
            "suggestion": self.suggestion() if step == len(INTAKE_STEPS) else None,
        }
        return render(self.request, self.template_name, context, status=status)

    def suggestion(self):
        person, situation = self.bound(1), self.bound(2)
        if not (person.is_valid() and situation.is_valid()):
            return None
        return selectors.routing_suggestion(
            facts=PersonFacts(
                birth_date=person.cleaned_data["birth_date"],
                employment_status=situation.cleaned_data["employment_status"],
                rqth=situation.cleaned_data["rqth"],
                pcs_group=situation.cleaned_data["pcs_group"],
            )
        )


class IntakeCancelView(OperatorPermissionRequiredMixin, View):
    def post(self, request):
        request.session.pop(INTAKE_DRAFT_KEY, None)
        messages.info(
            request, "La saisie de la demande a été abandonnée ; rien n'a été enregistré."
        )
        return redirect("accueil:requests")


class RequestsOfDayView(OperatorPermissionRequiredMixin, View):
    def get(self, request):
        try:
            day = date.fromisoformat(request.GET.get("jour", ""))
        except ValueError:
            day = timezone.localdate()
        context = {
            "title": "Demandes du jour",
            "day": day,
            "requests": selectors.requests_of_day(membership=request.membership, day=day),
        }
        return render(request, "accueil/requests.html", context)


class RequestDetailView(OperatorPermissionRequiredMixin, View):
    def get(self, request, intakerequest_pk):
        intake = selectors.intake_request_page(membership=request.membership, pk=intakerequest_pk)
        core.record_beneficiary_read(
            membership=request.membership,
            beneficiary=intake.parcours.beneficiary,
            ip_address=client_ip(request),
        )
        context = {
            "title": f"Demande de {intake.parcours.beneficiary.full_name}",
            "intake": intake,
            "parcours": intake.parcours,
            "status_form": RoutingStatusForm(),
        }
        return render(request, "accueil/request_detail.html", context)


class RequestActionView(OperatorPermissionRequiredMixin, View):
    """A form about one request: fetch it through the scope, validate, call one service."""

    form_class = None
    template_name = "accueil/request_action.html"
    heading = ""
    success_message = ""

    def get_intake(self, pk) -> IntakeRequest:
        return get_object_or_404(
            IntakeRequest.objects.select_related("parcours__beneficiary"), pk=pk
        )

    def get_form(self, data=None):
        today = timezone.localdate()
        return self.form_class(data, initial={"delivered_on": today, "decided_on": today})

    def get(self, request, intakerequest_pk):
        return self.render(self.get_form(), self.get_intake(intakerequest_pk))

    def post(self, request, intakerequest_pk):
        intake = self.get_intake(intakerequest_pk)
        intake.parcours.require_open()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.perform(intake, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.next_page(intake))
        return self.render(form, intake, status=400)

    def next_page(self, intake) -> str:
        return reverse("accueil:request_detail", kwargs={"intakerequest_pk": intake.pk})

    def render(self, form, intake, status=200):
        context = {
            "form": form,
            "intake": intake,
            "heading": self.heading,
            "title": f"{self.heading} — {intake.parcours.beneficiary.full_name}",
        }
        return render(self.request, self.template_name, context, status=status)


class InformationView(RequestActionView):
    form_class = InformationForm
    heading = "Informer la personne"
    success_message = "L'information délivrée est enregistrée."

    def perform(self, intake, data):
        services.record_information(
            membership=self.request.membership,
            parcours=intake.parcours,
            ip_address=client_ip(self.request),
            **data,
        )


class RoutingView(RequestActionView):
    form_class = RoutingForm
    heading = "Orienter vers une autre structure"
    success_message = "L'orientation est enregistrée."

    def render(self, form, intake, status=200):
        # The suggestion made at intake is the first choice offered.
        if not form.is_bound and intake.suggested_structure_id:
            form.initial["target"] = intake.suggested_structure_id
        return super().render(form, intake, status)

    def perform(self, intake, data):
        services.route(
            membership=self.request.membership,
            parcours=intake.parcours,
            ip_address=client_ip(self.request),
            **data,
        )


class OutcomeView(RequestActionView):
    form_class = OutcomeForm
    heading = "Décider de la suite"
    success_message = "La suite est enregistrée et le parcours mis à jour."

    def perform(self, intake, data):
        services.decide_level1_outcome(
            membership=self.request.membership,
            intake_request=intake,
            ip_address=client_ip(self.request),
            **data,
        )

    def next_page(self, intake) -> str:
        # Going on to level 2 leads to the level's first step (the demand), not back to level 1.
        intake.parcours.refresh_from_db(fields=["current_level"])
        return level_page_url(intake.parcours) or super().next_page(intake)


class RoutingStatusView(OperatorPermissionRequiredMixin, View):
    def post(self, request, routing_pk):
        routing = get_object_or_404(Routing.objects.select_related("parcours"), pk=routing_pk)
        form = RoutingStatusForm(request.POST)
        intake = IntakeRequest.objects.filter(parcours_id=routing.parcours_id).first()
        if form.is_valid():
            try:
                services.change_routing_status(
                    membership=request.membership, routing=routing, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Le statut de l'orientation est mis à jour.")
        else:
            messages.error(request, "Choisissez un statut dans la liste.")
        if intake is None:
            return redirect("beneficiary_detail", beneficiary_pk=routing.parcours.beneficiary_id)
        return redirect("accueil:request_detail", intakerequest_pk=intake.pk)


class SessionsView(OperatorPermissionRequiredMixin, View):
    def get(self, request):
        context = {
            "title": "Sessions d'information collective",
            "sessions": selectors.sessions_calendar(membership=request.membership),
        }
        return render(request, "accueil/sessions.html", context)


class SessionCreateView(OperatorPermissionRequiredMixin, View):
    def get(self, request):
        form = SessionForm(initial={"animator": request.membership})
        return self.render(form)

    def post(self, request):
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = services.create_session(
                    membership=request.membership, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La session est programmée.")
                return redirect("accueil:session_detail", informationsession_pk=session.pk)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "title": "Programmer une session"}
        return render(self.request, "accueil/session_form.html", context, status=status)


class SessionDetailView(OperatorPermissionRequiredMixin, View):
    def get(self, request, informationsession_pk):
        session = selectors.session_page(membership=request.membership, pk=informationsession_pk)
        search = request.GET.get("q", "")[:100]
        context = {
            "title": f"Session — {session.theme}",
            "session": session,
            "registrations": session.registrations.all(),
            "search": search,
            "candidates": selectors.beneficiaries_to_register(session=session, search=search),
            "attendance_choices": SessionRegistration.Attendance.choices,
            "cancel_form": CancelSessionForm(),
            "started": session.starts_at <= timezone.now(),
        }
        return render(request, "accueil/session_detail.html", context)


class SessionRegisterView(OperatorPermissionRequiredMixin, View):
    def post(self, request, informationsession_pk):
        session = get_object_or_404(InformationSession, pk=informationsession_pk)
        try:
            beneficiary = Beneficiary.objects.get(pk=int(request.POST.get("beneficiary", "")))
        except (ValueError, Beneficiary.DoesNotExist):
            messages.error(request, "Cette personne est introuvable dans votre structure.")
        else:
            try:
                services.register_for_session(
                    membership=request.membership, session=session, beneficiary=beneficiary
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{beneficiary.full_name} est inscrit(e).")
        return redirect("accueil:session_detail", informationsession_pk=session.pk)


class SessionAttendanceView(OperatorPermissionRequiredMixin, View):
    def post(self, request, sessionregistration_pk):
        registration = get_object_or_404(SessionRegistration, pk=sessionregistration_pk)
        form = AttendanceForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choisissez une présence dans la liste.")
        else:
            try:
                services.record_attendance(
                    membership=request.membership,
                    registration=registration,
                    attendance=form.cleaned_data["attendance"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "La présence est enregistrée.")
        return redirect("accueil:session_detail", informationsession_pk=registration.session_id)


class SessionCancelView(OperatorPermissionRequiredMixin, View):
    def post(self, request, informationsession_pk):
        session = get_object_or_404(InformationSession, pk=informationsession_pk)
        form = CancelSessionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Indiquez le motif de l'annulation.")
        else:
            try:
                services.cancel_session(
                    membership=request.membership, session=session, **form.cleaned_data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "La session est annulée ; les inscrits sont prévenus.")
        return redirect("accueil:session_detail", informationsession_pk=session.pk)


class DirectoryEditView(OperatorPermissionRequiredMixin, View):
    """Create or edit one object of the operator's routing set-up (admin only)."""

    permission_required = MANAGE_OPERATOR
    model = None
    form_class = None
    pk_kwarg = ""
    list_url = "accueil:routing_setup"
    noun = ""

    def get_object(self, kwargs):
        if self.pk_kwarg not in kwargs:
            return None
        return get_object_or_404(self.model, pk=kwargs[self.pk_kwarg])

    def save(self, *, instance, data):
        raise NotImplementedError

    def get(self, request, **kwargs):
        return self.render(self.form_class(instance=self.get_object(kwargs)))

    def post(self, request, **kwargs):
        instance = self.get_object(kwargs)
        form = self.form_class(request.POST, instance=instance)
        if form.is_valid():
            try:
                self.save(instance=instance, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{self.noun.capitalize()} enregistrée.")
                return redirect(self.list_url)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {
            "form": form,
            "title": f"{self.noun.capitalize()}",
            "back": reverse(self.list_url),
        }
        return render(self.request, "accueil/directory_form.html", context, status=status)


class StructureEditView(DirectoryEditView):
    model = Structure
    form_class = StructureForm
    pk_kwarg = "structure_pk"
    noun = "structure partenaire"

    def save(self, *, instance, data):
        services.save_structure(membership=self.request.membership, structure=instance, **data)


class RuleEditView(DirectoryEditView):
    model = RoutingRule
    form_class = RoutingRuleForm
    pk_kwarg = "routingrule_pk"
    noun = "règle d'orientation"

    def save(self, *, instance, data):
        services.save_routing_rule(membership=self.request.membership, rule=instance, **data)


class RuleDeleteView(OperatorPermissionRequiredMixin, View):
    permission_required = MANAGE_OPERATOR

    def post(self, request, routingrule_pk):
        rule = get_object_or_404(RoutingRule, pk=routingrule_pk)
        services.delete_routing_rule(membership=request.membership, rule=rule)
        messages.success(request, "La règle est supprimée.")
        return redirect("accueil:routing_setup")


class RoutingSetupView(OperatorPermissionRequiredMixin, View):
    permission_required = MANAGE_OPERATOR

    def get(self, request):
        context = {
            "title": "Orientation : structures et règles",
            "structures": Structure.objects.select_related("platform_operator").order_by("name"),
            "rules": RoutingRule.objects.select_related("target").order_by("priority", "pk"),
        }
        return render(request, "accueil/routing_setup.html", context)
