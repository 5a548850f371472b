"""Read-only search in the ROME referential (shared by every operator, not tenant data).

Routes without path parameters on purpose: the isolation walk fills path parameters with tenant
objects only.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cep.referentials import rome
from cep.referentials.models import ROME_ATTRIBUTION, RomeSkill
from cep.roles import COUNSEL

DEFAULT_LIMIT = 20
MAX_LIMIT = 50


class JobHitSerializer(serializers.Serializer):
    code_ogr = serializers.IntegerField(help_text="Code OGR de l'appellation")
    label = serializers.CharField(help_text="Appellation")
    job_code = serializers.CharField(help_text="Code ROME de la fiche métier")
    job_label = serializers.CharField(help_text="Intitulé de la fiche métier")


class SkillHitSerializer(serializers.Serializer):
    code_ogr = serializers.IntegerField()
    label = serializers.CharField()
    category = serializers.ChoiceField(choices=RomeSkill.Category.choices)


class RomeResultsSerializer(serializers.Serializer):
    attribution = serializers.CharField()
    version = serializers.CharField(allow_null=True, help_text="Version du ROME chargée")


class JobResultsSerializer(RomeResultsSerializer):
    results = JobHitSerializer(many=True)


class SkillResultsSerializer(RomeResultsSerializer):
    results = SkillHitSerializer(many=True)


QUERY_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Texte cherché, sans tenir compte des accents ni des majuscules "
        "(2 caractères au moins, sinon aucun résultat)",
    ),
    OpenApiParameter("limit", int, description=f"Nombre de résultats, {MAX_LIMIT} au plus"),
]


def limit_from(request) -> int:
    # A search box must never fail: a bad limit falls back to the default.
    try:
        return max(1, min(int(request.query_params.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
    except ValueError:
        return DEFAULT_LIMIT


def answer(results: list[dict]) -> Response:
    release = rome.current_release()
    return Response(
        {
            "attribution": ROME_ATTRIBUTION,
            "version": release.version if release else None,
            "results": results,
        }
    )


class RomeJobSearchView(APIView):
    """Recherche d'un métier du ROME par son appellation (« électricien », « aide-soignant »…)."""

    permission_required = COUNSEL

    @extend_schema(parameters=QUERY_PARAMETERS, responses=JobResultsSerializer)
    def get(self, request):
        query = request.query_params.get("q", "")
        return answer(rome.search_jobs(query, limit=limit_from(request)))


class RomeSkillSearchView(APIView):
    """Recherche d'une compétence (savoir-faire, savoir-être) ou d'un savoir du ROME."""

    permission_required = COUNSEL

    @extend_schema(
        parameters=[
            *QUERY_PARAMETERS,
            OpenApiParameter(
                "category",
                str,
                enum=RomeSkill.Category.values,
                description="Limiter à une catégorie (ignoré si inconnue)",
            ),
        ],
        responses=SkillResultsSerializer,
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        category = request.query_params.get("category")
        if category not in RomeSkill.Category.values:
            category = None
        return answer(rome.search_skills(query, limit=limit_from(request), category=category))


urlpatterns = [
    path("rome/jobs/", RomeJobSearchView.as_view(), name="rome-job-search"),
    path("rome/skills/", RomeSkillSearchView.as_view(), name="rome-skill-search"),
]
