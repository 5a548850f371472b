"""Level 2: demand clarification, skills, matching jobs (ROME), project, feasibility, strategy.

The person's choices rule: the platform records what they agreed to, never imposes it.
"""

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from cep.dates import validate_not_in_future
from cep.models import BeneficiaryAccount, Membership, Operator, Parcours
from cep.nomenclatures import ProjectType
from cep.referentials.models import RomeJob, RomeSkill


class AgreementChannel(models.TextChoices):
    IN_PERSON = "en_presence", "En présence, lors d'un entretien"
    REMOTE = "a_distance", "À distance (téléphone, visioconférence, courriel)"
    BENEFICIARY_SPACE = "espace_beneficiaire", "Depuis son espace personnel"


class DemandClarification(models.Model):
    """What the person wants, in their order of priority; each update is a new row (history)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="clarifications")
    priorities = models.TextField("priorités, telles que la personne les exprime")
    constraints = models.TextField("contraintes", blank=True)
    autonomy = models.CharField(
        "degré d'autonomie",
        max_length=16,
        choices=Parcours.Autonomy.choices,
        help_text=(
            "Autonome : avance seule entre les entretiens. A besoin d'appui : avance avec des "
            "points réguliers. Accompagnement renforcé : a besoin d'un conseiller à chaque étape."
        ),
    )
    project_maturity = models.CharField(
        "maturité du projet",
        max_length=16,
        choices=Parcours.ProjectMaturity.choices,
        help_text=(
            "Émergent : une envie, pas encore de métier visé. En construction : des pistes à "
            "vérifier. Mature : un métier visé, réaliste, et un chemin pour y aller."
        ),
    )
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "clarification de la demande"
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Clarification du {self.recorded_at:%d/%m/%Y}"


# Level 2's fields the counsellor writes, declared once next to each model: its form, its API
# serializer, its service and the data export start from them, adding fields by name.
DEMAND_CLARIFICATION_FIELDS = ("priorities", "constraints", "autonomy", "project_maturity")


class HeldSkill(models.Model):
    """A skill the person has: from the ROME, or in their own words."""

    class Source(models.TextChoices):
        EXPERIENCE = "experience", "Expérience professionnelle"
        TRAINING = "formation", "Formation"
        LIFE = "vie", "Vie personnelle, bénévolat, loisirs"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="held_skills")
    rome_skill = models.ForeignKey(
        RomeSkill,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compétence du ROME",
    )
    free_label = models.CharField("compétence (texte libre)", max_length=300, blank=True)
    source = models.CharField("acquise par", max_length=16, choices=Source.choices)
    from_job = models.ForeignKey(
        RomeJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acquise dans le métier",
    )
    transferable = models.BooleanField("transférable", default=False)
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "compétence détenue"
        constraints = [
            models.CheckConstraint(
                condition=Q(rome_skill__isnull=False, free_label="")
                | Q(rome_skill__isnull=True) & ~Q(free_label=""),
                name="held_skill_rome_or_free",
            ),
            models.UniqueConstraint(
                fields=["parcours", "rome_skill"],
                condition=Q(rome_skill__isnull=False),
                name="held_skill_once",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.rome_skill.label if self.rome_skill_id else self.free_label


class TrainingNeed(models.Model):
    """A skill to acquire for a target job: what a training path will have to bring."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="training_needs")
    rome_skill = models.ForeignKey(
        RomeSkill, on_delete=models.PROTECT, related_name="+", verbose_name="compétence à acquérir"
    )
    target_job = models.ForeignKey(
        RomeJob, on_delete=models.PROTECT, related_name="+", verbose_name="métier visé"
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "besoin de formation"
        constraints = [
            models.UniqueConstraint(fields=["parcours", "rome_skill"], name="training_need_once")
        ]

    def __str__(self) -> str:
        return str(self.rome_skill)


class AgreedVersion(models.Model):
    """A version the person agrees to: draft, agreed (date and how), then revised by a later one.

    Shared by the level-2 project and the level-3 action plan: the rule is the same.
    """

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        AGREED = "valide", "Validé par la personne"
        REVISED = "revise", "Révisé depuis"

    number = models.PositiveSmallIntegerField("version")
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.DRAFT)
    revision_reason = models.CharField("motif de la révision", max_length=300, blank=True)
    agreed_on = models.DateField(
        "validé le", null=True, blank=True, validators=[validate_not_in_future]
    )
    agreement_channel = models.CharField(
        "validé", max_length=24, choices=AgreementChannel.choices, blank=True
    )
    agreement_recorded_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validation enregistrée par",
    )
    # Set when the person agreed from their own space: nobody recorded it for them.
    agreed_by_account = models.ForeignKey(
        BeneficiaryAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé en ligne depuis l'espace de",
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-number"]

    @property
    def is_agreed(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


STAFF_AGREEMENT_CHANNELS = [
    (value, label)
    for value, label in AgreementChannel.choices
    if value != AgreementChannel.BENEFICIARY_SPACE
]


def agreement_recorded(name: str) -> models.CheckConstraint:
    """No agreed version without a recorded agreement: the database says so too. An agreement
    "from their space" is the person's own act, never one a counsellor records for them."""
    return models.CheckConstraint(
        condition=Q(status="brouillon")
        | Q(agreed_on__isnull=False)
        & (
            Q(agreement_recorded_by__isnull=False)
            & Q(agreement_channel__in=["en_presence", "a_distance"])
            | Q(agreement_channel="espace_beneficiaire", agreed_by_account__isnull=False)
        ),
        name=name,
    )


class ProjectVersion(AgreedVersion):
    """One version of the person's project. An agreed version is never edited: changing it makes
    the next version, and the agreed one stays readable."""

    class Feasibility(models.TextChoices):
        FAVOURABLE = "favorable", "Réalisable"
        RESERVED = "reserve", "Réalisable sous conditions"
        UNFAVOURABLE = "defavorable", "Difficilement réalisable en l'état"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(
        Parcours, on_delete=models.CASCADE, related_name="project_versions"
    )
    project_type = models.CharField("type de projet", max_length=32, choices=ProjectType.choices)
    description = models.TextField("le projet, dans les mots de la personne")
    target_jobs = models.ManyToManyField(
        RomeJob, blank=True, related_name="+", verbose_name="métiers visés"
    )
    feasibility = models.CharField(
        "faisabilité", max_length=16, choices=Feasibility.choices, blank=True
    )
    market_notes = models.TextField("marché du travail", blank=True)
    prerequisites_notes = models.TextField("prérequis de formation", blank=True)
    constraints_notes = models.TextField("contraintes", blank=True)
    funding_notes = models.TextField("financement", blank=True)
    opportunities = models.TextField("opportunités repérées", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta(AgreedVersion.Meta):
        verbose_name = "version du projet"
        constraints = [
            models.UniqueConstraint(fields=["parcours", "number"], name="project_version_once"),
            agreement_recorded("project_agreed_with_agreement"),
        ]

    def __str__(self) -> str:
        return f"Projet, version {self.number}"


# The project's content; why a version changed (revision_reason) and its agreement belong to
# the version, and each consumer names them.
PROJECT_FIELDS = (
    "project_type",
    "description",
    "target_jobs",
    "feasibility",
    "market_notes",
    "prerequisites_notes",
    "constraints_notes",
    "funding_notes",
    "opportunities",
)


class StrategyOption(models.Model):
    """A way to reach the project, studied with the person; they retain one or several."""

    class Kind(models.TextChoices):
        TRAINING = "formation", "Formation"
        VAE = "vae", "Validation des acquis de l'expérience (VAE)"
        SKILLS_ASSESSMENT = "bilan", "Bilan de compétences"
        COMPLEMENTARY = "prestation", "Autre prestation complémentaire"
        BUSINESS_SUPPORT = "creation", "Accompagnement à la création d'entreprise"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(
        Parcours, on_delete=models.CASCADE, related_name="strategy_options"
    )
    kind = models.CharField("piste", max_length=16, choices=Kind.choices)
    description = models.TextField("description")
    pros = models.TextField("atouts", blank=True)
    cons = models.TextField("limites", blank=True)
    retained = models.BooleanField("retenue par la personne", default=False)
    retained_on = models.DateField(
        "retenue le", null=True, blank=True, validators=[validate_not_in_future]
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "piste de stratégie"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retained=False, retained_on__isnull=True)
                | Q(retained=True, retained_on__isnull=False),
                name="strategy_retained_dated",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


# What the person retains, and when, is written by its own service.
STRATEGY_OPTION_FIELDS = ("kind", "description", "pros", "cons")
