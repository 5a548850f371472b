from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accompagnement.models import (
    Action,
    ActionPlan,
    CostLine,
    ExternalService,
    FundingRequest,
    PlanVersion,
    Step,
    TrainingPath,
)
from cep.dates import PlausibleDateField, PlausibleDatesModelSerializer

AMOUNT_ERRORS = {
    "min_value": "Un montant ne peut pas être négatif.",
    "invalid": "Saisissez un montant en euros, par exemple 1250.50.",
}
UNKNOWN = "Objet inconnu dans ce plan (identifiant {pk_value})."


class ActionSerializer(PlausibleDatesModelSerializer):
    step = serializers.PrimaryKeyRelatedField(
        queryset=Step.objects, error_messages={"does_not_exist": UNKNOWN}
    )

    class Meta:
        model = Action
        fields = ["id", "key", "step", "description", "actor", "due_date", "status"]
        read_only_fields = ["key", "status"]


class StepSerializer(PlausibleDatesModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        fields = ["id", "key", "order", "title", "goal", "target_date", "actions"]
        read_only_fields = ["key"]


class TrainingPathSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = TrainingPath
        fields = [
            "id",
            "key",
            "provider_name",
            "provider_chosen_by_beneficiary",
            "certification_code",
            "certification_title",
            "start_date",
            "end_date",
            "hours",
            "modality",
            "cost",
            "vae_reduction",
        ]
        read_only_fields = ["key"]
        extra_kwargs = {"cost": {"error_messages": AMOUNT_ERRORS}}


class ExternalServiceSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = ExternalService
        fields = [
            "id",
            "key",
            "kind",
            "provider_name",
            "start_date",
            "end_date",
            "expected_results",
        ]
        read_only_fields = ["key"]


class CostLineSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = CostLine
        fields = ["id", "key", "kind", "label", "amount"]
        read_only_fields = ["key"]
        extra_kwargs = {"amount": {"error_messages": AMOUNT_ERRORS}}


class FundingRequestSerializer(PlausibleDatesModelSerializer):
    cost_line = serializers.PrimaryKeyRelatedField(
        queryset=CostLine.objects, error_messages={"does_not_exist": UNKNOWN}
    )

    class Meta:
        model = FundingRequest
        fields = [
            "id",
            "key",
            "cost_line",
            "scheme",
            "amount_requested",
            "amount_granted",
            "status",
            "contacted_on",
            "note",
        ]
        read_only_fields = ["key", "amount_granted", "status", "contacted_on"]
        extra_kwargs = {"amount_requested": {"error_messages": AMOUNT_ERRORS}}


class PlanVersionSerializer(PlausibleDatesModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    trainings = TrainingPathSerializer(many=True, read_only=True)
    external_services = ExternalServiceSerializer(many=True, read_only=True)
    cost_lines = CostLineSerializer(many=True, read_only=True)
    funding_requests = FundingRequestSerializer(many=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "status",
            "revision_reason",
            "agreed_on",
            "agreement_channel",
            "steps",
            "trainings",
            "external_services",
            "cost_lines",
            "funding_requests",
        ]


class ActionPlanSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = ActionPlan
        fields = ["id", "parcours", "created_at", "updated_at"]


ITEM_SERIALIZERS = {
    "step": StepSerializer,
    "action": ActionSerializer,
    "training": TrainingPathSerializer,
    "external": ExternalServiceSerializer,
    "cost": CostLineSerializer,
    "funding": FundingRequestSerializer,
}


@extend_schema_serializer(component_name="PlanAgreement")
class AgreementSerializer(serializers.Serializer):
    agreed_on = PlausibleDateField()
    channel = serializers.CharField()


class RevisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Action.Status.choices)


class FundingAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FundingRequest.Status.choices)
    contacted_on = PlausibleDateField(required=False, allow_null=True)
    amount_granted = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        error_messages=AMOUNT_ERRORS,
    )
