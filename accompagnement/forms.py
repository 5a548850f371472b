from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from accompagnement.models import (
    ACTION_FIELDS,
    CONTACT_LOG_FIELDS,
    COST_LINE_FIELDS,
    DECLARED_FACTS_FIELDS,
    EXTERNAL_SERVICE_FIELDS,
    FUNDING_REQUEST_FIELDS,
    STEP_FIELDS,
    TRAINING_PATH_FIELDS,
    Action,
    ContactLog,
    CostLine,
    DeclaredFacts,
    ExternalService,
    FundingRequest,
    Step,
    TrainingPath,
)
from cep import dates
from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import DATE_INVALID_MESSAGE

AMOUNT_MESSAGES = {
    "min_value": "Un montant ne peut pas être négatif.",
    "invalid": "Saisissez un montant en euros, par exemple 1250,50.",
}


def dated(*names):
    return {name: DateInput() for name in names}


class PlanItemDatesMixin:
    """An item's dates checked against its parcours (cep.dates), each error on its field, with
    the form's other errors; the service checks them again (the API goes through it too).
    `opened_on`: the day the parcours opened."""

    def __init__(self, *args, opened_on: date | None = None, **kwargs):
        self.opened_on = opened_on
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.opened_on is None:
            return cleaned
        values = {
            name: cleaned.get(name)
            for name in dates.PLAN_ITEM_DATE_FIELDS
            if name in self.fields and name not in self.errors
        }
        try:
            dates.check_plan_item_dates(values, opened_on=self.opened_on)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
        return cleaned


class StepForm(PlanItemDatesMixin, DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Step
        fields = STEP_FIELDS
        widgets = dated("target_date")
        error_messages = {"target_date": {"invalid": DATE_INVALID_MESSAGE}}


class ActionForm(PlanItemDatesMixin, DsfrBaseForm, forms.ModelForm):
    step = forms.ModelChoiceField(label="Étape", queryset=Step.objects.none())

    class Meta:
        model = Action
        fields = ACTION_FIELDS
        widgets = dated("due_date")
        error_messages = {"due_date": {"invalid": DATE_INVALID_MESSAGE}}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = Step.objects.filter(version=version)


class TrainingForm(PlanItemDatesMixin, DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = TrainingPath
        fields = TRAINING_PATH_FIELDS
        widgets = dated("start_date", "end_date")
        error_messages = {"cost": AMOUNT_MESSAGES, "vae_reduction": AMOUNT_MESSAGES}


class ExternalServiceForm(PlanItemDatesMixin, DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = ExternalService
        fields = EXTERNAL_SERVICE_FIELDS
        widgets = {
            **dated("start_date", "end_date"),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }


class CostLineForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CostLine
        fields = COST_LINE_FIELDS
        error_messages = {"amount": AMOUNT_MESSAGES}


class FundingRequestForm(DsfrBaseForm, forms.ModelForm):
    cost_line = forms.ModelChoiceField(label="Ligne de coût", queryset=CostLine.objects.none())
    scheme = forms.ChoiceField(label="Financeur sollicité")

    class Meta:
        model = FundingRequest
        fields = FUNDING_REQUEST_FIELDS
        error_messages = {"amount_requested": AMOUNT_MESSAGES}

    def __init__(self, *args, version=None, **kwargs):
        from accompagnement.funding_rules import SCHEMES

        super().__init__(*args, **kwargs)
        self.fields["cost_line"].queryset = CostLine.objects.filter(version=version)
        self.fields["scheme"].choices = [(code, s.label) for code, s in SCHEMES.items()]


class SchemesForm(DsfrBaseForm, forms.Form):
    notes = forms.CharField(
        label="Dispositifs et services à mobiliser",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple : aide au permis, prestation d'un partenaire, hébergement.",
    )


YES_NO_UNKNOWN = [("", "Inconnu"), ("true", "Oui"), ("false", "Non")]


class DeclaredFactsForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = DeclaredFacts
        fields = DECLARED_FACTS_FIELDS
        widgets = {
            "employer_tops_up": forms.Select(choices=YES_NO_UNKNOWN),
            "resigned": forms.Select(choices=YES_NO_UNKNOWN),
        }
        error_messages = {"cpf_balance": AMOUNT_MESSAGES, "can_pay": AMOUNT_MESSAGES}


class ReviseForm(DsfrBaseForm, forms.Form):
    reason = forms.CharField(label="Ce qui a changé", max_length=300)


class FundingAnswerForm(DsfrBaseForm, forms.Form):
    status = forms.ChoiceField(label="Statut", choices=FundingRequest.Status.choices)
    contacted_on = PlausibleFormDateField(
        label="Contacté le",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID_MESSAGE},
    )
    amount_granted = forms.DecimalField(
        label="Montant accordé",
        required=False,
        min_value=0,
        decimal_places=2,
        error_messages=AMOUNT_MESSAGES,
    )


class OverrideForm(DsfrBaseForm, forms.Form):
    eligible = forms.NullBooleanField(
        label="Votre avis",
        widget=forms.Select(
            choices=[("", "Suivre la règle"), ("true", "Éligible"), ("false", "Non éligible")]
        ),
        required=False,
    )
    reason = forms.CharField(label="Pourquoi", max_length=300, required=False)


class ContactForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = CONTACT_LOG_FIELDS
        widgets = {**dated("contacted_on"), "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"contacted_on": {"invalid": DATE_INVALID_MESSAGE}}


ITEM_FORMS = {
    "step": (StepForm, "Ajouter une étape"),
    "action": (ActionForm, "Ajouter une action"),
    "training": (TrainingForm, "Ajouter le parcours de formation"),
    "external": (ExternalServiceForm, "Ajouter une prestation externe"),
    "cost": (CostLineForm, "Ajouter une ligne de coût"),
    "funding": (FundingRequestForm, "Solliciter un financeur"),
}

EDIT_HEADINGS = {
    "step": "Modifier l'étape",
    "action": "Modifier l'action",
    "training": "Modifier le parcours de formation",
    "external": "Modifier la prestation externe",
    "cost": "Modifier la ligne de coût",
    "funding": "Modifier la demande de financement",
}
# How the removal page names an item ("Retirer l'étape « … »").
ITEM_NAMES = {
    "step": "l'étape",
    "action": "l'action",
    "training": "le parcours de formation",
    "external": "la prestation externe",
    "cost": "la ligne de coût",
    "funding": "la demande de financement",
}
