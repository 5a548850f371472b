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
from accompagnement.models import (
    Action,
    ActionPlan,
    CostLine,
    ExternalService,
    FundingRequest,
    Step,
    TrainingPath,
)
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
        payload = serializer_class(
            data=request.data, context={"opened_on": plan.parcours.opened_on}
        )
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


class PlanItemViewSet(OperatorViewSetMixin, viewsets.GenericViewSet):
    """Corrections to an item of a draft plan (PUT, PATCH) and its removal (DELETE); an item of
    a version the person agreed to answers 400 with the reason. Each change is kept in the
    version's history."""

    item_type = ""

    def get_queryset(self):
        model, _ = services.ITEM_MODELS[self.item_type]
        return model.objects.select_related("version__plan__parcours")

    def get_serializer_class(self):
        return ITEM_SERIALIZERS[self.item_type]

    def update(self, request, pk=None, partial=False):
        item = self.get_object()  # another operator's item answers 404 first
        plan = item.version.plan
        serializer_class = self.get_serializer_class()
        payload = serializer_class(
            item,
            data=request.data,
            partial=partial,
            context={"opened_on": plan.parcours.opened_on},
        )
        payload.is_valid(raise_exception=True)
        fields = {
            name: value
            for name, value in payload.validated_data.items()
            if name in services.ITEM_MODELS[self.item_type][1]
        }
        item = services.update_item(
            membership=request.membership,
            plan=plan,
            item_type=self.item_type,
            pk=item.pk,
            **fields,
        )
        return Response(serializer_class(item).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        item = self.get_object()
        services.delete_item(
            membership=request.membership,
            plan=item.version.plan,
            item_type=self.item_type,
            pk=item.pk,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def item_viewset(item_type: str, model, doc: str):
    return type(
        f"{model.__name__}ViewSet",
        (PlanItemViewSet,),
        {"item_type": item_type, "queryset": model.objects.none(), "__doc__": doc},
    )


StepViewSet = item_viewset("step", Step, "Étapes d'un plan d'action (brouillon).")
TrainingPathViewSet = item_viewset(
    "training", TrainingPath, "Parcours de formation d'un plan d'action (brouillon)."
)
ExternalServiceViewSet = item_viewset(
    "external", ExternalService, "Prestations externes d'un plan d'action (brouillon)."
)
CostLineViewSet = item_viewset("cost", CostLine, "Lignes de coût d'un plan d'action (brouillon).")


class ActionViewSet(PlanItemViewSet):
    """Actions d'un plan d'action : corrections sur le brouillon, statut sur la version en
    vigueur."""

    item_type = "action"
    queryset = Action.objects.none()

    def get_serializer_class(self):
        if self.action == "change_status":
            return ActionStatusSerializer
        return super().get_serializer_class()

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


class FundingRequestViewSet(PlanItemViewSet):
    """Financeurs sollicités : corrections sur le brouillon, réponse sur la version en
    vigueur."""

    item_type = "funding"
    queryset = FundingRequest.objects.none()

    def get_serializer_class(self):
        if self.action == "answer":
            return FundingAnswerSerializer
        return super().get_serializer_class()

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
