from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cep import views
from cep.api.urls import router

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
        "beneficiaires/<int:beneficiary_pk>/acces/",
        views.AccessLogView.as_view(),
        name="beneficiary_access_log",
    ),
    path(
        "parcours/<int:parcours_pk>/prestations/nouvelle/",
        views.ServiceCreateView.as_view(),
        name="service_create",
    ),
    # Apps plug in by dotted path: the kernel imports none of them.
    path("", include("cep.space.file_urls")),
    path("", include("cep.continuity.urls")),
    path("", include("cep.closure.urls")),
    path("", include("cep.managers.urls")),
    path("", include("cep.search.urls")),
    path("", include("cep.referentials.urls")),
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
    path("api/v1/", include("cep.closure.api")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "api/docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
    # Last, as before: a walk over every URL signs out at the very end.
    path("", include("cep.security.urls")),
]
