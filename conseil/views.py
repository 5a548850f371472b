"""The level-2 workspace of one parcours: tabs for interviews, demand, skills, jobs, project and
strategy. Each tab is its own page (plain links, so it works from the keyboard and without JS)."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cep import services as core
from cep.audit import client_ip
from cep.file_page import level_page_url
from cep.forms import add_service_errors
from cep.mixins import ParcoursViewMixin
from cep.referentials import rome
from cep.referentials.forms import JobLookupForm
from cep.referentials.models import ROME_ATTRIBUTION, RomeJob, RomeSkill
from conseil import matching, selectors, services
from conseil.forms import (
    ROME_CODE_MESSAGE,
    AgreementForm,
    ClarificationForm,
    FreeSkillForm,
    ProjectForm,
    ReferentForm,
    StrategyForm,
)
from conseil.models import HeldSkill, ProjectVersion, StrategyOption

TABS = [
    ("conseil:interviews", "Entretiens"),
    ("conseil:demand", "Demande"),
    ("conseil:skills", "Compétences"),
    ("conseil:jobs", "Métiers"),
    ("conseil:project", "Projet"),
    ("conseil:strategy", "Stratégie"),
]


CATEGORY_LABELS = dict(RomeSkill.Category.choices)
ID = re.compile(r"[0-9]{1,12}")


def is_id(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return bool(ID.fullmatch(value))


def show_errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


class WorkspaceView(ParcoursViewMixin, View):
    """A tab of the level-2 workspace of one parcours."""

    tab = ""
    template_name = ""

    def tab_url(self) -> str:
        return reverse(self.tab, kwargs={"parcours_pk": self.parcours.pk})

    def render_tab(self, context: dict, status: int = 200):
        # The workspace shows the person's file: every read is traced, as on the beneficiary page.
        core.record_beneficiary_read(
            membership=self.request.membership,
            beneficiary=self.parcours.beneficiary,
            ip_address=client_ip(self.request),
        )
        context = {
            "parcours": self.parcours,
            "beneficiary": self.parcours.beneficiary,
            "tabs": [
                (reverse(name, args=[self.parcours.pk]), label, name == self.tab)
                for name, label in TABS
            ],
            "title": f"{dict(TABS)[self.tab]} — {self.parcours.beneficiary.full_name}",
            "rome_attribution": ROME_ATTRIBUTION,
            **context,
        }
        return render(self.request, self.template_name, context, status=status)

    def back(self):
        return redirect(self.tab_url())


class InterviewsView(WorkspaceView):
    tab = "conseil:interviews"
    template_name = "conseil/interviews.html"

    def get(self, request, parcours_pk, form=None, status=200):
        return self.render_tab(
            {
                "services": selectors.level_2_services(self.parcours),
                "assignments": selectors.referent_history(self.parcours),
                "referent_form": form or ReferentForm(),
            },
            status=status,
        )

    def post(self, request, parcours_pk):
        form = ReferentForm(request.POST)
        if form.is_valid():
            try:
                services.reassign_referent(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le référent est changé.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class DemandView(WorkspaceView):
    tab = "conseil:demand"
    template_name = "conseil/demand.html"

    def get(self, request, parcours_pk, form=None, status=200):
        history = selectors.clarifications(self.parcours)
        proposal = None
        if form is None:
            latest = history[0] if history else None
            if latest is not None:
                form = ClarificationForm(instance=latest)
            else:
                # Nothing clarified yet: what was said at intake, as a proposal to edit.
                proposal = selectors.intake_proposal(self.parcours)
                initial = (
                    {"priorities": proposal.motive, "constraints": proposal.constraints}
                    if proposal
                    else {}
                )
                form = ClarificationForm(initial=initial)
        return self.render_tab(
            {"history": history, "form": form, "proposal": proposal}, status=status
        )

    def post(self, request, parcours_pk):
        form = ClarificationForm(request.POST)
        if form.is_valid():
            try:
                services.clarify_demand(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La demande est mise à jour.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class SkillsView(WorkspaceView):
    tab = "conseil:skills"
    template_name = "conseil/skills.html"

    def get(self, request, parcours_pk, free_form=None, status=200):
        query = request.GET.get("q", "")[:100]
        # The past job, named as the person says it ("comptable"), or picked in the list.
        job_form = JobLookupForm(
            request.GET if request.GET.get("metier") else None, label="Métier exercé"
        )
        past_job = job_form.job
        held = selectors.held_skills(self.parcours)
        held_ids = {skill.rome_skill_id for skill in held if skill.rome_skill_id}
        return self.render_tab(
            {
                "held": held,
                "query": query,
                "results": [
                    {**row, "category_label": CATEGORY_LABELS[row["category"]]}
                    for row in rome.search_skills(query)
                ],
                "held_ids": held_ids,
                "job_form": job_form,
                "past_job": past_job,
                "past_job_skills": rome.job_skills(past_job.code) if past_job else [],
                "free_form": free_form or FreeSkillForm(),
                "sources": HeldSkill.Source.choices,
            },
            status=status,
        )


class AddRomeSkillView(WorkspaceView):
    tab = "conseil:skills"

    def post(self, request, parcours_pk):
        value = request.POST.get("rome_skill", "")
        skill = RomeSkill.objects.filter(pk=value).first() if is_id(value) else None
        if skill is None:
            messages.error(request, "Cette compétence n'existe pas dans le ROME.")
            return self.back()
        try:
            services.add_held_skill(
                membership=request.membership,
                parcours=self.parcours,
                rome_skill=skill,
                source=request.POST.get("source", ""),
                transferable=request.POST.get("transferable") == "on",
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, f"« {skill.label} » est ajoutée.")
        return self.back()


class AddFreeSkillView(SkillsView):
    def post(self, request, parcours_pk):
        form = FreeSkillForm(request.POST)
        if form.is_valid():
            try:
                services.add_held_skill(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La compétence est ajoutée.")
                return self.back()
        return self.get(request, parcours_pk, free_form=form, status=400)


class AddSkillsFromJobView(WorkspaceView):
    tab = "conseil:skills"

    def post(self, request, parcours_pk):
        job = RomeJob.objects.filter(pk=request.POST.get("job", "").strip().upper()[:5]).first()
        if job is None:
            messages.error(request, ROME_CODE_MESSAGE)
            return self.back()
        ids = [int(value) for value in request.POST.getlist("skills") if is_id(value)]
        try:
            created = services.add_skills_from_job(
                membership=request.membership,
                parcours=self.parcours,
                job=job,
                skills=list(RomeSkill.objects.filter(pk__in=ids)),
                transferable=request.POST.get("transferable") == "on",
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, f"{len(created)} compétence(s) ajoutée(s) depuis {job}.")
        return self.back()


class RemoveSkillView(WorkspaceView):
    tab = "conseil:skills"

    def post(self, request, parcours_pk, heldskill_pk):
        skill = get_object_or_404(HeldSkill, pk=heldskill_pk, parcours=self.parcours)
        services.remove_held_skill(membership=request.membership, held_skill=skill)
        messages.success(request, "La compétence est retirée.")
        return self.back()


class JobsView(WorkspaceView):
    tab = "conseil:jobs"
    template_name = "conseil/jobs.html"

    def get(self, request, parcours_pk):
        asked = bool(request.GET.get("metier"))
        job_form = JobLookupForm(request.GET if asked else None, label="Métier à explorer")
        project = services.current_project(self.parcours)
        targets = list(project.target_jobs.all()) if project else []
        target = job_form.job if asked else (targets[0] if targets else None)
        held_ids = selectors.held_rome_skill_ids(self.parcours)
        query = request.GET.get("q", "")[:100]
        return self.render_tab(
            {
                "job_form": job_form,
                "targets": targets,
                "target_codes": {job.code for job in targets},
                "target": target,
                "gap": matching.job_gap(job=target, held_skill_ids=held_ids) if target else None,
                "nearby": matching.nearby_jobs(job_codes=[target.code]) if target else [],
                "ranking": matching.rank_jobs(held_skill_ids=held_ids),
                "needs": selectors.training_need_ids(self.parcours),
                "query": query,
                "results": rome.search_jobs(query),
            }
        )


class AddTrainingNeedView(WorkspaceView):
    tab = "conseil:jobs"

    def post(self, request, parcours_pk):
        job = RomeJob.objects.filter(pk=request.POST.get("job", "")[:5]).first()
        value = request.POST.get("rome_skill", "")
        skill = RomeSkill.objects.filter(pk=value).first() if is_id(value) else None
        if job is None or skill is None:
            messages.error(request, "Métier ou compétence inconnu du ROME.")
            return self.back()
        try:
            services.add_training_need(
                membership=request.membership,
                parcours=self.parcours,
                target_job=job,
                rome_skill=skill,
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, f"« {skill.label} » devient un besoin de formation.")
        return redirect(f"{self.tab_url()}?metier={job.code}")


class ProjectView(WorkspaceView):
    tab = "conseil:project"
    template_name = "conseil/project.html"

    def get(self, request, parcours_pk, form=None, status=200, agreement_form=None):
        versions = selectors.project_versions(self.parcours)
        current = versions[0] if versions else None
        proposal = None
        offered = list(current.target_jobs.all()) if current is not None else []
        # A job explored in Métiers comes offered as a target job, ticked, to keep or untick.
        explored = (
            RomeJob.objects.filter(pk=request.GET.get("metier", "")[:5].upper()).first()
            if request.GET.get("metier")
            else None
        )
        if explored is not None and explored not in offered:
            offered.append(explored)
        if form is None:
            initial = {}
            if current is not None:
                initial = {"target_jobs": [job.code for job in offered]}
            else:
                # No project yet: the intake's project type, motive and constraints, to edit.
                proposal = selectors.intake_proposal(self.parcours)
                if proposal is not None:
                    initial = {
                        "project_type": proposal.project_type,
                        "description": proposal.motive,
                        "constraints_notes": proposal.constraints,
                    }
                initial["target_jobs"] = [job.code for job in offered]
            form = ProjectForm(instance=current, initial=initial, offered=offered)
            if current is not None and current.is_agreed:
                form.initial["revision_reason"] = ""
        return self.render_tab(
            {
                "versions": versions,
                "current": current,
                "form": form,
                "proposal": proposal,
                "explored": explored,
                "agreement_form": agreement_form
                or AgreementForm(initial={"agreed_on": timezone.localdate()}),
            },
            status=status,
        )

    def post(self, request, parcours_pk):
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                services.save_project(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le projet est enregistré.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class AgreementView(ProjectView):
    """The person's agreement to a version: refused, the project tab comes back with what was
    typed (the date, the channel) and each error next to its field."""

    http_method_names = ["post"]

    def post(self, request, parcours_pk, projectversion_pk):
        version = get_object_or_404(ProjectVersion, pk=projectversion_pk, parcours=self.parcours)
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.record_project_agreement(
                    membership=request.membership, version=version, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "L'accord de la personne est enregistré.")
                return self.back()
        return self.get(request, parcours_pk, agreement_form=form, status=400)


class StrategyView(WorkspaceView):
    tab = "conseil:strategy"
    template_name = "conseil/strategy.html"

    def get(self, request, parcours_pk, form=None, status=200):
        return self.render_tab(
            {"options": selectors.strategy_options(self.parcours), "form": form or StrategyForm()},
            status=status,
        )

    def post(self, request, parcours_pk):
        form = StrategyForm(request.POST)
        if form.is_valid():
            try:
                services.add_strategy_option(
                    membership=request.membership, parcours=self.parcours, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "La piste est ajoutée.")
                return self.back()
        return self.get(request, parcours_pk, form=form, status=400)


class RetainStrategyView(WorkspaceView):
    tab = "conseil:strategy"

    def post(self, request, parcours_pk, strategyoption_pk):
        option = get_object_or_404(StrategyOption, pk=strategyoption_pk, parcours=self.parcours)
        services.set_strategy_retained(
            membership=request.membership,
            option=option,
            retained=request.POST.get("retained") == "1",
        )
        messages.success(request, "Le choix de la personne est enregistré.")
        return self.back()


class MoveToLevel3View(WorkspaceView):
    tab = "conseil:strategy"

    def post(self, request, parcours_pk):
        try:
            moved = services.move_to_level_3(membership=request.membership, parcours=self.parcours)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, "Le parcours passe au niveau 3 : accompagnement.")
            # The decision leads on to the plan, registered by the level-3 app.
            return redirect(level_page_url(moved) or self.tab_url())
        return self.back()
