from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from cep.errors import messages_by_field
from cep.models import (
    BENEFICIARY_FIELDS,
    CHOICE_INVALID_MESSAGE,
    DATE_INVALID_MESSAGE,
    EMAIL_INVALID_MESSAGE,
    SERVICE_FIELDS,
    Beneficiary,
    Level,
    Membership,
    Service,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BeneficiaryForm(DsfrBaseForm, forms.ModelForm):
    """Parses and validates the fields; the eligibility rule and the save are the service's."""

    class Meta:
        model = Beneficiary
        fields = BENEFICIARY_FIELDS
        widgets = {"birth_date": DateInput()}
        help_texts = {
            "phone": "Par exemple 06 12 34 56 78.",
            "employment_status": (
                "Le CEP est ouvert à tous les actifs ; les élèves, étudiants et retraités sans "
                "activité professionnelle relèvent d'autres services."
            ),
        }
        error_messages = {
            "birth_date": {"invalid": DATE_INVALID_MESSAGE},
            "email": {"invalid": EMAIL_INVALID_MESSAGE},
            "employment_status": {"invalid_choice": CHOICE_INVALID_MESSAGE},
        }


class NewBeneficiaryForm(BeneficiaryForm):
    entry_level = forms.TypedChoiceField(
        label="Niveau d'entrée dans le CEP",
        choices=Level.choices,
        coerce=int,
        initial=Level.ACCUEIL,
        help_text="Une personne au projet mûr peut entrer directement au niveau 3.",
    )


class ServiceForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        widgets = {
            "delivered_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "duration_minutes": forms.NumberInput(attrs={"min": 1, "max": 600}),
        }
        help_texts = {"notes": "Visibles des seuls conseillers de votre opérateur."}
        error_messages = {"delivered_on": {"invalid": "Saisissez une date valide."}}


def add_service_errors(form, error: ValidationError) -> None:
    """A service's field-keyed errors go next to the form's fields; the rest above the form
    (the same messages as the API's 400, cep.errors)."""
    if hasattr(error, "error_dict"):
        for field, messages in messages_by_field(error).items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


def choose_among_colleagues(field: forms.ModelChoiceField, *, exclude: int | None = None) -> None:
    """A choice of the operator's active counsellors (the scope keeps the operator's), by
    name: for a référent, a co-référent, a hand-over."""
    field.queryset = (
        Membership.objects.filter(is_active=True)
        .exclude(pk=exclude)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    field.label_from_instance = lambda member: member.display_name
