from django import forms
from dsfr.forms import DsfrBaseForm

from accompagnement.models import (
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
        fields = ["order", "title", "goal", "target_date"]
        widgets = dated("target_date")
        error_messages = {"target_date": {"invalid": DATE_INVALID_MESSAGE}}


class ActionForm(DsfrBaseForm, forms.ModelForm):
    step = forms.ModelChoiceField(label="Étape", queryset=Step.objects.none())

    class Meta:
        model = Action
        fields = ["step", "description", "actor", "due_date"]
        widgets = dated("due_date")
        error_messages = {"due_date": {"invalid": DATE_INVALID_MESSAGE}}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = Step.objects.filter(version=version)


class TrainingForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = TrainingPath
        fields = [
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
        widgets = dated("start_date", "end_date")
        error_messages = {"cost": AMOUNT_MESSAGES, "vae_reduction": AMOUNT_MESSAGES}


class ExternalServiceForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = ExternalService
        fields = [
            "kind",
            "provider_name",
            "provider_chosen_by_beneficiary",
            "start_date",
            "end_date",
            "expected_results",
        ]
        widgets = {
            **dated("start_date", "end_date"),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }


class CostLineForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CostLine
        fields = ["kind", "label", "amount"]
        error_messages = {"amount": AMOUNT_MESSAGES}


class FundingRequestForm(DsfrBaseForm, forms.ModelForm):
    cost_line = forms.ModelChoiceField(label="Ligne de coût", queryset=CostLine.objects.none())
    scheme = forms.ChoiceField(label="Financeur sollicité")

    class Meta:
        model = FundingRequest
        fields = ["cost_line", "scheme", "amount_requested", "note"]
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
        fields = [
            "months_salaried_total",
            "months_current_employer",
            "months_salaried_last_5_years",
            "months_fixed_term_last_12",
            "years_continuous_salaried",
            "cpf_balance",
            "employer_tops_up",
            "resigned",
            "can_pay",
        ]
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
        fields = ["contacted_on", "counterpart", "subject", "notes"]
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
