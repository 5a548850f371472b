from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm


class LoginForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Identifiant ou mot de passe incorrect. Vérifiez votre saisie, en respectant les "
            "majuscules et minuscules."
        ),
        "inactive": "Ce compte est désactivé. Contactez l'administrateur de votre structure.",
    }


class PasswordResetRequestForm(DsfrBaseForm, PasswordResetForm):
    pass


class SetNewPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass
