"""Forms of the managers' screens: period, hand-over, follow-up filters, reassignment, security."""

from django import forms
from dsfr.forms import DsfrBaseForm

from cep.dates import PlausibleFormDateField
from cep.forms import DateInput, choose_among_colleagues
from cep.managers import selectors
from cep.models import Level, Membership, Site
from cep.nomenclatures import JOB_SEEKER_STATUSES, EmploymentStatus, StatusGroup


class PeriodForm(DsfrBaseForm, forms.Form):
    periode = forms.ChoiceField(
        label="Période",
        required=False,
        choices=[("mois", "Ce mois-ci"), ("trimestre", "Ce trimestre"), ("annee", "Cette année")],
    )
    du = PlausibleFormDateField(label="Du", required=False, widget=DateInput())
    au = PlausibleFormDateField(label="Au (inclus)", required=False, widget=DateInput())
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="Tous les sites"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("name", "pk")

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["au"] < data["du"]:
            self.add_error("au", "La fin de la période doit suivre son début.")
        return data


class HandOverForm(DsfrBaseForm, forms.Form):
    to = forms.ModelChoiceField(
        label="Confier tous ses parcours en cours à", queryset=Membership.objects.none()
    )
    reason = forms.CharField(label="Motif", max_length=300)
    deactivate = forms.BooleanField(
        label="Ce conseiller quitte la structure : désactiver son accès", required=False
    )

    def __init__(self, *args, exclude: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choose_among_colleagues(self.fields["to"], exclude=exclude)


class FollowUpFilterForm(DsfrBaseForm, forms.Form):
    liste = forms.ChoiceField(label="Liste", choices=list(selectors.LISTS.items()), required=False)
    site = forms.ModelChoiceField(
        label="Site du référent", queryset=Site.objects.none(), required=False, empty_label="Tous"
    )
    niveau = forms.TypedChoiceField(
        label="Niveau",
        choices=[("", "Tous"), *Level.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    situation = forms.ChoiceField(
        label="Situation", choices=[("", "Toutes"), *StatusGroup.choices], required=False
    )
    categorie = forms.ChoiceField(
        label="Catégorie de demandeur d'emploi",
        # In the nomenclature's order (A to E, then not registered): JOB_SEEKER_STATUSES is a set.
        choices=[
            ("", "Toutes"),
            *[(s.value, s.label) for s in EmploymentStatus if s in JOB_SEEKER_STATUSES],
        ],
        required=False,
    )
    age = forms.ChoiceField(
        label="Âge",
        choices=[("", "Tous"), *[(k, v[0]) for k, v in selectors.AGE_BANDS.items()]],
        required=False,
    )
    rqth = forms.ChoiceField(
        label="Reconnaissance du handicap (RQTH)",
        choices=[("", "Indifférent"), ("oui", "Oui"), ("non", "Non")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("name", "pk")


class ReassignForm(DsfrBaseForm, forms.Form):
    to = forms.ModelChoiceField(label="Nouveau référent", queryset=Membership.objects.none())
    reason = forms.CharField(label="Motif", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_among_colleagues(self.fields["to"])


class SecuritySettingsForm(DsfrBaseForm, forms.Form):
    counsellors_use_2fa = forms.BooleanField(
        label="Exiger aussi un code de connexion des conseillers",
        help_text=(
            "Les responsables et les administrateurs le donnent toujours. Un conseiller sans "
            "application de codes la configure à sa prochaine connexion."
        ),
        required=False,
    )
