"""Level 1 in the beneficiary space: my next appointments (collective sessions)."""

from django.utils import timezone

from accueil.models import IntakeRequest, Routing, SessionRegistration
from cep.models import BeneficiaryAccount
from cep.registries import ERASED, SpaceSection, register_anonymiser, register_space_section


def appointments_context(account: BeneficiaryAccount) -> dict:
    registrations = (
        SessionRegistration.objects.filter(
            beneficiary=account.beneficiary,
            session__starts_at__gte=timezone.now(),
            session__cancelled_at__isnull=True,
        )
        .select_related("session__site")
        .order_by("session__starts_at")[:5]
    )
    return {"registrations": list(registrations)}


def anonymise(beneficiary) -> None:
    IntakeRequest.objects.filter(parcours__beneficiary=beneficiary).update(
        motive=ERASED, constraints_notes="", outcome_reason=""
    )
    Routing.objects.filter(parcours__beneficiary=beneficiary).update(reason=ERASED)


def register_space() -> None:
    register_anonymiser(anonymise)
    register_space_section(
        SpaceSection("rendez-vous", 10, "accueil/space/appointments.html", appointments_context)
    )
