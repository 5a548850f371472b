"""Forms of the end of a parcours: end it, reopen it, open the next one."""

from django import forms
from dsfr.forms import DsfrBaseForm

from cep.closure.models import SubReason
from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import DATE_INVALID_MESSAGE, Level, Parcours, Service

# "Transferred" is set by the transfer itself, never chosen.
OFFERED_REASONS = [
    (value, label)
    for value, label in Parcours.ClosingReason.choices
    if value != Parcours.ClosingReason.TRANSFERRED
]


class EndForm(DsfrBaseForm):
    ended_on = PlausibleFormDateField(
        label="Date de fin",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date de fin.", "invalid": DATE_INVALID_MESSAGE},
    )
    channel = forms.ChoiceField(
        label="Modalité",
        choices=[("", "Choisissez"), *Service.Channel.choices],
        help_text="Comment la fin a été convenue avec la personne ou constatée.",
        error_messages={
            "required": "Indiquez la modalité.",
            "invalid_choice": "Choisissez la modalité dans la liste.",
        },
    )
    reason = forms.ChoiceField(
        label="Motif de fin",
        choices=[("", "Choisissez"), *OFFERED_REASONS],
        error_messages={
            "required": "Choisissez le motif de fin.",
            "invalid_choice": "Choisissez le motif de fin dans la liste.",
        },
    )
    sub_reason = forms.ModelChoiceField(
        label="Sous-motif de votre structure (facultatif)",
        queryset=SubReason.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choisissez le sous-motif dans la liste."},
    )
    note = forms.CharField(
        label="Précision",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour le motif « Autre motif ».",
        error_messages={"max_length": "300 caractères au plus."},
    )

    def __init__(self, *args, sub_reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["sub_reason"]
        field.queryset = sub_reasons if sub_reasons is not None else SubReason.objects.none()
        field.label_from_instance = str
        if not field.queryset.exists():
            del self.fields["sub_reason"]


class ReopenForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de la réouverture",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Indiquez pourquoi le parcours est rouvert.",
            "max_length": "300 caractères au plus.",
        },
    )


class NextParcoursForm(DsfrBaseForm):
    entry_level = forms.TypedChoiceField(
        label="Niveau d'entrée du nouveau parcours",
        choices=Level.choices,
        coerce=int,
        initial=Level.ACCUEIL,
        error_messages={"invalid_choice": "Choisissez le niveau dans la liste."},
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=300,
        error_messages={"max_length": "300 caractères au plus."},
    )


class SubReasonForm(DsfrBaseForm):
    national_reason = forms.ChoiceField(
        label="Motif national",
        choices=[("", "Choisissez"), *OFFERED_REASONS],
        error_messages={
            "required": "Choisissez le motif national.",
            "invalid_choice": "Choisissez le motif national dans la liste.",
        },
    )
    label = forms.CharField(
        label="Libellé du sous-motif",
        max_length=120,
        error_messages={
            "required": "Indiquez le libellé du sous-motif.",
            "max_length": "120 caractères au plus.",
        },
    )
