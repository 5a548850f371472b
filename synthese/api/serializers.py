from rest_framework import serializers

from cep.api.serializers import scoped
from cep.dates import PlausibleDatesModelSerializer
from cep.models import Parcours
from synthese.models import SynthesisDocument


class SynthesisDocumentSerializer(PlausibleDatesModelSerializer):
    parcours = scoped(Parcours.objects)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = SynthesisDocument
        fields = [
            "id",
            "parcours",
            "number",
            "status",
            "status_label",
            "requested_at",
            "ready_at",
            "attempts",
            "sha256",
            "size",
            "page_count",
            "error",
            "download_url",
        ]
        read_only_fields = [f for f in fields if f != "parcours"]

    def get_download_url(self, document) -> str | None:
        if not document.is_ready:
            return None
        request = self.context.get("request")
        path = f"/api/v1/syntheses/{document.pk}/file/"
        return request.build_absolute_uri(path) if request else path
