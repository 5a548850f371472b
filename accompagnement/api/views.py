from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accompagnement import selectors, services
from accompagnement.api.serializers import (
    ITEM_SERIALIZERS,
    ActionPlanSerializer,
    ActionStatusSerializer,
    AgreementSerializer,
    FundingAnswerSerializer,
    PlanVersionSerializer,
    RevisionSerializer,
)
from accompagnement.models import Action, ActionPlan, FundingRequest
from cep.api.views import OperatorViewSetMixin
from cep.services import record_beneficiary_read


class ActionPlanViewSet(
    OperatorViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Plans d'action (niveau 3). Le contenu se modifie sur le brouillon ; un plan validé se
    révise."""

    serializer_class = ActionPlanSerializer
    queryset = ActionPlan.objects.none()

    def get_queryset(self):
        return ActionPlan.objects.select_related("parcours__beneficiary")

    @extend_schema(responses=PlanVersionSerializer)
    @action(detail=True, methods=["get"], url_path="current-version")
    def current_version(self, request, pk=None):
        plan = self.get_object()
        record_beneficiary_read(
            membership=request.membership,
            beneficiary=plan.parcours.beneficiary,
            ip_address=self.client_ip(),
        )
        return Response(PlanVersionSerializer(selectors.version_page(plan)).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("type", str, enum=list(ITEM_SERIALIZERS))],
        responses={201: None},
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        plan = self.get_object()
        item_type = request.query_params.get("type", "")
        if item_type not in ITEM_SERIALIZERS:
            raise serializers.ValidationError(
                {"type": [f"Type inconnu ; choisissez parmi : {', '.join(ITEM_SERIALIZERS)}."]}
            )
        serializer_class = ITEM_SERIALIZERS[item_type]
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.add_item(
            membership=request.membership,
            plan=plan,
            item_type=item_type,
            **payload.validated_data,
        )
        return Response(serializer_class(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgreementSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        plan = self.get_object()
        payload = AgreementSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.record_plan_agreement(
            membership=request.membership,
            plan=plan,
            **payload.validated_data,
        )
        return Response(PlanVersionSerializer(selectors.version_page(plan)).data)

    @extend_schema(request=RevisionSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def revision(self, request, pk=None):
        plan = self.get_object()
        payload = RevisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.revise_plan(membership=request.membership, plan=plan, **payload.validated_data)
        return Response(PlanVersionSerializer(selectors.version_page(plan)).data)


class ActionViewSet(OperatorViewSetMixin, viewsets.GenericViewSet):
    queryset = Action.objects.none()
    serializer_class = ActionStatusSerializer

    def get_queryset(self):
        return Action.objects.select_related("version__plan__parcours")

    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        plan_action = self.get_object()  # another operator's action answers 404 first
        payload = ActionStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.set_action_status(
            membership=request.membership,
            action=plan_action,
            **payload.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FundingRequestViewSet(OperatorViewSetMixin, viewsets.GenericViewSet):
    queryset = FundingRequest.objects.none()
    serializer_class = FundingAnswerSerializer

    def get_queryset(self):
        return FundingRequest.objects.select_related("version__plan__parcours")

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        funding_request = self.get_object()
        payload = FundingAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.record_funding_answer(
            membership=request.membership,
            request=funding_request,
            **payload.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
