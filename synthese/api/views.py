from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from cep.api.views import OperatorViewSetMixin
from synthese import services
from synthese.api.serializers import SynthesisDocumentSerializer
from synthese.models import SynthesisDocument
from synthese.views import pdf_response


class ByParcours(filters.FilterSet):
    parcours = filters.NumberFilter(field_name="parcours_id")


class SynthesisDocumentViewSet(
    OperatorViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Documents de synthèse. Une demande crée une version « en_attente » ; interrogez-la
    jusqu'à « pret » (ou « echec », avec le motif), puis téléchargez le PDF."""

    serializer_class = SynthesisDocumentSerializer
    queryset = SynthesisDocument.objects.none()
    filterset_class = ByParcours

    def get_queryset(self):
        return SynthesisDocument.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.request_synthesis(
            membership=self.request.membership,
            parcours=serializer.validated_data["parcours"],
        )

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        document = self.get_object()
        if not document.is_ready:
            raise Http404
        services.record_download(
            document=document,
            membership=request.membership,
            ip_address=self.client_ip(),
            channel="api",
        )
        return pdf_response(document)
