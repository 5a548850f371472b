from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django_scopes import scope

from cep import services as core
from cep.audit import client_ip
from cep.mixins import ParcoursViewMixin
from synthese import links, selectors, services
from synthese.models import SynthesisDocument


class ParcoursMixin(ParcoursViewMixin, View):
    """A page of the synthèse documents of one parcours."""

    # The synthèse records the parcours as it ended: asked, retried or sent after the end too.
    writes_when_ended = True

    def document(self, pk: int) -> SynthesisDocument:
        return get_object_or_404(
            SynthesisDocument.objects.select_related("requested_by__user"),
            pk=pk,
            parcours=self.parcours,
        )

    def back(self):
        return redirect("synthese:list", parcours_pk=self.parcours.pk)

    def can_email(self) -> bool:
        beneficiary = self.parcours.beneficiary
        return bool(beneficiary.email) and selectors.has_email_consent(beneficiary)


class SynthesisListView(ParcoursMixin):
    """Every version of the parcours' synthèse; asking for a new one; pending ones update
    themselves (htmx polling of the status fragment)."""

    def get(self, request, parcours_pk):
        core.record_beneficiary_read(
            membership=request.membership,
            beneficiary=self.parcours.beneficiary,
            ip_address=client_ip(request),
        )
        documents = list(selectors.documents_of(self.parcours))
        context = {
            "title": f"Synthèse — {self.parcours.beneficiary.full_name}",
            "parcours": self.parcours,
            "beneficiary": self.parcours.beneficiary,
            "documents": documents,
            "can_email": self.can_email(),
        }
        return render(request, "synthese/list.html", context)

    def post(self, request, parcours_pk):
        try:
            services.request_synthesis(membership=request.membership, parcours=self.parcours)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "La synthèse est en préparation : elle apparaît ci-dessous dès qu'elle est prête.",
            )
        return self.back()


class SynthesisStatusView(ParcoursMixin):
    """The row of one document: polled while it is being prepared."""

    def get(self, request, parcours_pk, synthesisdocument_pk):
        document = self.document(synthesisdocument_pk)
        context = {
            "document": document,
            "parcours": self.parcours,
            "can_email": self.can_email(),
        }
        return render(request, "synthese/document_row.html", context)


class SynthesisDownloadView(ParcoursMixin):
    """The counsellor's copy: to hand over, or (?imprimer=1) opened in the browser to print it for
    a person without digital access."""

    def get(self, request, parcours_pk, synthesisdocument_pk):
        document = self.document(synthesisdocument_pk)
        if not document.is_ready:
            raise Http404
        printing = request.GET.get("imprimer") == "1"
        services.record_download(
            document=document,
            membership=request.membership,
            ip_address=client_ip(request),
            channel="impression" if printing else "conseiller",
        )
        return pdf_response(document, inline=printing)


class SynthesisRetryView(ParcoursMixin):
    def post(self, request, parcours_pk, synthesisdocument_pk):
        document = self.document(synthesisdocument_pk)
        try:
            services.retry_synthesis(membership=request.membership, document=document)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "La préparation de la synthèse est relancée.")
        return self.back()


class SynthesisEmailView(ParcoursMixin):
    def post(self, request, parcours_pk, synthesisdocument_pk):
        document = self.document(synthesisdocument_pk)
        try:
            services.send_synthesis_link(
                membership=request.membership, document=document, ip_address=client_ip(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Un lien de téléchargement est envoyé à {self.parcours.beneficiary.email}.",
            )
        return self.back()


def pdf_response(document: SynthesisDocument, *, inline: bool = False) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.download_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@method_decorator(login_not_required, name="dispatch")
class SignedDownloadView(View):
    """The link e-mailed to the person: no account needed, the signature is the right to read
    this one file, for a limited time and while the person consents to e-mail delivery."""

    def get(self, request, token):
        try:
            target = links.read_token(token)
        except signing.SignatureExpired:
            return render(
                request,
                "synthese/link_problem.html",
                {
                    "title": "Lien expiré",
                    "message": "Ce lien de téléchargement a expiré. Demandez un nouveau lien à "
                    "votre conseiller ou à votre conseillère.",
                },
                status=410,
            )
        except signing.BadSignature:
            raise Http404 from None
        with scope(operator=target.operator_id):
            document = (
                SynthesisDocument.objects.select_related("parcours__beneficiary")
                .filter(pk=target.document_id, status=SynthesisDocument.Status.READY)
                .first()
            )
            if (
                document is None
                or not document.is_ready
                or len(target.checksum_prefix) != 16
                or not document.sha256.startswith(target.checksum_prefix)
                or not selectors.has_email_consent(document.parcours.beneficiary)
            ):
                raise Http404
            services.record_download(
                document=document, membership=None, ip_address=client_ip(request), channel="lien"
            )
            return pdf_response(document)
