"""Level 2 in the beneficiary space: my project as agreed, and the draft waiting for my
agreement (agree, or ask for changes)."""

from django.shortcuts import get_object_or_404

from cep.models import BeneficiaryAccount
from cep.registries import ERASED, SpaceSection, register_anonymiser, register_space_section
from cep.space.actions import agree_and_return, ask_changes_and_return
from cep.space.models import BeneficiaryRequest
from cep.space.views import BeneficiarySpaceMixin
from conseil import services
from conseil.models import DemandClarification, HeldSkill, ProjectVersion, StrategyOption


def project_context(account: BeneficiaryAccount) -> dict:
    versions = list(
        ProjectVersion.objects.filter(
            parcours__beneficiary=account.beneficiary, parcours__closed_on__isnull=True
        )
        .select_related("parcours")
        .prefetch_related("target_jobs")
        .order_by("-number")
    )
    agreed = next((v for v in versions if v.status == ProjectVersion.Status.AGREED), None)
    draft = versions[0] if versions and versions[0].is_draft else None
    return {"agreed": agreed, "draft": draft}


class ProjectVersionMixin(BeneficiarySpaceMixin):
    def version(self, pk: int) -> ProjectVersion:
        return get_object_or_404(
            ProjectVersion.objects.select_related("parcours"),
            pk=pk,
            parcours__beneficiary=self.account.beneficiary,
        )


class AgreeProjectView(ProjectVersionMixin):
    def post(self, request, projectversion_pk):
        version = self.version(projectversion_pk)
        return agree_and_return(request, services.agree_project_from_space, version=version)


class AskProjectChangesView(ProjectVersionMixin):
    def post(self, request, projectversion_pk):
        version = self.version(projectversion_pk)
        return ask_changes_and_return(
            request, kind=BeneficiaryRequest.Kind.PROJECT_CHANGES, parcours=version.parcours
        )


def anonymise(beneficiary) -> None:
    DemandClarification.objects.filter(parcours__beneficiary=beneficiary).update(
        priorities=ERASED, constraints=""
    )
    HeldSkill.objects.filter(parcours__beneficiary=beneficiary, rome_skill__isnull=True).update(
        free_label=ERASED
    )
    ProjectVersion.objects.filter(parcours__beneficiary=beneficiary).update(
        description=ERASED,
        market_notes="",
        prerequisites_notes="",
        constraints_notes="",
        funding_notes="",
        opportunities="",
        revision_reason="",
    )
    StrategyOption.objects.filter(parcours__beneficiary=beneficiary).update(
        description=ERASED, pros="", cons=""
    )


def register_space() -> None:
    register_anonymiser(anonymise)
    register_space_section(
        SpaceSection("projet", 30, "conseil/space/project.html", project_context)
    )
