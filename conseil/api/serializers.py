from rest_framework import serializers

from accueil.api.serializers import scoped
from cep.models import Membership, Parcours
from cep.referentials import RomeJob, RomeSkill
from conseil.models import (
    STAFF_AGREEMENT_CHANNELS,
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
)

UNKNOWN_ROME = "Code inconnu du ROME : {pk_value}."


class ReferentChangeSerializer(serializers.Serializer):
    parcours = scoped(Parcours.objects)
    referent = scoped(Membership.objects)
    reason = serializers.CharField(max_length=300)


class DemandClarificationSerializer(serializers.ModelSerializer):
    parcours = scoped(Parcours.objects)

    class Meta:
        model = DemandClarification
        fields = [
            "id",
            "parcours",
            "priorities",
            "constraints",
            "autonomy",
            "project_maturity",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]


class HeldSkillSerializer(serializers.ModelSerializer):
    parcours = scoped(Parcours.objects)
    rome_skill = serializers.PrimaryKeyRelatedField(
        queryset=RomeSkill.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": UNKNOWN_ROME},
    )
    from_job = serializers.PrimaryKeyRelatedField(
        queryset=RomeJob.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": UNKNOWN_ROME},
    )
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


class ProjectVersionSerializer(serializers.ModelSerializer):
    parcours = scoped(Parcours.objects, write_only=True)
    target_jobs = serializers.PrimaryKeyRelatedField(
        queryset=RomeJob.objects.all(),
        many=True,
        required=False,
        error_messages={"does_not_exist": UNKNOWN_ROME},
    )

    class Meta:
        model = ProjectVersion
        fields = [
            "id",
            "parcours",
            "number",
            "status",
            "project_type",
            "description",
            "target_jobs",
            "feasibility",
            "market_notes",
            "prerequisites_notes",
            "constraints_notes",
            "funding_notes",
            "opportunities",
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
    agreed_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=STAFF_AGREEMENT_CHANNELS)


class StrategyOptionSerializer(serializers.ModelSerializer):
    parcours = scoped(Parcours.objects)

    class Meta:
        model = StrategyOption
        fields = [
            "id",
            "parcours",
            "kind",
            "description",
            "pros",
            "cons",
            "retained",
            "retained_on",
        ]
        read_only_fields = ["retained", "retained_on"]


class RetainSerializer(serializers.Serializer):
    retained = serializers.BooleanField()
