"""The beneficiary space: the invitation that opens it and the requests the person sends from it.

The person's login itself (``BeneficiaryAccount``) stays in the kernel: the tenancy middleware
reads it to know whose scope a request runs in. Tables keep their first names (``cep_...``).
"""

from django.db import models
from django_scopes import ScopedManager, scopes_disabled

from cep.models import ApiToken, Beneficiary, Membership, Operator, Parcours


class InvitationTokenManager(models.Manager):
    """The invitation link is what tells the operator: looked up by the token's digest only."""

    def by_token(self, token: str):
        with scopes_disabled():  # across operators in the database too (cep.rls)
            return (
                super()
                .get_queryset()
                .filter(token_digest=Invitation.digest(token))
                .select_related("beneficiary")
                .first()
            )


class Invitation(models.Model):
    """A single-use, expiring link e-mailed by the counsellor; it sets the password of the
    person's account. Only the SHA-256 of the token is stored."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse électronique")
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("utilisée le", null=True, blank=True)

    objects = ScopedManager(operator="operator")
    for_token = InvitationTokenManager()

    class Meta:
        db_table = "cep_invitation"
        verbose_name = "invitation à l'espace bénéficiaire"

    def __str__(self) -> str:
        return f"Invitation de {self.beneficiary} ({self.created_at:%d/%m/%Y})"

    digest = staticmethod(ApiToken.digest)
    generate_token = staticmethod(ApiToken.generate_key)


class BeneficiaryRequest(models.Model):
    """What the person asks from their space: changes to the project or the plan, rectification
    or erasure of their data. The référent (or, for erasure, a manager) handles it."""

    class Kind(models.TextChoices):
        PROJECT_CHANGES = "modif_projet", "Modifications demandées sur le projet"
        PLAN_CHANGES = "modif_plan", "Modifications demandées sur le plan d'action"
        RECTIFICATION = "rectification", "Rectification de mes données"
        ERASURE = "effacement", "Effacement de mes données"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="requests_made"
    )
    parcours = models.ForeignKey(
        Parcours, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("objet", max_length=16, choices=Kind.choices)
    message = models.TextField("message")
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    handled_at = models.DateTimeField("traitée le", null=True, blank=True)
    handled_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField("suite donnée", max_length=300, blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        db_table = "cep_beneficiaryrequest"
        verbose_name = "demande de la personne"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%d/%m/%Y}"
