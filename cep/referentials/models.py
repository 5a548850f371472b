"""Shared referentials: France Travail's ROME 4.0 (jobs, job titles, skills, mobility).

Not tenant data: every operator reads the same release, loaded by `manage.py import_rome`.
Source : France Travail, ROME 4.0 (Licence Ouverte / Open Licence).
"""

from django.db import models

ROME_ATTRIBUTION = "Source : France Travail, ROME 4.0"


class RomeRelease(models.Model):
    """One import of the referential; the latest is the one in use."""

    version = models.CharField(max_length=20)
    imported_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    class Meta:
        db_table = "cep_romerelease"
        verbose_name = "version du ROME"
        get_latest_by = "imported_at"

    def __str__(self) -> str:
        return f"ROME {self.version}"


class RomeGrandDomaine(models.Model):
    code = models.CharField(max_length=1, primary_key=True)
    label = models.CharField(max_length=300)

    class Meta:
        db_table = "cep_romegranddomaine"
        verbose_name = "grand domaine ROME"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class RomeDomaine(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    label = models.CharField(max_length=300)
    grand_domaine = models.ForeignKey(RomeGrandDomaine, on_delete=models.CASCADE)

    class Meta:
        db_table = "cep_romedomaine"
        verbose_name = "domaine professionnel ROME"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class RomeJob(models.Model):
    """A fiche métier, e.g. M1805."""

    code = models.CharField("code ROME", max_length=5, primary_key=True)
    label = models.CharField("intitulé", max_length=300)
    search_label = models.CharField(max_length=300, editable=False)
    domaine = models.ForeignKey(RomeDomaine, on_delete=models.PROTECT, null=True)
    parent_code = models.CharField(max_length=5, blank=True)
    is_executive = models.BooleanField("emploi cadre", default=False)
    is_regulated = models.BooleanField("emploi réglementé", default=False)

    class Meta:
        db_table = "cep_romejob"
        verbose_name = "métier ROME"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class RomeAppellation(models.Model):
    """A job title (appellation) of a fiche métier: what people call their job."""

    code_ogr = models.PositiveIntegerField(primary_key=True)
    label = models.CharField("appellation", max_length=300)
    short_label = models.CharField(max_length=300, blank=True)
    search_label = models.CharField(max_length=300, editable=False)
    job = models.ForeignKey(RomeJob, on_delete=models.CASCADE, related_name="appellations")

    class Meta:
        db_table = "cep_romeappellation"
        verbose_name = "appellation ROME"
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


# The ROME's category of savoirs that are diplomas, certifications and habilitations.
CERTIFICATIONS = "Certifications et habilitations"


class RomeSkill(models.Model):
    """A skill (savoir-faire, savoir-être) or a knowledge item (savoir) of the referential."""

    class Category(models.TextChoices):
        KNOW_HOW = "savoir_faire", "Savoir-faire"
        SOFT_SKILL = "savoir_etre", "Savoir-être professionnel"
        KNOWLEDGE = "savoir", "Savoir"

    code_ogr = models.PositiveIntegerField(primary_key=True)
    label = models.CharField("compétence", max_length=500)
    search_label = models.CharField(max_length=500, editable=False)
    category = models.CharField("catégorie", max_length=16, choices=Category.choices)
    # A savoir's own ROME category ("Certifications et habilitations", "Domaines d'expertise"...):
    # it tells diplomas and certifications from knowledge. Empty for a savoir-faire or savoir-être.
    knowledge_category = models.CharField("catégorie de savoir", max_length=100, blank=True)

    class Meta:
        db_table = "cep_romeskill"
        verbose_name = "compétence ROME"
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_certification(self) -> bool:
        return self.knowledge_category == CERTIFICATIONS


class RomeJobSkill(models.Model):
    job = models.ForeignKey(RomeJob, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(RomeSkill, on_delete=models.CASCADE, related_name="job_links")
    is_core = models.BooleanField("cœur de métier", default=False)

    class Meta:
        db_table = "cep_romejobskill"
        verbose_name = "compétence d'un métier"
        constraints = [models.UniqueConstraint(fields=["job", "skill"], name="rome_job_skill_once")]

    def __str__(self) -> str:
        return f"{self.job_id} — {self.skill_id}"


class RomeMobility(models.Model):
    """An edge of the mobility graph: from this job one can move to that one."""

    source = models.ForeignKey(RomeJob, on_delete=models.CASCADE, related_name="mobilities")
    target = models.ForeignKey(RomeJob, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "cep_romemobility"
        verbose_name = "mobilité ROME"
        ordering = ["source", "order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="rome_mobility_once")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"
