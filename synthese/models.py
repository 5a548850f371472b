"""The common-model synthesis document and its PDF rendering.

A document is one version of the synthèse of a parcours. It points at the project and plan versions
in force when it was asked for, and counts only the services recorded by then, so rendering it again
(a retry, a redelivered message) gives the same content.
"""

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from accompagnement.models import PlanVersion
from cep.models import Membership, Operator, Parcours
from conseil.models import ProjectVersion


def document_path(document: "SynthesisDocument", filename: str) -> str:
    # One fixed name per document: a second render of the same version replaces, never adds.
    return (
        f"syntheses/{document.operator_id}/{document.parcours_id}/"
        f"synthese-{document.pk}-v{document.number}.pdf"
    )


class SynthesisDocument(models.Model):
    class Status(models.TextChoices):
        QUEUED = "en_attente", "En attente"
        RENDERING = "en_cours", "En cours de préparation"
        READY = "pret", "Prête"
        FAILED = "echec", "Échec"

    PENDING = (Status.QUEUED, Status.RENDERING)

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="syntheses")
    number = models.PositiveSmallIntegerField("version")
    project_version = models.ForeignKey(
        ProjectVersion, on_delete=models.PROTECT, related_name="+", verbose_name="projet"
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="plan d'action",
    )
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    # Last time the pipeline moved this document (enqueued, render started): the sweep's clock.
    last_activity_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField("tentatives de rendu", default=0)
    ready_at = models.DateTimeField("prête le", null=True, blank=True)
    file = models.FileField(upload_to=document_path, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    page_count = models.PositiveSmallIntegerField("pages", null=True, blank=True)
    error = models.TextField("motif de l'échec", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "document de synthèse"
        verbose_name_plural = "documents de synthèse"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "number"], name="synthesis_version_once"),
            models.CheckConstraint(
                condition=~Q(status="pret") | ~Q(sha256="") & Q(ready_at__isnull=False),
                name="synthesis_ready_has_file",
            ),
        ]
        indexes = [
            # The sweep reads the few pending documents among many ready ones.
            models.Index(
                fields=["last_activity_at"],
                condition=Q(status__in=["en_attente", "en_cours"]),
                name="synthesis_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Synthèse, version {self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def is_ready(self) -> bool:
        # An anonymised file keeps its row for the indicators, not its PDF.
        return self.status == self.Status.READY and bool(self.file)

    @property
    def download_name(self) -> str:
        return f"synthese-v{self.number}.pdf"
