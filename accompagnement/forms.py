from django import forms
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
from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import DATE_INVALID_MESSAGE

AMOUNT_MESSAGES = {
    "min_value": "Un montant ne peut pas être négatif.",
    "invalid": "Saisissez un montant en euros, par exemple 1250,50.",
}


def dated(*names):
    return {name: DateInput() for name in names}


class StepForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Step
        fields = STEP_FIELDS
        widgets = dated("target_date")
        error_messages = {"target_date": {"invalid": DATE_INVALID_MESSAGE}}


class ActionForm(DsfrBaseForm, forms.ModelForm):
    step = forms.ModelChoiceField(label="Étape", queryset=Step.objects.none())

    class Meta:
        model = Action
        fields = ACTION_FIELDS
        widgets = dated("due_date")
        error_messages = {"due_date": {"invalid": DATE_INVALID_MESSAGE}}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = Step.objects.filter(version=version)


class TrainingForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = TrainingPath
        fields = TRAINING_PATH_FIELDS
        widgets = dated("start_date", "end_date")
        error_messages = {"cost": AMOUNT_MESSAGES, "vae_reduction": AMOUNT_MESSAGES}


class ExternalServiceForm(DsfrBaseForm, forms.ModelForm):
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
