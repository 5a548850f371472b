"""The follow-up survey's form."""

from django import forms
from dsfr.forms import DsfrBaseForm

YES_NO = [("oui", "Oui"), ("non", "Non"), ("", "Je ne sais pas ou ne souhaite pas répondre")]


class YesNoField(forms.TypedChoiceField):
    def __init__(self, label):
        super().__init__(
            label=label,
            choices=YES_NO,
            coerce=lambda v: v == "oui",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )


class SurveyForm(DsfrBaseForm, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="Êtes-vous satisfait(e) du conseil reçu ? (1 : pas du tout, 5 : tout à fait)",
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une note de 1 à 5."},
    )
    situation_improved = YesNoField("Votre situation professionnelle s'est-elle améliorée ?")
    entered_training = YesNoField("Êtes-vous entré(e) en formation ?")
    changed_job = YesNoField("Avez-vous changé d'emploi, de poste ou de lieu de travail ?")
    created_business = YesNoField("Avez-vous créé ou repris une entreprise ?")
    project_kept = YesNoField("Poursuivez-vous le projet construit avec votre conseiller ?")
    comment = forms.CharField(
        label="Un commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
