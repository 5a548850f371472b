"""The person's agreement to a version (of the project or of the action plan): one rule for both.

A counsellor records an agreement given in an interview or remotely; an agreement "from their
space" is given by the person themself, through their own account. Agreeing a version marks the
version previously in force as revised.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from cep import dates
from cep.models import BeneficiaryAccount, Membership
from conseil.models import STAFF_AGREEMENT_CHANNELS, AgreedVersion, AgreementChannel

STAFF_CHANNEL_MESSAGE = (
    "Indiquez comment la personne a donné son accord : lors d'un entretien ou à distance."
)
SPACE_CHANNEL_MESSAGE = (
    "Un accord « depuis son espace personnel » ne peut être donné que par la personne elle-même, "
    "depuis son espace."
)


def staff_agreement_errors(version: AgreedVersion, agreed_on: date, channel: str) -> dict:
    errors = {}
    if channel == AgreementChannel.BENEFICIARY_SPACE:
        errors["channel"] = SPACE_CHANNEL_MESSAGE
    elif channel not in dict(STAFF_AGREEMENT_CHANNELS):
        errors["channel"] = STAFF_CHANNEL_MESSAGE
    try:
        dates.check_agreement_date(
            "agreed_on", agreed_on, version_created_on=timezone.localdate(version.created_at)
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    return errors


def mark_agreed(
    version: AgreedVersion,
    *,
    in_force: QuerySet,
    agreed_on: date,
    channel: str,
    recorded_by: Membership | None = None,
    account: BeneficiaryAccount | None = None,
) -> None:
    """`in_force`: the versions of the same project or plan; the agreed one among them becomes
    revised."""
    if version.is_agreed:
        raise ValidationError({"agreed_on": "Cette version est déjà validée."})
    in_force.filter(status=AgreedVersion.Status.AGREED).update(status=AgreedVersion.Status.REVISED)
    version.status = AgreedVersion.Status.AGREED
    version.agreed_on = agreed_on
    version.agreement_channel = channel
    version.agreement_recorded_by = recorded_by
    version.agreed_by_account = account
    version.save(
        update_fields=[
            "status",
            "agreed_on",
            "agreement_channel",
            "agreement_recorded_by",
            "agreed_by_account",
        ]
    )
