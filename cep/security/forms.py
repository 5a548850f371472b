from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm

from cep.audit import client_ip
from cep.security import throttling


class LoginForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Identifiant ou mot de passe incorrect. Vérifiez votre saisie, en respectant les "
            "majuscules et minuscules."
        ),
        "inactive": "Ce compte est désactivé. Contactez l'administrateur de votre structure.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip_address = client_ip(self.request) if self.request else None
        if throttling.is_locked(username, ip_address):
            # Checked before the password: a locked account tells nothing about it.
            raise forms.ValidationError(throttling.locked_message(), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttling.record_failure(username, ip_address)
            raise
        throttling.clear(username)
        return cleaned


class PasswordResetRequestForm(DsfrBaseForm, PasswordResetForm):
    pass


class SetNewPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass


class CodeForm(DsfrBaseForm):
    code = forms.RegexField(
        label="Code à 6 chiffres",
        regex=r"^\s*\d{6}\s*$",
        help_text="Le code affiché par votre application d'authentification.",
        error_messages={
            "required": "Saisissez le code à 6 chiffres.",
            "invalid": "Le code compte exactement 6 chiffres.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
