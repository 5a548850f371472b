from django import forms
from dsfr.forms import DsfrBaseForm

from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import DATE_INVALID_MESSAGE, Membership
from cep.referentials.forms import RomeJobField
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

ROME_CODE_MESSAGE = "Ce métier n'existe pas dans le ROME : cherchez-le par son intitulé."


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


class TargetJobsField(forms.MultipleChoiceField):
    """The target jobs kept, ticked by name; the choices are the jobs offered (the project's
    own, the one explored in Métiers) and any the form sends back, checked in the ROME."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        codes = list(dict.fromkeys(str(code).strip().upper() for code in value or []))
        jobs = RomeJob.objects.in_bulk(codes)
        if any(code not in jobs for code in codes):
            raise forms.ValidationError("Un des métiers cochés n'existe plus dans le ROME.")
        return [jobs[code] for code in codes]


class ProjectForm(DsfrBaseForm, forms.ModelForm):
    target_jobs = TargetJobsField(label="Métiers visés", required=False)
    new_target_job = RomeJobField(label="Ajouter un métier visé", required=False)

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

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("target_jobs") if hasattr(self.data, "getlist") else []
        jobs = {job.code: job for job in offered}
        jobs.update(RomeJob.objects.in_bulk([c for c in posted if c not in jobs][:20]))
        self.fields["target_jobs"].choices = [(code, job.label) for code, job in jobs.items()]
        # The job to add right after the ones ticked.
        added = self.fields.pop("new_target_job")
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "target_jobs":
                fields["new_target_job"] = added
        self.fields = fields

    def clean(self):
        cleaned = super().clean()
        added = cleaned.pop("new_target_job", None)
        jobs = list(cleaned.get("target_jobs") or [])
        if added is not None and added not in jobs:
            jobs.append(added)
        cleaned["target_jobs"] = jobs
        return cleaned


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
