"""The synthèse in the beneficiary space: my documents, every version, to download."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cep.audit import client_ip
from cep.models import BeneficiaryAccount
from cep.registries import SpaceSection, register_anonymiser, register_space_section
from cep.space.views import BeneficiarySpaceMixin
from synthese import services
from synthese.models import SynthesisDocument
from synthese.views import pdf_response


def documents_context(account: BeneficiaryAccount) -> dict:
    return {
        "documents": list(
            SynthesisDocument.objects.filter(
                parcours__beneficiary=account.beneficiary, status=SynthesisDocument.Status.READY
            ).order_by("-ready_at", "-pk")
        )
    }


class MyDocumentView(BeneficiarySpaceMixin):
    def get(self, request, synthesisdocument_pk):
        document = get_object_or_404(
            SynthesisDocument.objects.select_related("parcours__beneficiary"),
            pk=synthesisdocument_pk,
            parcours__beneficiary=self.account.beneficiary,
        )
        if not document.is_ready:
            raise Http404
        services.record_download(
            document=document, membership=None, ip_address=client_ip(request), channel="espace"
        )
        return pdf_response(document)


def anonymise(beneficiary) -> None:
    """The PDFs name the person: the files go, the rows (counted by the indicators) stay."""
    for document in SynthesisDocument.objects.filter(parcours__beneficiary=beneficiary):
        if document.file:
            document.file.delete(save=False)
            document.save(update_fields=["file"])


def register_space() -> None:
    register_anonymiser(anonymise)
    register_space_section(
        SpaceSection("documents", 50, "synthese/space/documents.html", documents_context)
    )
