from django import forms
from django.forms.models import fields_for_model
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from accueil.models import (
    DATETIME_INVALID_MESSAGE,
    INTAKE_CONSTRAINT_FIELDS,
    INTAKE_REQUEST_FIELDS,
    InformationDelivery,
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingRule,
    SessionRegistration,
    Structure,
)
from accueil.selectors import active_structures
from cep.dates import PlausibleFormDateField
from cep.forms import DateInput
from cep.models import (
    BENEFICIARY_IDENTITY_FIELDS,
    BENEFICIARY_SITUATION_FIELDS,
    CHOICE_INVALID_MESSAGE,
    DATE_INVALID_MESSAGE,
    EMAIL_INVALID_MESSAGE,
    Beneficiary,
    Membership,
    Service,
    Site,
)
from cep.nomenclatures import check_eligibility


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A condition that may be left open: the stored True / False / None is shown selected."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Peu importe"), ("true", "Oui"), ("false", "Non")]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IntakePersonForm(DsfrBaseForm, forms.ModelForm):
    """Step 1: who the person is. Only what identifies them is required."""

    class Meta:
        model = Beneficiary
        # The first half of the person's field set; the situation is step 2.
        fields = BENEFICIARY_IDENTITY_FIELDS
        widgets = {"birth_date": DateInput()}
        help_texts = {"phone": "Par exemple 06 12 34 56 78."}
        error_messages = {
            "birth_date": {"invalid": DATE_INVALID_MESSAGE},
            "email": {"invalid": EMAIL_INVALID_MESSAGE},
        }


class IntakeSituationForm(DsfrBaseForm, forms.ModelForm):
    """Step 2: the person's situation and constraints; an inactive person stops here."""

    class Meta:
        model = IntakeRequest
        fields = INTAKE_CONSTRAINT_FIELDS
        widgets = {"constraints_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The second half of the person's field set, before the request's constraints.
        situation = fields_for_model(Beneficiary, fields=BENEFICIARY_SITUATION_FIELDS)
        situation["employment_status"].error_messages["invalid_choice"] = CHOICE_INVALID_MESSAGE
        self.fields = {**situation, **self.fields}
        # DsfrBaseForm styled the fields present at its __init__; style the added ones too.
        for visible in self.visible_fields():
            if visible.name in situation:
                dsfr_input_class_attr(visible)

    def clean_employment_status(self):
        status = self.cleaned_data["employment_status"]
        verdict = check_eligibility(status)
        if not verdict.eligible:
            raise forms.ValidationError(verdict.reason)
        return status


class IntakeRequestForm(DsfrBaseForm, forms.ModelForm):
    """Step 3: the request itself, in the person's words."""

    class Meta:
        model = IntakeRequest
        fields = INTAKE_REQUEST_FIELDS
        widgets = {"received_on": DateInput(), "motive": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"received_on": {"invalid": DATE_INVALID_MESSAGE}}


INTAKE_STEPS = [
    (IntakePersonForm, "La personne"),
    (IntakeSituationForm, "Sa situation"),
    (IntakeRequestForm, "Sa demande"),
]


class InformationForm(DsfrBaseForm, forms.Form):
    delivered_on = PlausibleFormDateField(
        label="Date", widget=DateInput(), error_messages={"invalid": DATE_INVALID_MESSAGE}
    )
    channel = forms.ChoiceField(label="Modalité", choices=Service.Channel.choices)
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=1, max_value=600)
    themes = forms.MultipleChoiceField(
        label="Thèmes abordés",
        choices=InformationDelivery.Theme.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.CharField(
        label="Ressources indiquées",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sites, documents, structures ou événements signalés à la personne.",
    )
    notes = forms.CharField(
        label="Notes confidentielles", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoutingForm(DsfrBaseForm, forms.Form):
    target = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.none(),
        error_messages={"invalid_choice": "Choisissez une structure de votre annuaire."},
    )
    reason = forms.CharField(
        label="Motif de l'orientation", widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_evidence = forms.CharField(
        label="Accord de la personne pour le partage de son dossier",
        required=False,
        help_text=(
            "Obligatoire vers un opérateur de la plateforme : comment l'accord a été "
            "recueilli (par exemple « accord oral lors de l'entretien du 12 mars »)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = active_structures()


class RoutingStatusForm(DsfrBaseForm, forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=Routing.Status.choices)
    note = forms.CharField(label="Commentaire", required=False, max_length=300)


class OutcomeForm(DsfrBaseForm, forms.Form):
    outcome = forms.ChoiceField(
        label="Suite décidée par la personne",
        choices=IntakeRequest.Outcome.choices,
        widget=forms.RadioSelect,
    )
    decided_on = PlausibleFormDateField(
        label="Date de la décision",
        widget=DateInput(),
        error_messages={"invalid": DATE_INVALID_MESSAGE},
    )
    referent = forms.ModelChoiceField(
        label="Référent au niveau 2",
        queryset=Membership.objects.none(),
        required=False,
        help_text="Si la personne poursuit : par défaut, vous.",
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire si la personne s'arrête là.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = Membership.objects.filter(is_active=True).select_related(
            "user"
        )
        self.fields["referent"].label_from_instance = lambda m: m.display_name


class SessionForm(DsfrBaseForm, forms.ModelForm):
    # Declared so the class does not read the scoped tables at import; filled per request.
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.none(), required=False)
    animator = forms.ModelChoiceField(label="Animateur", queryset=Membership.objects.none())
    remote_link = forms.URLField(
        label="Lien de visioconférence", required=False, assume_scheme="https"
    )

    class Meta:
        model = InformationSession
        fields = [
            "theme",
            "starts_at",
            "duration_minutes",
            "site",
            "remote_link",
            "animator",
            "capacity",
        ]
        widgets = {"starts_at": DateTimeInput()}
        error_messages = {"starts_at": {"invalid": DATETIME_INVALID_MESSAGE}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.all()
        self.fields["animator"].queryset = Membership.objects.filter(is_active=True).select_related(
            "user"
        )
        self.fields["animator"].label_from_instance = lambda m: m.display_name


class AttendanceForm(DsfrBaseForm, forms.Form):
    attendance = forms.ChoiceField(label="Présence", choices=SessionRegistration.Attendance.choices)


class CancelSessionForm(DsfrBaseForm, forms.Form):
    reason = forms.CharField(label="Motif de l'annulation", max_length=300)


class StructureForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Structure
        fields = ["name", "kind", "departement", "email", "phone", "platform_operator", "is_active"]


class RoutingRuleForm(DsfrBaseForm, forms.ModelForm):
    target = forms.ModelChoiceField(label="Structure suggérée", queryset=Structure.objects.none())

    class Meta:
        model = RoutingRule
        fields = [
            "priority",
            "label",
            "status_group",
            "min_age",
            "max_age",
            "requires_rqth",
            "pcs_group",
            "target",
            "is_active",
        ]
        widgets = {"requires_rqth": AnyYesNoSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = active_structures()
