from rest_framework import serializers

from cep.api.serializers import scoped
from cep.dates import PlausibleDateField, PlausibleDatesModelSerializer
from cep.models import Membership, Parcours
from cep.referentials.models import RomeJob, RomeSkill
from conseil.models import (
    DEMAND_CLARIFICATION_FIELDS,
    PROJECT_FIELDS,
    STAFF_AGREEMENT_CHANNELS,
    STRATEGY_OPTION_FIELDS,
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
)

UNKNOWN_ROME = "Code inconnu du ROME : {pk_value}."


class RomeCodeField(serializers.PrimaryKeyRelatedField):
    """A ROME code (a text key). A code carrying a NUL character is unknown like any other:
    PostgreSQL refuses NUL in text, so it must not reach the query."""

    default_error_messages = {"does_not_exist": UNKNOWN_ROME}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", pk_value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ReferentChangeSerializer(serializers.Serializer):
    parcours = scoped(Parcours.objects)
    referent = scoped(Membership.objects)
    reason = serializers.CharField(max_length=300)


class DemandClarificationSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects)

    class Meta:
        model = DemandClarification
        fields = [
            "id",
            "parcours",
            *DEMAND_CLARIFICATION_FIELDS,
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]


class HeldSkillSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects)
    rome_skill = RomeCodeField(queryset=RomeSkill.objects.all(), required=False, allow_null=True)
    from_job = RomeCodeField(queryset=RomeJob.objects.all(), required=False, allow_null=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = HeldSkill
        fields = [
            "id",
            "parcours",
            "rome_skill",
            "free_label",
            "label",
            "source",
            "from_job",
            "transferable",
        ]


class ProjectVersionSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects, write_only=True)
    target_jobs = RomeCodeField(queryset=RomeJob.objects.all(), many=True, required=False)

    class Meta:
        model = ProjectVersion
        fields = [
            "id",
            "parcours",
            "number",
            "status",
            *PROJECT_FIELDS,
            "revision_reason",
            "agreed_on",
            "agreement_channel",
        ]
        read_only_fields = ["number", "status", "agreed_on", "agreement_channel"]
        extra_kwargs = {
            "project_type": {
                "error_messages": {
                    "invalid_choice": "Choisissez un type de projet dans la liste.",
                    "required": "Choisissez le type de projet.",
                    "blank": "Choisissez le type de projet.",
                }
            }
        }


class AgreementSerializer(serializers.Serializer):
    agreed_on = PlausibleDateField()
    channel = serializers.ChoiceField(choices=STAFF_AGREEMENT_CHANNELS)


class StrategyOptionSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects)

    class Meta:
        model = StrategyOption
        fields = [
            "id",
            "parcours",
            *STRATEGY_OPTION_FIELDS,
            "retained",
            "retained_on",
        ]
        read_only_fields = ["retained", "retained_on"]


class RetainSerializer(serializers.Serializer):
    retained = serializers.BooleanField()
