"""Forms of the person's space: their password, their requests."""

from django import forms
from dsfr.forms import DsfrBaseForm

from cep.space.models import BeneficiaryRequest


class SetPasswordForm(DsfrBaseForm, forms.Form):
    new_password1 = forms.CharField(
        label="Choisissez un mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant, ni proche de votre nom.",
    )
    new_password2 = forms.CharField(
        label="Saisissez-le une deuxième fois",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "Les deux mots de passe ne sont pas identiques.")
        return data


class RequestForm(DsfrBaseForm, forms.Form):
    kind = forms.ChoiceField(
        label="Objet", choices=BeneficiaryRequest.Kind.choices, widget=forms.HiddenInput
    )
    message = forms.CharField(
        label="Votre message", widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
