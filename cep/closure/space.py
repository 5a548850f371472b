"""What the end of a parcours shows: in the person's space (their parcours ended, why, and what
comes next) and on the counsellor's home page (the "no news" alert, which proposes the end)."""

from django.urls import reverse
from django.utils.http import urlencode

from cep.closure import selectors
from cep.home import Alert
from cep.models import BeneficiaryAccount, Membership, Parcours

ALERTS_SHOWN = 20


def ended_parcours(account: BeneficiaryAccount) -> dict:
    """The person's last parcours, when it has ended and none is open (one query)."""
    latest = (
        Parcours.objects.filter(beneficiary=account.beneficiary)
        .order_by("-opened_on", "-pk")
        .first()
    )
    return {"ended": latest if latest is not None and not latest.is_open else None}


def no_news_alerts(membership: Membership) -> list[Alert]:
    query = urlencode({"motif": Parcours.ClosingReason.NO_CONTACT})
    return [
        Alert(
            "Sans nouvelles",
            f"{parcours.beneficiary.full_name} : aucun contact depuis le "
            f"{parcours.last_news:%d/%m/%Y}. Mettre fin au parcours, motif « sans nouvelles » ?",
            reverse("parcours_end", kwargs={"parcours_pk": parcours.pk}) + f"?{query}",
        )
        for parcours in selectors.without_news(membership)[:ALERTS_SHOWN]
    ]
