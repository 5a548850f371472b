from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accueil import services
from accueil.api.serializers import (
    CancelSerializer,
    InformationSessionSerializer,
    IntakeRequestSerializer,
    PersonSerializer,
    RegistrationSerializer,
    RoutingSerializer,
    RoutingStatusSerializer,
)
from accueil.models import InformationSession, IntakeRequest, Routing
from cep.api.views import (
    DuplicateCheckedCreateMixin,
    OperatorViewSetMixin,
    confirm_distinct_requested,
)
from cep.errors import as_api_error
from cep.registries import PossibleDuplicate

CREATE_LIST_READ = (
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
)


class IntakeRequestViewSet(OperatorViewSetMixin, DuplicateCheckedCreateMixin, *CREATE_LIST_READ):
    """Demandes de niveau 1 : la création enregistre la personne, ouvre son parcours et la
    demande, ou rien du tout."""

    serializer_class = IntakeRequestSerializer
    queryset = IntakeRequest.objects.none()

    def get_queryset(self):
        return IntakeRequest.objects.select_related("parcours")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person = data.pop("person")
        try:
            serializer.instance = services.record_intake(
                membership=self.request.membership,
                person=person,
                ip_address=self.client_ip(),
                confirm_distinct=confirm_distinct_requested(self.request),
                **data,
            )
        except PossibleDuplicate:
            raise  # a 409 with the candidates (DuplicateCheckedCreateMixin)
        except DjangoValidationError as error:
            api_error = as_api_error(error)
            person_fields = set(PersonSerializer.Meta.fields)
            detail = api_error.detail
            nested = {k: v for k, v in detail.items() if k in person_fields}
            rest = {k: v for k, v in detail.items() if k not in person_fields}
            raise type(api_error)({**rest, **({"person": nested} if nested else {})}) from error


class RoutingViewSet(OperatorViewSetMixin, *CREATE_LIST_READ):
    """Orientations vers une structure partenaire, avec l'historique de leurs statuts."""

    serializer_class = RoutingSerializer
    queryset = Routing.objects.none()

    def get_queryset(self):
        return Routing.objects.select_related("target").prefetch_related("history")

    def perform_create(self, serializer):
        serializer.instance = services.route(
            membership=self.request.membership,
            ip_address=self.client_ip(),
            **serializer.validated_data,
        )

    @extend_schema(request=RoutingStatusSerializer, responses=RoutingSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        routing = self.get_object()
        payload = RoutingStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        routing = services.change_routing_status(
            membership=request.membership, routing=routing, **payload.validated_data
        )
        return Response(RoutingSerializer(self.get_queryset().get(pk=routing.pk)).data)


class InformationSessionViewSet(OperatorViewSetMixin, *CREATE_LIST_READ):
    """Sessions d'information collective (au plus 20 places)."""

    serializer_class = InformationSessionSerializer
    queryset = InformationSession.objects.none()

    def get_queryset(self):
        return InformationSession.objects.annotate(registered=Count("registrations"))

    def perform_create(self, serializer):
        session = services.create_session(
            membership=self.request.membership, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=session.pk)

    @extend_schema(request=RegistrationSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        session = self.get_object()
        payload = RegistrationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = services.register_for_session(
            membership=request.membership,
            session=session,
            beneficiary=payload.validated_data["beneficiary"],
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelSerializer, responses=InformationSessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        payload = CancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.cancel_session(
            membership=request.membership, session=session, **payload.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)
