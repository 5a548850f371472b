"""API of the end of a parcours: POST …/parcours/{id}/end/ and …/reopen/ (the référent or a
manager; another operator's parcours does not exist: 404)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cep.api.serializers import ParcoursSerializer
from cep.audit import client_ip
from cep.closure import services
from cep.closure.forms import OFFERED_REASONS
from cep.closure.models import SubReason
from cep.dates import PlausibleDateField
from cep.models import Parcours, Service


class EndSerializer(serializers.Serializer):
    ended_on = PlausibleDateField(
        error_messages={
            "required": "Indiquez la date de fin.",
            "invalid": "Saisissez une date valide (AAAA-MM-JJ).",
        }
    )
    channel = serializers.ChoiceField(
        choices=Service.Channel.choices,
        error_messages={
            "required": "Indiquez la modalité.",
            "invalid_choice": "Choisissez la modalité parmi : " + ", ".join(Service.Channel.values),
        },
    )
    reason = serializers.ChoiceField(
        choices=OFFERED_REASONS,
        help_text="« transfere » est posé par le transfert lui-même.",
        error_messages={
            "required": "Choisissez le motif de fin.",
            "invalid_choice": "Choisissez le motif parmi : "
            + ", ".join(value for value, _ in OFFERED_REASONS),
        },
    )
    # Evaluated per request, inside the caller's scope: only the operator's own sub-reasons.
    sub_reason = serializers.PrimaryKeyRelatedField(
        queryset=SubReason.objects,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Ce sous-motif n'existe pas dans votre structure."},
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Obligatoire pour le motif « autre ».",
        error_messages={"max_length": "300 caractères au plus."},
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        error_messages={
            "required": "Indiquez pourquoi le parcours est rouvert.",
            "blank": "Indiquez pourquoi le parcours est rouvert.",
            "max_length": "300 caractères au plus.",
        },
    )


class ParcoursActionAPIView(APIView):
    def parcours(self, pk: int) -> Parcours:
        return get_object_or_404(Parcours.objects.select_related("beneficiary"), pk=pk)


class EndAPIView(ParcoursActionAPIView):
    """Mettre fin au parcours (référent ou manager) : date, modalité, motif national,
    sous-motif de la structure, précision (obligatoire pour « autre »)."""

    @extend_schema(request=EndSerializer, responses={200: ParcoursSerializer})
    def post(self, request, parcours_pk):
        parcours = self.parcours(parcours_pk)
        payload = EndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ended = services.end_parcours(
            membership=request.membership,
            parcours=parcours,
            ip_address=client_ip(request),
            **payload.validated_data,
        )
        return Response(ParcoursSerializer(ended).data)


class ReopenAPIView(ParcoursActionAPIView):
    """Rouvrir un parcours terminé depuis moins de PARCOURS_REOPEN_DAYS jours, avec un motif."""

    @extend_schema(request=ReopenSerializer, responses={200: ParcoursSerializer})
    def post(self, request, parcours_pk):
        parcours = self.parcours(parcours_pk)
        payload = ReopenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reopened = services.reopen_parcours(
            membership=request.membership,
            parcours=parcours,
            reason=payload.validated_data["reason"],
            ip_address=client_ip(request),
        )
        return Response(ParcoursSerializer(reopened).data)


urlpatterns = [
    path("parcours/<int:parcours_pk>/end/", EndAPIView.as_view(), name="api_parcours_end"),
    path("parcours/<int:parcours_pk>/reopen/", ReopenAPIView.as_view(), name="api_parcours_reopen"),
]
