"""The end of a parcours: the operator's own sub-reasons under the national reasons, and the
history of the ends and reopenings of each parcours (the parcours holds its current state)."""

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from cep.models import Membership, Operator, Parcours, Service


class SubReason(models.Model):
    """A reason an operator adds under a national one (counted under the national reason by
    the common indicators, and under its own label in the operator's reports)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    national_reason = models.CharField(
        "motif national", max_length=16, choices=Parcours.ClosingReason.choices
    )
    label = models.CharField("libellé", max_length=120)
    active = models.BooleanField("proposé dans le formulaire", default=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "sous-motif de fin de parcours"
        verbose_name_plural = "sous-motifs de fin de parcours"
        ordering = ["national_reason", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "national_reason", "label"], name="closure_subreason_unique"
            ),
            models.CheckConstraint(
                condition=~Q(national_reason="transfere"), name="closure_subreason_not_transfer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_national_reason_display()} — {self.label}"


class ParcoursEvent(models.Model):
    """One end or one reopening of a parcours, kept for ever: the parcours' history."""

    class Kind(models.TextChoices):
        END = "fin", "Fin du parcours"
        REOPEN = "reouverture", "Réouverture"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="end_events")
    kind = models.CharField("événement", max_length=16, choices=Kind.choices)
    on = models.DateField("date")
    channel = models.CharField(
        "modalité", max_length=16, choices=Service.Channel.choices, blank=True
    )
    reason = models.CharField(
        "motif", max_length=16, choices=Parcours.ClosingReason.choices, blank=True
    )
    sub_reason = models.ForeignKey(
        SubReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="sous-motif",
    )
    # The text of "other", or why the parcours is reopened.
    note = models.CharField("précision", max_length=300, blank=True)
    level = models.PositiveSmallIntegerField("niveau atteint", null=True, blank=True)
    by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "fin ou réouverture de parcours"
        verbose_name_plural = "fins et réouvertures de parcours"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["parcours", "at"], name="closure_event_parcours_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="reouverture") | ~Q(reason=""), name="closure_end_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind="fin") | ~Q(note=""), name="closure_reopen_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} le {self.on:%d/%m/%Y}"
