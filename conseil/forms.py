from django import forms
from dsfr.forms import DsfrBaseForm

from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import DATE_INVALID_MESSAGE, Membership
from cep.referentials.models import RomeJob
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

ROME_CODE_MESSAGE = "Code ROME inconnu : saisissez un code comme M1805 ou cherchez le métier."


class RomeJobCodeField(forms.CharField):
    """A ROME code typed or picked from the search, checked against the referential."""

    def clean(self, value):
        value = (super().clean(value) or "").strip().upper()
        if not value:
            return None
        job = RomeJob.objects.filter(pk=value).first()
        if job is None:
            raise forms.ValidationError(ROME_CODE_MESSAGE)
        return job


class RomeJobCodesField(forms.CharField):
    """Several ROME codes separated by commas or spaces."""

    def clean(self, value):
        value = super().clean(value) or ""
        codes = [code.strip().upper() for code in value.replace(",", " ").split() if code.strip()]
        jobs = RomeJob.objects.in_bulk(codes)
        unknown = [code for code in codes if code not in jobs]
        if unknown:
            raise forms.ValidationError(
                f"Code ROME inconnu : {', '.join(unknown)}. Saisissez des codes comme M1805."
            )
        return [jobs[code] for code in dict.fromkeys(codes)]


class ReferentForm(DsfrBaseForm, forms.Form):
    referent = forms.ModelChoiceField(label="Nouveau référent", queryset=Membership.objects.none())
    reason = forms.CharField(label="Motif du changement", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = Membership.objects.filter(is_active=True).select_related(
            "user"
        )
        self.fields["referent"].label_from_instance = lambda m: m.display_name


class ClarificationForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = DemandClarification
        fields = DEMAND_CLARIFICATION_FIELDS
        widgets = {
            "priorities": forms.Textarea(attrs={"rows": 3}),
            "constraints": forms.Textarea(attrs={"rows": 2}),
            "autonomy": forms.RadioSelect,
            "project_maturity": forms.RadioSelect,
        }


class FreeSkillForm(DsfrBaseForm, forms.Form):
    free_label = forms.CharField(label="Compétence, dans les mots de la personne", max_length=300)
    source = forms.ChoiceField(label="Acquise par", choices=HeldSkill.Source.choices)
    transferable = forms.BooleanField(label="Transférable à d'autres métiers", required=False)


class ProjectForm(DsfrBaseForm, forms.ModelForm):
    target_jobs = RomeJobCodesField(
        label="Métiers visés (codes ROME)",
        required=False,
        help_text="Séparés par des virgules, par exemple M1607, M1203.",
    )

    class Meta:
        model = ProjectVersion
        # The project, and why this version changed (required after an agreed one).
        fields = [*PROJECT_FIELDS, "revision_reason"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in [
                "description",
                "market_notes",
                "prerequisites_notes",
                "constraints_notes",
                "funding_notes",
                "opportunities",
            ]
        }
        error_messages = {
            "project_type": {"required": "Choisissez le type de projet."},
            "description": {"required": "Décrivez le projet avec les mots de la personne."},
        }


class AgreementForm(DsfrBaseForm, forms.Form):
    agreed_on = PlausibleFormDateField(
        label="Date de l'accord",
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID_MESSAGE},
    )
    channel = forms.ChoiceField(
        label="Comment la personne a donné son accord",
        choices=STAFF_AGREEMENT_CHANNELS,
        widget=forms.RadioSelect,
    )


class StrategyForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = StrategyOption
        fields = STRATEGY_OPTION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "pros": forms.Textarea(attrs={"rows": 2}),
            "cons": forms.Textarea(attrs={"rows": 2}),
        }
