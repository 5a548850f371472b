from rest_framework import serializers

from accueil.models import (
    CAPACITY_MAX_MESSAGE,
    CAPACITY_MIN_MESSAGE,
    DATETIME_INVALID_MESSAGE,
    INTAKE_CONSTRAINT_FIELDS,
    INTAKE_REQUEST_FIELDS,
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingStatusChange,
    SessionRegistration,
    Structure,
)
from cep.api.serializers import BeneficiarySerializer, scoped
from cep.dates import PlausibleDatesModelSerializer
from cep.models import BENEFICIARY_FIELDS, Beneficiary, Membership, Parcours, Site


class PersonSerializer(BeneficiarySerializer):
    """The person of an intake: the field set alone (no id, no dates, the level is the
    intake's)."""

    class Meta(BeneficiarySerializer.Meta):
        fields = BENEFICIARY_FIELDS
        read_only_fields = []


class IntakeRequestSerializer(PlausibleDatesModelSerializer):
    person = PersonSerializer(write_only=True)
    beneficiary = serializers.IntegerField(source="parcours.beneficiary_id", read_only=True)

    class Meta:
        model = IntakeRequest
        fields = [
            "id",
            "person",
            "beneficiary",
            "parcours",
            *INTAKE_REQUEST_FIELDS,
            *INTAKE_CONSTRAINT_FIELDS,
            "eligibility_reason",
            "suggested_structure",
            "suggested_rule_label",
            "outcome",
            "outcome_on",
            "outcome_reason",
        ]
        read_only_fields = [
            "parcours",
            "eligibility_reason",
            "suggested_structure",
            "suggested_rule_label",
            "outcome",
            "outcome_on",
            "outcome_reason",
        ]


class RoutingStatusChangeSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = RoutingStatusChange
        fields = ["status", "note", "changed_by", "changed_at"]


class RoutingSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects)
    target = scoped(Structure.objects)
    consent_evidence = serializers.CharField(write_only=True, required=False, allow_blank=True)
    is_transfer = serializers.BooleanField(read_only=True)
    history = RoutingStatusChangeSerializer(
        many=True,
        read_only=True,
        help_text="Vers une structure hors plateforme ; un transfert a l'historique de son "
        "transfert (/api/v1/transfers/).",
    )

    class Meta:
        model = Routing
        fields = [
            "id",
            "parcours",
            "target",
            "reason",
            "consent_evidence",
            "status",
            "is_transfer",
            "transfer",
            "created_at",
            "history",
        ]
        read_only_fields = ["status", "transfer", "created_at"]


class RoutingStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Routing.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class InformationSessionSerializer(PlausibleDatesModelSerializer):
    site = scoped(Site.objects, required=False, allow_null=True)
    animator = scoped(Membership.objects)
    registered = serializers.IntegerField(read_only=True)

    class Meta:
        model = InformationSession
        fields = [
            "id",
            "theme",
            "starts_at",
            "duration_minutes",
            "site",
            "remote_link",
            "animator",
            "capacity",
            "registered",
            "cancelled_at",
            "cancellation_reason",
        ]
        read_only_fields = ["cancelled_at", "cancellation_reason"]
        extra_kwargs = {
            "starts_at": {"error_messages": {"invalid": DATETIME_INVALID_MESSAGE}},
            "capacity": {
                "error_messages": {
                    "min_value": CAPACITY_MIN_MESSAGE,
                    "max_value": CAPACITY_MAX_MESSAGE,
                }
            },
        }


class RegistrationSerializer(PlausibleDatesModelSerializer):
    beneficiary = scoped(Beneficiary.objects)

    class Meta:
        model = SessionRegistration
        fields = ["id", "session", "beneficiary", "attendance", "registered_at"]
        read_only_fields = ["session", "attendance", "registered_at"]


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
