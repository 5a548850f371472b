"""One file per person: what a counsellor confirmed when the platform warned of a possible
duplicate ("c'est une autre personne"), so neither the intake nor the managers' list of likely
duplicates proposes the pair again."""

from django.db import models
from django_scopes import ScopedManager

from cep.models import Beneficiary, Membership, Operator


class DistinctPersonConfirmation(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    # The file being created when the warning was shown, and the existing file it named.
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="+", verbose_name="dossier créé"
    )
    other = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="+", verbose_name="dossier existant"
    )
    reasons = models.JSONField("motifs de la ressemblance", default=list, blank=True)
    confirmed_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("confirmé le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "confirmation de personnes distinctes"
        indexes = [models.Index(fields=["operator", "other"], name="distinct_person_other_idx")]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} ≠ {self.other_id}"
