from rest_framework import serializers

from cep.dates import PlausibleDatesModelSerializer
from cep.models import (
    BENEFICIARY_FIELDS,
    CHOICE_INVALID_MESSAGE,
    DATE_INVALID_MESSAGE,
    EMAIL_INVALID_MESSAGE,
    SERVICE_FIELDS,
    Beneficiary,
    FranceTravailIdField,
    Level,
    Parcours,
    Service,
    normalize_france_travail_id,
)

UNKNOWN = "Objet inconnu dans votre structure (identifiant {pk_value})."


def scoped(manager, **kwargs):
    """A related field over a scoped manager: resolved per request, inside its scope; an id of
    another operator reads as unknown, never as someone else's."""
    return serializers.PrimaryKeyRelatedField(
        queryset=manager, error_messages={"does_not_exist": UNKNOWN}, **kwargs
    )


class FranceTravailIdSerializerField(serializers.CharField):
    """Normalised before its format is checked ("1234 567a" is "1234567A"); the format says the
    length too, so no second message for a value too long."""

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalize_france_travail_id(super().to_internal_value(data))


class BeneficiarySerializer(PlausibleDatesModelSerializer):
    serializer_field_mapping = {
        **PlausibleDatesModelSerializer.serializer_field_mapping,
        FranceTravailIdField: FranceTravailIdSerializerField,
    }
    entry_level = serializers.ChoiceField(
        choices=Level.choices,
        write_only=True,
        required=False,
        default=Level.ACCUEIL,
        help_text="Niveau d'entrée du parcours ouvert à la création.",
    )

    class Meta:
        model = Beneficiary
        # The field set, plus the id and the file's dates (read only) and the entry level
        # (write only: it opens the parcours, it is not the person's).
        fields = ["id", *BENEFICIARY_FIELDS, "entry_level", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "email": {"error_messages": {"invalid": EMAIL_INVALID_MESSAGE}},
            "employment_status": {"error_messages": {"invalid_choice": CHOICE_INVALID_MESSAGE}},
            "birth_date": {"error_messages": {"invalid": DATE_INVALID_MESSAGE}},
        }


class ParcoursSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = Parcours
        fields = [
            "id",
            "beneficiary",
            "referent",
            "entry_level",
            "current_level",
            "autonomy",
            "project_maturity",
            "opened_on",
            "closed_on",
            "closing_reason",
            "closing_note",
            "previous_parcours",
            "last_contact_on",
        ]
        read_only_fields = fields


class ServiceSerializer(PlausibleDatesModelSerializer):
    # The manager, not a queryset: evaluated per request, inside the caller's operator scope.
    parcours = serializers.PrimaryKeyRelatedField(queryset=Parcours.objects)

    class Meta:
        model = Service
        # The field set, plus the parcours it is for and what record_service sets (read only).
        fields = ["id", "parcours", "level", *SERVICE_FIELDS, "counsellor"]
        read_only_fields = ["id", "level", "counsellor"]
