from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cep.api.views import OperatorViewSetMixin
from cep.roles import COUNSEL
from conseil import services
from conseil.api.serializers import (
    AgreementSerializer,
    DemandClarificationSerializer,
    HeldSkillSerializer,
    ProjectVersionSerializer,
    ReferentChangeSerializer,
    RetainSerializer,
    StrategyOptionSerializer,
)
from conseil.models import DemandClarification, HeldSkill, ProjectVersion, StrategyOption


class ByParcours(filters.FilterSet):
    parcours = filters.NumberFilter(field_name="parcours_id")


class Level2ViewSet(OperatorViewSetMixin, viewsets.GenericViewSet):
    filterset_class = ByParcours


class ReferentChangeView(APIView):
    """Changer le référent d'un parcours (niveaux 2 et 3) ; l'historique est conservé."""

    permission_required = COUNSEL

    @extend_schema(request=ReferentChangeSerializer, responses={204: None})
    def post(self, request):
        payload = ReferentChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.reassign_referent(membership=request.membership, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DemandClarificationViewSet(
    Level2ViewSet, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin
):
    serializer_class = DemandClarificationSerializer
    queryset = DemandClarification.objects.none()

    def get_queryset(self):
        return DemandClarification.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.clarify_demand(
            membership=self.request.membership, **serializer.validated_data
        )


class HeldSkillViewSet(
    Level2ViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
):
    serializer_class = HeldSkillSerializer
    queryset = HeldSkill.objects.none()

    def get_queryset(self):
        return HeldSkill.objects.select_related("rome_skill")

    def perform_create(self, serializer):
        serializer.instance = services.add_held_skill(
            membership=self.request.membership, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.remove_held_skill(membership=self.request.membership, held_skill=instance)


class ProjectVersionViewSet(
    Level2ViewSet, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin
):
    """Versions du projet. Créer enregistre le brouillon, ou la version suivante si la dernière
    a été validée par la personne."""

    serializer_class = ProjectVersionSerializer
    queryset = ProjectVersion.objects.none()

    def get_queryset(self):
        return ProjectVersion.objects.prefetch_related("target_jobs")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["target_jobs"] = data.get("target_jobs", [])
        serializer.instance = services.save_project(membership=self.request.membership, **data)

    @extend_schema(request=AgreementSerializer, responses=ProjectVersionSerializer)
    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        version = self.get_object()
        payload = AgreementSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services.record_project_agreement(
            membership=request.membership,
            version=version,
            **payload.validated_data,
        )
        return Response(self.get_serializer(version).data)


class StrategyOptionViewSet(
    Level2ViewSet, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin
):
    serializer_class = StrategyOptionSerializer
    queryset = StrategyOption.objects.none()

    def get_queryset(self):
        return StrategyOption.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.add_strategy_option(
            membership=self.request.membership,
            **serializer.validated_data,
        )

    @extend_schema(request=RetainSerializer, responses=StrategyOptionSerializer)
    @action(detail=True, methods=["post"])
    def retain(self, request, pk=None):
        option = self.get_object()
        payload = RetainSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        option = services.set_strategy_retained(
            membership=request.membership, option=option, **payload.validated_data
        )
        return Response(self.get_serializer(option).data)
