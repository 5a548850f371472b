"""The common model to PDF: Django template → HTML → WeasyPrint, tagged for screen readers."""

import base64
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from synthese.models import SynthesisDocument
from synthese.selectors import document_content

logger = logging.getLogger(__name__)

FONT_FILES = {
    (400, "normal"): "dsfr/dist/fonts/Marianne-Regular.woff2",
    (400, "italic"): "dsfr/dist/fonts/Marianne-Regular_Italic.woff2",
    (700, "normal"): "dsfr/dist/fonts/Marianne-Bold.woff2",
}
# WeasyPrint's PDF/UA-1 variant: tagged structure, language and title, for screen readers.
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def font_faces() -> list[dict]:
    faces = []
    for (weight, style), name in FONT_FILES.items():
        path = finders.find(name)
        if path:
            faces.append({"weight": weight, "style": style, "url": Path(path).as_uri()})
    return faces


class LocalOnlyFetcher(URLFetcher):
    """The document may load the Marianne font files and inline images, nothing else: no network,
    no other file of the machine."""

    def __init__(self, allowed_files: set[str]):
        super().__init__(allowed_protocols={"file", "data"}, timeout=5)
        self.allowed_files = allowed_files

    def fetch(self, url, headers=None):
        if url.startswith("file:") and url.split("?")[0] not in self.allowed_files:
            raise ValueError(f"Ressource non autorisée dans la synthèse : {url}")
        return super().fetch(url, headers)


def logo_data_uri(document: SynthesisDocument) -> str:
    logo = document.operator.logo
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        # A missing logo does not stop the document: the operator's name is printed anyway.
        logger.warning("logo of operator %s unreadable", document.operator_id)
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def render_html(document: SynthesisDocument) -> str:
    context = document_content(document)
    context["fonts"] = font_faces()
    context["logo"] = logo_data_uri(document)
    return render_to_string("synthese/document.html", context)


def html_to_pdf(html: str) -> RenderedPdf:
    fonts = font_faces()
    fetcher = LocalOnlyFetcher({face["url"] for face in fonts})
    rendered = HTML(string=html, url_fetcher=fetcher).render(font_config=FontConfiguration())
    content = rendered.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPdf(content=content, page_count=len(rendered.pages))
