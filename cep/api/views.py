from django_filters import rest_framework as filters
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cep import selectors, services
from cep.api.serializers import BeneficiarySerializer, ParcoursSerializer, ServiceSerializer
from cep.audit import client_ip
from cep.models import Beneficiary, Parcours, Service
from cep.registries import PossibleDuplicate
from cep.roles import COUNSEL

TRUE_VALUES = (True, 1, "1", "true", "True", "on", "oui")


def confirm_distinct_requested(request) -> bool:
    """`confirm_distinct=true` in the body (or the query string): the client confirms that the
    person is not one of the files a previous answer named."""
    data = request.data if hasattr(request.data, "get") else {}
    value = data.get("confirm_distinct", request.query_params.get("confirm_distinct"))
    return value in TRUE_VALUES


def possible_duplicate_response(warning: PossibleDuplicate) -> Response:
    """409: the files that may be the same person, with what identifies them and no more."""
    return Response(
        {
            "detail": warning.MESSAGE,
            "confirm_distinct": "Renvoyez la demande avec confirm_distinct=true s'il s'agit "
            "d'une autre personne.",
            "candidates": [
                {
                    "id": candidate.beneficiary.pk,
                    "first_name": candidate.beneficiary.first_name,
                    "last_name": candidate.beneficiary.last_name,
                    "birth_date": candidate.beneficiary.birth_date.isoformat(),
                    "reasons": candidate.reasons,
                }
                for candidate in warning.candidates
            ],
        },
        status=409,
    )


class DuplicateCheckedCreateMixin:
    """A create that may meet a possible duplicate answers 409 with the candidates."""

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except PossibleDuplicate as warning:
            return possible_duplicate_response(warning)


class DuplicateCheckedUpdateMixin:
    """So does a change of an e-mail, phone or France Travail identifier that makes the file
    look like another one."""

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except PossibleDuplicate as warning:
            return possible_duplicate_response(warning)


class OperatorViewSetMixin:
    permission_required = COUNSEL

    def client_ip(self) -> str | None:
        return client_ip(self.request)


class BeneficiaryViewSet(
    OperatorViewSetMixin,
    DuplicateCheckedCreateMixin,
    DuplicateCheckedUpdateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Les bénéficiaires de l'opérateur du jeton."""

    serializer_class = BeneficiarySerializer
    queryset = Beneficiary.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        rows = selectors.beneficiaries_visible_to(self.request.membership)
        if self.action == "list":  # a merged file's tombstone is not a person of the list
            rows = rows.filter(merged_into__isnull=True)
        return rows

    def retrieve(self, request, *args, **kwargs):
        beneficiary = self.get_object()
        if beneficiary.merged_into_id:
            # A tombstone (cep.duplicates): the kept file is the person's.
            kept = reverse("beneficiary-detail", kwargs={"pk": beneficiary.merged_into_id})
            return Response(
                {
                    "detail": "Ce dossier a été fusionné : la personne a le dossier n° "
                    f"{beneficiary.merged_into_id}.",
                    "merged_into": beneficiary.merged_into_id,
                },
                status=301,
                headers={"Location": kept},
            )
        services.record_beneficiary_read(
            membership=request.membership, beneficiary=beneficiary, ip_address=self.client_ip()
        )
        return Response(self.get_serializer(beneficiary).data)

    def perform_create(self, serializer):
        serializer.instance = services.create_beneficiary(
            membership=self.request.membership,
            ip_address=self.client_ip(),
            confirm_distinct=confirm_distinct_requested(self.request),
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        changes.pop("entry_level", None)
        serializer.instance = services.update_beneficiary(
            membership=self.request.membership,
            beneficiary=serializer.instance,
            ip_address=self.client_ip(),
            confirm_distinct=confirm_distinct_requested(self.request),
            **changes,
        )


class ParcoursFilter(filters.FilterSet):
    # Declared, not generated from Meta.fields: django-filter inspects the default manager at
    # import time, outside any scope, and a ModelChoiceFilter would read the related table.
    beneficiary = filters.NumberFilter(field_name="beneficiary_id")
    referent = filters.NumberFilter(field_name="referent_id")
    current_level = filters.NumberFilter()

    class Meta:
        model = Parcours
        fields = []


class ParcoursViewSet(OperatorViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Les parcours de l'opérateur du jeton (lecture seule)."""

    serializer_class = ParcoursSerializer
    queryset = Parcours.objects.none()
    filterset_class = ParcoursFilter

    def get_queryset(self):
        return selectors.parcours_visible_to(self.request.membership)


class ServiceFilter(filters.FilterSet):
    parcours = filters.NumberFilter(field_name="parcours_id")
    kind = filters.ChoiceFilter(choices=Service.Kind.choices)
    channel = filters.ChoiceFilter(choices=Service.Channel.choices)
    level = filters.NumberFilter()

    class Meta:
        model = Service
        fields = []


class ServiceViewSet(
    OperatorViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Les prestations délivrées ; une prestation se crée au niveau actuel du parcours."""

    serializer_class = ServiceSerializer
    queryset = Service.objects.none()
    filterset_class = ServiceFilter

    def get_queryset(self):
        return selectors.services_visible_to(self.request.membership)

    def perform_create(self, serializer):
        serializer.instance = services.record_service(
            membership=self.request.membership,
            ip_address=self.client_ip(),
            **serializer.validated_data,
        )
