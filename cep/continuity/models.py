"""Continuity of support: a parcours sent to another operator of the platform (transfer), its
history, and the liaison file that comes with it on the receiving side.

Tables keep their first names (``cep_transfer``...): the models moved here from the kernel with
state-only migrations, so an existing database kept every row.
"""

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cep.models import Beneficiary, Consent, Membership, Operator, Parcours


class TransferTargetManager(models.Manager):
    """The receiving operator's deliberate read of transfers that are another operator's rows:
    always narrowed to the transfers sent to it."""

    def sent_to(self, operator_id: int) -> models.QuerySet:
        return super().get_queryset().filter(target_operator_id=operator_id)


class Transfer(models.Model):
    """A parcours proposed to another operator of the platform, with the categories of data the
    person agrees to share. The row belongs to the sending operator; the receiving operator's
    managers read it through an object permission while it waits for their decision, and the
    data they see is the snapshot of the consented categories taken when it was sent."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "attente_accord", "En attente de l'accord de la personne"
        PENDING = "en_attente", "En attente de la décision de l'opérateur"
        ACCEPTED = "accepte", "Accepté"
        REFUSED = "refuse", "Refusé"
        EXPIRED = "expire", "Expiré sans décision"
        CANCELLED = "annule", "Annulé (accord refusé ou retiré)"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    target_operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="+", verbose_name="opérateur d'accueil"
    )
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="transfers")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField("motif du transfert")
    categories = models.JSONField("données à partager", default=list)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    liaison = models.JSONField("dossier de liaison", default=list, blank=True)
    # The fields that open the person's file at the receiving operator, as consented and sent.
    person = models.JSONField("identité et situation transmises", default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField("motif du refus", max_length=300, blank=True)
    received_parcours = models.OneToOneField(
        Parcours, on_delete=models.PROTECT, null=True, blank=True, related_name="received_from"
    )

    objects = ScopedManager(operator="operator")
    for_target = TransferTargetManager()
    # The receiving operator reads and decides on the row in the database too (cep.rls).
    rls_also_readable_by = ("target_operator",)

    class Meta:
        db_table = "cep_transfer"
        verbose_name = "transfert"
        permissions = [("review_transfer", "Examiner un transfert entrant")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_operator=models.F("operator")),
                name="transfer_to_another_operator",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["attente_accord", "annule"]) | Q(consent__isnull=False),
                name="transfer_sent_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status="refuse") | ~Q(refusal_reason=""),
                name="transfer_refusal_has_reason",
            ),
            # Accepted, a transfer that was sent opened a parcours at the receiving operator;
            # one never sent is a level-1 orientation accepted before orientations to the
            # platform became transfers (accueil migration 0008): nothing crossed the platform.
            models.CheckConstraint(
                condition=~Q(status="accepte")
                | Q(received_parcours__isnull=False)
                | Q(sent_at__isnull=True),
                name="transfer_accepted_has_parcours",
            ),
            # One transfer under way per parcours.
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(status__in=["attente_accord", "en_attente"]),
                name="one_open_transfer_per_parcours",
            ),
        ]
        indexes = [
            # The receiving operator's list of transfers, by status.
            models.Index(fields=["target_operator", "status"], name="transfer_incoming_idx"),
            # The expiry job reads the pending transfers whose time is up.
            models.Index(
                fields=["expires_at"], condition=Q(status="en_attente"), name="transfer_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Transfert du {self.created_at:%d/%m/%Y} — {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.AWAITING_CONSENT, self.Status.PENDING)


class TransferUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Transfer, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "cep_transferuserpermission"
        verbose_name = "permission d'un utilisateur sur un transfert"


class TransferGroupPermission(GroupObjectPermissionBase):
    """Unused (rights go to users), but guardian reads a group table for every object model."""

    content_object = models.ForeignKey(Transfer, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "cep_transfergrouppermission"
        verbose_name = "permission d'un groupe sur un transfert"


class TransferStatusChange(models.Model):
    """The history of a transfer, on the sending operator's side; the receiving operator's
    decisions are written here too (and in both operators' audit)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=16, choices=Transfer.Status.choices)
    note = models.CharField("commentaire", max_length=300, blank=True)
    changed_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        db_table = "cep_transferstatuschange"
        verbose_name = "étape d'un transfert"
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} le {self.changed_at:%d/%m/%Y}"


class LiaisonFile(models.Model):
    """On the receiving side, the data the person agreed to share, as it was when sent: it
    comes with the new parcours and stays with it."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.OneToOneField(Parcours, on_delete=models.CASCADE, related_name="liaison")
    origin_operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="+", verbose_name="opérateur d'origine"
    )
    categories = models.JSONField("données partagées", default=list)
    content = models.JSONField("contenu", default=list)
    reason = models.TextField("motif du transfert")
    received_at = models.DateTimeField("reçu le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        db_table = "cep_liaisonfile"
        verbose_name = "dossier de liaison"

    def __str__(self) -> str:
        return f"Dossier de liaison de {self.origin_operator}"
