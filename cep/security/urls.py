"""Signing in and out, the second factor, and the password reset."""

from django.contrib.auth import views as auth_views
from django.urls import path

from cep.security import second_factor as otp_views
from cep.security.forms import LoginForm, PasswordResetRequestForm, SetNewPasswordForm

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/code/", otp_views.SecondFactorView.as_view(), name="second_factor"),
    path(
        "connexion/double-authentification/",
        otp_views.SecondFactorSetupView.as_view(),
        name="second_factor_setup",
    ),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetRequestForm,
            extra_context={"title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"title": "Courriel envoyé"}),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=SetNewPasswordForm,
            extra_context={"title": "Nouveau mot de passe"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            extra_context={"title": "Mot de passe modifié"}
        ),
        name="password_reset_complete",
    ),
]
