"""API of transfers between operators: send (the sending side), list incoming, accept or refuse
(the receiving operator's managers, through their object permission on the transfer)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cep.audit import client_ip
from cep.continuity import selectors, services
from cep.continuity.models import Transfer, TransferStatusChange
from cep.dates import PlausibleDatesModelSerializer
from cep.models import Membership, Operator, Parcours
from cep.registries import CATEGORIES, REQUIRED_FOR_TRANSFER
from cep.roles import COUNSEL, REVIEW_CASELOAD


class TransferStepSerializer(PlausibleDatesModelSerializer):
    class Meta:
        model = TransferStatusChange
        fields = ["status", "note", "changed_at"]


class TransferSerializer(PlausibleDatesModelSerializer):
    """The sending side's view of its transfers, with their history (a level-1 orientation to
    an operator of the platform is one of them)."""

    # Evaluated per request, inside the caller's scope: only the caller's own parcours.
    parcours = serializers.PrimaryKeyRelatedField(
        queryset=Parcours.objects,
        error_messages={"does_not_exist": "Ce parcours n'existe pas dans votre structure."},
    )
    target_operator = serializers.PrimaryKeyRelatedField(
        queryset=Operator.objects.all(),
        error_messages={"does_not_exist": "Cet opérateur n'existe pas sur la plateforme."},
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(
            choices=list(CATEGORIES),
            error_messages={"invalid_choice": "Choisissez parmi : " + ", ".join(CATEGORIES)},
        ),
        help_text="Toujours : " + ", ".join(REQUIRED_FOR_TRANSFER),
    )
    consent_evidence = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Comment l'accord de la personne a été recueilli ; vide : il lui est demandé "
        "dans son espace.",
    )
    history = TransferStepSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "parcours",
            "target_operator",
            "reason",
            "categories",
            "consent_evidence",
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "decided_at",
            "refusal_reason",
            "history",
        ]
        read_only_fields = [
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "decided_at",
            "refusal_reason",
        ]


class TransferListAPIView(APIView):
    """Les transferts envoyés par votre structure ; POST pour en proposer un."""

    permission_required = COUNSEL

    @extend_schema(responses=TransferSerializer(many=True))
    def get(self, request):
        rows = Transfer.objects.prefetch_related("history").order_by("-created_at", "-pk")[:500]
        return Response(TransferSerializer(rows, many=True).data)

    @extend_schema(request=TransferSerializer, responses={201: TransferSerializer})
    def post(self, request):
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transfer = services.propose_transfer(
            membership=request.membership,
            ip_address=client_ip(request),
            **payload.validated_data,
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class IncomingTransferSerializer(PlausibleDatesModelSerializer):
    """What the receiving operator may read: the consented data and nothing else."""

    origin_operator = serializers.CharField(source="operator.name")
    person = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "origin_operator",
            "reason",
            "categories",
            "sent_at",
            "expires_at",
            "person",
            "liaison",
        ]

    def get_person(self, transfer) -> dict:
        return {k: v for k, v in transfer.person.items() if k != "level"}


class IncomingListAPIView(APIView):
    """Les transferts qui attendent la décision de votre structure."""

    permission_required = REVIEW_CASELOAD

    @extend_schema(responses=IncomingTransferSerializer(many=True))
    def get(self, request):
        rows = selectors.incoming_transfers(request.membership)
        return Response(IncomingTransferSerializer(rows, many=True).data)


class AcceptSerializer(serializers.Serializer):
    referent = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects,
        error_messages={"does_not_exist": "Ce conseiller n'appartient pas à votre structure."},
    )


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class DecisionAPIView(APIView):
    permission_required = REVIEW_CASELOAD

    def transfer(self, transfer_pk: int) -> Transfer:
        return selectors.incoming_transfer(self.request.membership, transfer_pk)


class AcceptAPIView(DecisionAPIView):
    """Accepter : un dossier et un parcours sont ouverts chez vous, avec ce référent."""

    @extend_schema(request=AcceptSerializer, responses={201: None})
    def post(self, request, transfer_pk):
        transfer = self.transfer(transfer_pk)
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            parcours = services.accept_transfer(
                membership=request.membership,
                transfer_id=transfer.pk,
                referent=payload.validated_data["referent"],
                ip_address=client_ip(request),
            )
        except Transfer.DoesNotExist:
            raise Http404 from None
        return Response(
            {"parcours": parcours.pk, "beneficiary": parcours.beneficiary_id},
            status=status.HTTP_201_CREATED,
        )


class RefuseAPIView(DecisionAPIView):
    """Refuser, avec un motif."""

    @extend_schema(request=RefuseSerializer, responses={200: None})
    def post(self, request, transfer_pk):
        transfer = self.transfer(transfer_pk)
        payload = RefuseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.refuse_transfer(
                membership=request.membership,
                transfer_id=transfer.pk,
                reason=payload.validated_data["reason"],
                ip_address=client_ip(request),
            )
        except Transfer.DoesNotExist:
            raise Http404 from None
        return Response({"status": Transfer.Status.REFUSED})


urlpatterns = [
    path("transfers/", TransferListAPIView.as_view(), name="api_transfers"),
    path("transfers/incoming/", IncomingListAPIView.as_view(), name="api_transfers_incoming"),
    path(
        "transfers/incoming/<int:transfer_pk>/accept/",
        AcceptAPIView.as_view(),
        name="api_transfer_accept",
    ),
    path(
        "transfers/incoming/<int:transfer_pk>/refuse/",
        RefuseAPIView.as_view(),
        name="api_transfer_refuse",
    ),
]
