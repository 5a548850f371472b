"""The core's blocks of the person's home page: their référent and how to reach them, and what
they asked."""

from django.db.models import Q
from django.urls import reverse

from cep.continuity.models import Transfer
from cep.home import Alert, register_alert_provider
from cep.models import BeneficiaryAccount, Parcours
from cep.registries import CATEGORIES, SpaceSection, register_space_section
from cep.roles import REVIEW_CASELOAD, ROLE_PERMISSIONS
from cep.space.models import BeneficiaryRequest


def _referent(account: BeneficiaryAccount) -> dict:
    parcours = (
        Parcours.objects.filter(beneficiary=account.beneficiary)
        .select_related("referent__user")
        .order_by("-opened_on", "-pk")
    )
    open_parcours = [p for p in parcours if p.is_open]
    current = (open_parcours or list(parcours) or [None])[0]
    sites = list(account.operator.sites.order_by("name")[:3])
    return {"parcours": current, "operator": account.operator, "sites": sites}


def _requests(account: BeneficiaryAccount) -> dict:
    return {
        "requests": list(
            BeneficiaryRequest.objects.filter(beneficiary=account.beneficiary).order_by(
                "-created_at"
            )[:10]
        )
    }


def _transfers(account: BeneficiaryAccount) -> dict:
    """Transfers proposed by the référent, waiting for the person's agreement."""
    waiting = list(
        Transfer.objects.filter(
            beneficiary=account.beneficiary, status=Transfer.Status.AWAITING_CONSENT
        )
        .select_related("target_operator")
        .order_by("created_at")
    )
    for transfer in waiting:
        transfer.category_labels = [CATEGORIES[c] for c in transfer.categories]
    return {"transfers": waiting}


def register_core_space_sections() -> None:
    register_alert_provider(request_alerts)
    register_space_section(SpaceSection("referent", 0, "space/referent.html", _referent))
    register_space_section(SpaceSection("transferts", 5, "space/transfers.html", _transfers))
    register_space_section(SpaceSection("demandes", 90, "space/requests.html", _requests))


def request_alerts(membership) -> list:
    """On the référent's home page: what the people they follow asked from their space (and, for
    managers, every erasure request of the operator)."""
    mine = Q(beneficiary__parcours__referent=membership, beneficiary__parcours__closed_on=None)
    if REVIEW_CASELOAD in ROLE_PERMISSIONS.get(membership.role, ()):
        mine |= Q(kind=BeneficiaryRequest.Kind.ERASURE)
    pending = (
        BeneficiaryRequest.objects.filter(mine, handled_at__isnull=True)
        .select_related("beneficiary")
        .distinct()
        .order_by("created_at")[:20]
    )
    return [
        Alert(
            "Demande de la personne",
            f"{item.beneficiary.full_name} : {item.get_kind_display().lower()} "
            f"(le {item.created_at:%d/%m/%Y})",
            reverse("beneficiary_detail", kwargs={"beneficiary_pk": item.beneficiary_id}),
        )
        for item in pending
    ]
