"""The indicators as data: the consolidation export of a scope and a period, with the
definitions. Managers read their operator; coordinators their region or the nation, masked."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from indicateurs import dashboard, selectors
from indicateurs.periods import Period, PeriodForm
from indicateurs.registry import definitions


class IsIndicatorReader(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        view.scope = selectors.indicator_scope(request._request)
        if view.scope is None:
            raise exceptions.NotFound()
        return True


PERIOD_PARAMETERS = [
    OpenApiParameter("periode", str, enum=[k for k, _ in PeriodForm.KINDS]),
    OpenApiParameter("mois", str, description="AAAA-MM (période « mois »)"),
    OpenApiParameter("annee", int),
    OpenApiParameter("trimestre", int, enum=[1, 2, 3, 4]),
    OpenApiParameter("du", str, description="AAAA-MM, premier mois inclus"),
    OpenApiParameter("au", str, description="AAAA-MM, dernier mois inclus"),
]


class ConsolidationView(APIView):
    """Tous les indicateurs d'une période pour votre périmètre, avec leurs définitions. Sans
    paramètre : le dernier mois disponible. Les effectifs masqués valent null."""

    permission_classes = [IsIndicatorReader]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope = self.scope
        if "periode" in request.query_params:
            form = PeriodForm(request.query_params, latest=scope.latest_month)
            if not form.is_valid():
                return Response(
                    {name: [str(e) for e in errors] for name, errors in form.errors.items()},
                    status=400,
                )
            period = form.cleaned_data["period"]
        else:
            period = Period(scope.latest_month, scope.latest_month, "mois")
        figures = selectors.period_figures(scope, period, by_operator=scope.is_coordination)
        return Response(dashboard.consolidation(figures, scope))


class DefinitionsView(APIView):
    """Les définitions du jeu commun d'indicateurs."""

    permission_classes = [IsIndicatorReader]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"definitions": definitions()})


urlpatterns = [
    path("indicateurs/", ConsolidationView.as_view(), name="api_indicators"),
    path("indicateurs/definitions/", DefinitionsView.as_view(), name="api_indicator_definitions"),
]
