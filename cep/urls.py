from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cep import views
from cep.api.urls import router
from cep.auth_forms import LoginForm, PasswordResetRequestForm, SetNewPasswordForm
from cep.continuity import views as transfer_views
from cep.managers import views as manager_views
from cep.security import second_factor as otp_views

auth_patterns = [
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

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.healthcheck, name="healthcheck"),
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("espace/", views.SwitchMembershipView.as_view(), name="switch_membership"),
    path("beneficiaires/", views.CaseloadView.as_view(), name="caseload"),
    path(
        "beneficiaires/nouveau/", views.BeneficiaryCreateView.as_view(), name="beneficiary_create"
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/",
        views.BeneficiaryDetailView.as_view(),
        name="beneficiary_detail",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/modifier/",
        views.BeneficiaryUpdateView.as_view(),
        name="beneficiary_update",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/invitation/",
        views.InviteBeneficiaryView.as_view(),
        name="beneficiary_invite",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/demandes/<int:beneficiaryrequest_pk>/traitee/",
        views.HandleRequestView.as_view(),
        name="beneficiary_request_handled",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/acces/",
        views.AccessLogView.as_view(),
        name="beneficiary_access_log",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/anonymiser/",
        views.AnonymiseBeneficiaryView.as_view(),
        name="beneficiary_anonymise",
    ),
    path(
        "parcours/<int:parcours_pk>/prestations/nouvelle/",
        views.ServiceCreateView.as_view(),
        name="service_create",
    ),
    path(
        "parcours/<int:parcours_pk>/continuite/",
        transfer_views.ContinuityView.as_view(),
        name="parcours_continuity",
    ),
    path("transferts/", transfer_views.IncomingTransfersView.as_view(), name="transfers_incoming"),
    path(
        "transferts/<int:transfer_pk>/",
        transfer_views.IncomingTransferView.as_view(),
        name="transfer_incoming",
    ),
    path("gestion/equipe/", manager_views.TeamView.as_view(), name="manager_team"),
    path(
        "gestion/equipe/<int:membership_pk>/",
        manager_views.CounsellorCaseloadView.as_view(),
        name="manager_counsellor",
    ),
    path("gestion/a-suivre/", manager_views.FollowUpView.as_view(), name="manager_followup"),
    path("gestion/reaffecter/", manager_views.ReassignView.as_view(), name="manager_reassign"),
    path("gestion/conservation/", manager_views.RetentionView.as_view(), name="manager_retention"),
    path(
        "gestion/securite/", manager_views.SecuritySettingsView.as_view(), name="manager_security"
    ),
    # Apps plug in by dotted path: the core imports none of them.
    path("accueil/", include("accueil.urls")),
    path("conseil/", include("conseil.urls")),
    path("accompagnement/", include("accompagnement.urls")),
    path("synthese/", include("synthese.urls")),
    path("mon-espace/", include("cep.space.urls")),
    path("indicateurs/", include("indicateurs.urls")),
    path("mon-espace/", include("conseil.space_urls")),
    path("mon-espace/", include("accompagnement.space_urls")),
    path("mon-espace/", include("synthese.space_urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("accueil.api.urls")),
    path("api/v1/", include("conseil.api.urls")),
    path("api/v1/", include("accompagnement.api.urls")),
    path("api/v1/", include("synthese.api.urls")),
    path("api/v1/", include("cep.referentials.api")),
    path("api/v1/", include("cep.managers.api")),
    path("api/v1/", include("indicateurs.api")),
    path("api/v1/", include("cep.continuity.api")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "api/docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
    *auth_patterns,
]
