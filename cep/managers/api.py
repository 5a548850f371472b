"""API of the managers' lists: the team table, a counsellor's caseload, the parcours to follow up,
and bulk reassignment. REVIEW_CASELOAD only; everything within the token's operator."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cep.audit import client_ip
from cep.dates import PlausibleDateField, PlausibleDatesModelSerializer
from cep.managers import selectors, services
from cep.managers.team import in_days, team_figures
from cep.models import Membership, Parcours
from cep.roles import REVIEW_CASELOAD


def as_json(value):
    value = in_days(value)
    return value.isoformat() if isinstance(value, date) else value


class FollowedParcoursSerializer(PlausibleDatesModelSerializer):
    beneficiary_name = serializers.CharField(source="beneficiary.full_name")

    class Meta:
        model = Parcours
        fields = [
            "id",
            "beneficiary",
            "beneficiary_name",
            "referent",
            "current_level",
            "opened_on",
            "last_contact_on",
        ]


class ReassignmentSerializer(serializers.Serializer):
    parcours = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    # The manager (not a queryset) is evaluated per request, inside the caller's scope.
    to = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects,
        error_messages={"does_not_exist": "Ce conseiller n'appartient pas à votre structure."},
    )
    reason = serializers.CharField(max_length=300)


class ManagerAPIView(APIView):
    permission_required = REVIEW_CASELOAD


class TeamAPIView(ManagerAPIView):
    """Une ligne par conseiller, un champ par indicateur, sur la période (du, au inclus)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("du", date),
            OpenApiParameter("au", date),
            OpenApiParameter("site", int),
        ],
        responses={200: None},
    )
    def get(self, request):
        today = timezone.localdate()
        dates = PlausibleDateField(required=False, allow_null=True)
        try:
            start = (
                dates.to_internal_value(request.query_params["du"])
                if "du" in request.query_params
                else None
            )
            end = (
                dates.to_internal_value(request.query_params["au"])
                if "au" in request.query_params
                else None
            )
            site = int(request.query_params["site"]) if request.query_params.get("site") else None
        except (serializers.ValidationError, ValueError):
            raise serializers.ValidationError(
                {"du": ["Dates au format AAAA-MM-JJ ; site : un identifiant."]}
            ) from None
        period = selectors.period_of(request.query_params.get("periode", ""), start, end, today)
        rows = selectors.team_rows(period=period, today=today, site_id=site)
        keys = [f.key for f in team_figures()]
        return Response(
            {
                "period": {"start": period.start, "end_exclusive": period.end},
                "results": [
                    {
                        "membership": r.pk,
                        "name": r.display_name,
                        "role": r.role,
                        **{key: as_json(getattr(r, key)) for key in keys},
                    }
                    for r in rows
                ],
            }
        )


class CounsellorParcoursAPIView(ManagerAPIView):
    """Les parcours en cours d'un conseiller, avec la prochaine échéance."""

    @extend_schema(responses=FollowedParcoursSerializer(many=True))
    def get(self, request, membership_pk):
        counsellor = get_object_or_404(Membership, pk=membership_pk)
        rows = selectors.counsellor_parcours(counsellor=counsellor, today=timezone.localdate())
        data = FollowedParcoursSerializer(rows[:500], many=True).data
        for item, row in zip(data, rows[:500], strict=True):
            item["next_due"] = as_json(getattr(row, "next_due", None))
        return Response(data)


class FollowUpAPIView(ManagerAPIView):
    """Parcours à suivre : liste=sans-referent | sans-activite | sans-reponse, avec les filtres
    site, niveau, situation, categorie, age, rqth."""

    @extend_schema(
        parameters=[OpenApiParameter("liste", str, enum=list(selectors.LISTS))],
        responses=FollowedParcoursSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        kind = params.get("liste", "sans-referent")
        if kind not in selectors.LISTS:
            raise serializers.ValidationError(
                {"liste": [f"Liste inconnue ; choisissez parmi : {', '.join(selectors.LISTS)}."]}
            )
        try:
            filters = selectors.ListFilters(
                site=int(params["site"]) if params.get("site") else None,
                level=int(params["niveau"]) if params.get("niveau") else None,
                status_group=params.get("situation", ""),
                job_seeker=params.get("categorie", ""),
                age_band=params.get("age", ""),
                rqth=params.get("rqth", ""),
            )
        except ValueError:
            raise serializers.ValidationError(
                {"niveau": ["Site et niveau sont des nombres."]}
            ) from None
        rows = selectors.followup_list(kind=kind, filters=filters, today=timezone.localdate())
        return Response(FollowedParcoursSerializer(rows[:500], many=True).data)


class ReassignmentAPIView(ManagerAPIView):
    """Confier des parcours à un autre conseiller de la structure, avec un motif."""

    @extend_schema(request=ReassignmentSerializer, responses={200: None})
    def post(self, request):
        payload = ReassignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        moved = services.reassign_parcours(
            membership=request.membership,
            parcours_ids=payload.validated_data["parcours"],
            to=payload.validated_data["to"],
            reason=payload.validated_data["reason"],
            ip_address=client_ip(request),
        )
        return Response({"reassigned": moved}, status=status.HTTP_200_OK)


urlpatterns = [
    path("team/", TeamAPIView.as_view(), name="api_team"),
    path(
        "team/<int:membership_pk>/parcours/",
        CounsellorParcoursAPIView.as_view(),
        name="api_team_parcours",
    ),
    path("followup/", FollowUpAPIView.as_view(), name="api_followup"),
    path("reassignments/", ReassignmentAPIView.as_view(), name="api_reassignments"),
]
