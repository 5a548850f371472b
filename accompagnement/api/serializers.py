from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accompagnement.models import (
    ACTION_FIELDS,
    COST_LINE_FIELDS,
    EXTERNAL_SERVICE_FIELDS,
    FUNDING_REQUEST_FIELDS,
    STEP_FIELDS,
    TRAINING_PATH_FIELDS,
    Action,
    ActionPlan,
    CostLine,
    ExternalService,
    FundingRequest,
    PlanVersion,
    Step,
    TrainingPath,
)
from cep import dates
from cep.dates import PlausibleDateField, PlausibleDatesModelSerializer

AMOUNT_ERRORS = {
    "min_value": "Un montant ne peut pas être négatif.",
    "invalid": "Saisissez un montant en euros, par exemple 1250.50.",
}
UNKNOWN = "Objet inconnu dans ce plan (identifiant {pk_value})."


class PlanItemDatesMixin:
    """An item's dates checked against its parcours (cep.dates), each error on its field; the
    view passes `opened_on` in the context (the service checks them again)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        opened_on = self.context.get("opened_on")
        if opened_on is None:
            return attrs
        values = {
            name: attrs.get(name, getattr(self.instance, name, None))
            for name in dates.PLAN_ITEM_DATE_FIELDS
            if name in self.fields
        }
        try:
            dates.check_plan_item_dates(values, opened_on=opened_on)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class ActionSerializer(PlanItemDatesMixin, PlausibleDatesModelSerializer):
    step = serializers.PrimaryKeyRelatedField(
        queryset=Step.objects, error_messages={"does_not_exist": UNKNOWN}
    )

    class Meta:
        model = Action
        # The field set, plus the ids and the status, which set_action_status changes.
        fields = ["id", "key", *ACTION_FIELDS, "status"]
        read_only_fields = ["key", "status"]


class StepSerializer(PlanItemDatesMixin, PlausibleDatesModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        # The field set, plus the ids and the step's actions (read only).
        fields = ["id", "key", *STEP_FIELDS, "actions"]
        read_only_fields = ["key"]


class TrainingPathSerializer(PlanItemDatesMixin, PlausibleDatesModelSerializer):
    class Meta:
        model = TrainingPath
        # The field set, plus the ids (`key` follows the item across versions).
        fields = ["id", "key", *TRAINING_PATH_FIELDS]
        read_only_fields = ["key"]
        extra_kwargs = {
            "cost": {"error_messages": AMOUNT_ERRORS},
            "vae_reduction": {"error_messages": AMOUNT_ERRORS},
        }


class ExternalServiceSerializer(PlanItemDatesMixin, PlausibleDatesModelSerializer):
    class Meta:
        model = ExternalService
        fields = ["id", "key", *EXTERNAL_SERVICE_FIELDS]
        read_only_fields = ["key"]


class CostLineSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = CostLine
        # The field set, plus the ids and the training whose cost the line is (read only: the
        # line follows the training).
        fields = ["id", "key", *COST_LINE_FIELDS, "training"]
        read_only_fields = ["key", "training"]
        extra_kwargs = {"amount": {"error_messages": AMOUNT_ERRORS}}


class FundingRequestSerializer(PlausibleDatesModelSerializer):
    cost_line = serializers.PrimaryKeyRelatedField(
        queryset=CostLine.objects, error_messages={"does_not_exist": UNKNOWN}
    )

    class Meta:
        model = FundingRequest
        # The field set, plus the ids and the funder's answer (read only: its own service).
        fields = ["id", "key", *FUNDING_REQUEST_FIELDS, "amount_granted", "status", "contacted_on"]
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
