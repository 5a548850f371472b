"""Level 3: the co-built action plan, its versions, the training path, external services and the
funding plan.

A plan has versions. The content of a version (steps, actions, training, services, cost lines,
funders solicited) is frozen once the person agreed to it: changing it makes the next version, a
copy in which every item keeps its `key`, so two versions can be compared item by item. Carrying
the plan out (an action done, a grant received) is tracked on the version in force.
"""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from cep.dates import validate_not_in_future, validate_plan_date, validate_plausible
from cep.models import Membership, Operator, Parcours
from conseil.models import AgreedVersion, agreement_recorded

PROVIDER_CHOICE_MESSAGE = (
    "Le prestataire est le choix de la personne : confirmez qu'elle l'a choisi."
)
MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ActionPlan(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.OneToOneField(Parcours, on_delete=models.CASCADE, related_name="action_plan")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "plan d'action"

    def __str__(self) -> str:
        return f"Plan d'action — {self.parcours.beneficiary}"


class PlanVersion(AgreedVersion):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    schemes_notes = models.TextField("dispositifs et services à mobiliser", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta(AgreedVersion.Meta):
        verbose_name = "version du plan d'action"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once"),
            agreement_recorded("plan_agreed_with_agreement"),
        ]

    def __str__(self) -> str:
        return f"Plan d'action, version {self.number}"


class VersionItem(models.Model):
    """An item of a plan version; `key` follows the same item from one version to the next."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = ScopedManager(operator="operator")

    class Meta:
        abstract = True


class Step(VersionItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("étape", max_length=200)
    goal = models.CharField("objectif intermédiaire", max_length=300, blank=True)
    target_date = models.DateField(
        "date visée", null=True, blank=True, validators=[validate_plan_date]
    )

    class Meta:
        verbose_name = "étape"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


# Each item's fields the counsellor writes, declared once next to its model: the item's form,
# its API serializer, add_item and the data export start from them, adding or removing fields
# by name (each saying why), so the person's copy of their plan cannot miss a field.
STEP_FIELDS = ("order", "title", "goal", "target_date")


class Action(VersionItem):
    class Actor(models.TextChoices):
        BENEFICIARY = "beneficiaire", "La personne"
        COUNSELLOR = "conseiller", "Le conseiller"
        PARTNER = "partenaire", "Un partenaire"

    class Status(models.TextChoices):
        TODO = "a_faire", "À faire"
        IN_PROGRESS = "en_cours", "En cours"
        DONE = "faite", "Faite"
        DROPPED = "abandonnee", "Abandonnée"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="actions", verbose_name="étape"
    )
    description = models.CharField("action", max_length=300)
    actor = models.CharField("qui agit", max_length=16, choices=Actor.choices)
    due_date = models.DateField("échéance", null=True, blank=True, validators=[validate_plan_date])
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.TODO)

    class Meta:
        verbose_name = "action"
        ordering = ["due_date", "pk"]
        # Overdue actions (alerts, the team view): open ones by due date.
        indexes = [models.Index(fields=["operator", "status", "due_date"], name="action_due_idx")]

    def __str__(self) -> str:
        return self.description


ACTION_FIELDS = ("step", "description", "actor", "due_date")


class TrainingPath(VersionItem):
    class Modality(models.TextChoices):
        ON_SITE = "presentiel", "Présentiel"
        REMOTE = "distance", "À distance"
        MIXED = "mixte", "Mixte"
        WORK_LINKED = "alternance", "En alternance"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="trainings")
    provider_name = models.CharField("organisme de formation", max_length=200)
    provider_chosen_by_beneficiary = models.BooleanField(
        "organisme choisi par la personne",
        default=False,
        help_text="Le choix de l'organisme appartient à la personne, jamais au conseiller.",
    )
    certification_code = models.CharField(
        "code RNCP ou RS", max_length=20, blank=True, help_text="Par exemple RNCP37274 ou RS5635."
    )
    certification_title = models.CharField("certification visée", max_length=300)
    start_date = models.DateField("début", null=True, blank=True, validators=[validate_plan_date])
    end_date = models.DateField("fin", null=True, blank=True, validators=[validate_plan_date])
    hours = models.PositiveIntegerField("durée (heures)", null=True, blank=True)
    modality = models.CharField("modalité", max_length=16, choices=Modality.choices)
    cost = models.DecimalField("coût", **MONEY)
    vae_reduction = models.DecimalField(
        "réduction après VAE partielle", default=Decimal("0"), **MONEY
    )

    class Meta:
        verbose_name = "parcours de formation"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_chosen_by_beneficiary=True),
                name="training_provider_is_the_persons_choice",
                violation_error_message=PROVIDER_CHOICE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(vae_reduction__lte=models.F("cost")),
                name="training_reduction_le_cost",
                violation_error_message="La réduction après VAE ne peut pas dépasser le coût.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="training_ends_after_start",
                violation_error_message="La formation ne peut pas finir avant de commencer.",
            ),
        ]

    def __str__(self) -> str:
        return self.certification_title

    @property
    def net_cost(self) -> Decimal:
        return self.cost - self.vae_reduction


TRAINING_PATH_FIELDS = (
    "provider_name",
    "provider_chosen_by_beneficiary",
    "certification_code",
    "certification_title",
    "start_date",
    "end_date",
    "hours",
    "modality",
    "cost",
    "vae_reduction",
)


class ExternalService(VersionItem):
    class Kind(models.TextChoices):
        SKILLS_ASSESSMENT = "bilan", "Bilan de compétences"
        BUSINESS_SUPPORT = "creation", "Accompagnement à la création d'entreprise"
        OTHER = "autre", "Autre prestation"

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="external_services"
    )
    kind = models.CharField("prestation", max_length=16, choices=Kind.choices)
    provider_name = models.CharField("prestataire", max_length=200)
    provider_chosen_by_beneficiary = models.BooleanField(
        "prestataire choisi par la personne",
        default=False,
        help_text="Le choix du prestataire appartient à la personne, jamais au conseiller.",
    )
    start_date = models.DateField("début", null=True, blank=True, validators=[validate_plan_date])
    end_date = models.DateField("fin", null=True, blank=True, validators=[validate_plan_date])
    expected_results = models.TextField("résultats attendus, discutés avec la personne")
    follow_up_notes = models.TextField("suivi", blank=True)

    class Meta:
        verbose_name = "prestation externe"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_chosen_by_beneficiary=True),
                name="external_provider_is_the_persons_choice",
                violation_error_message=PROVIDER_CHOICE_MESSAGE,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.provider_name}"


EXTERNAL_SERVICE_FIELDS = (
    "kind",
    "provider_name",
    "provider_chosen_by_beneficiary",
    "start_date",
    "end_date",
    "expected_results",
)


class CostLine(VersionItem):
    class Kind(models.TextChoices):
        TRAINING = "formation", "Formation"
        VAE = "vae", "Accompagnement VAE"
        ASSESSMENT = "bilan", "Bilan de compétences"
        TRANSPORT = "transport", "Transport, hébergement"
        OTHER = "autre", "Autre"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="cost_lines")
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    label = models.CharField("libellé", max_length=200)
    amount = models.DecimalField("coût", **MONEY)
    # The training's own line: its cost is entered once, on the training, and this line follows
    # it (nature, label, amount = the cost after the VAE reduction); it is never typed again.
    training = models.OneToOneField(
        TrainingPath,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cost_line",
        verbose_name="parcours de formation",
    )

    class Meta:
        verbose_name = "ligne de coût"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


COST_LINE_FIELDS = ("kind", "label", "amount")


class FundingRequest(VersionItem):
    class Status(models.TextChoices):
        TO_REQUEST = "a_demander", "À demander"
        REQUESTED = "demandee", "Demandée"
        GRANTED = "accordee", "Accordée"
        REFUSED = "refusee", "Refusée"

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="funding_requests"
    )
    cost_line = models.ForeignKey(
        CostLine, on_delete=models.CASCADE, related_name="requests", verbose_name="ligne de coût"
    )
    scheme = models.CharField("financeur sollicité", max_length=32)
    amount_requested = models.DecimalField("montant demandé", **MONEY)
    amount_granted = models.DecimalField("montant accordé", null=True, blank=True, **MONEY)
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.TO_REQUEST
    )
    contacted_on = models.DateField(
        "contacté le", null=True, blank=True, validators=[validate_not_in_future]
    )
    note = models.CharField("note du conseiller", max_length=300, blank=True)
    override_eligible = models.BooleanField("avis du conseiller", null=True, blank=True)
    override_reason = models.CharField("motif de l'avis", max_length=300, blank=True)

    class Meta:
        verbose_name = "demande de financement"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_eligible__isnull=True) | ~Q(override_reason=""),
                name="funding_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True) | Q(status="accordee"),
                name="funding_granted_amount_when_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.amount_requested} €"


# The request as the plan states it; the funder's answer and the counsellor's opinion are
# recorded by their own services.
FUNDING_REQUEST_FIELDS = ("cost_line", "scheme", "amount_requested", "note")


class PlanItemChange(models.Model):
    """One change to a draft version: an item added, corrected or removed, by whom and when,
    with the item's values before and after, labelled and formatted in French when written
    (a removed item and a renamed funder still read as they were)."""

    class Kind(models.TextChoices):
        STEP = "step", "Étape"
        ACTION = "action", "Action"
        TRAINING = "training", "Parcours de formation"
        EXTERNAL = "external", "Prestation externe"
        SCHEMES = "schemes", "Dispositifs et services à mobiliser"
        COST = "cost", "Ligne de coût"
        FUNDING = "funding", "Financeur sollicité"

    class Change(models.TextChoices):
        CREATED = "ajout", "Ajout"
        UPDATED = "modification", "Modification"
        DELETED = "retrait", "Retrait"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="changes")
    item_kind = models.CharField("élément", max_length=16, choices=Kind.choices)
    # The item's key (it follows the item across versions); none for the version's own notes.
    item_key = models.UUIDField("clé de l'élément", null=True, blank=True)
    item_label = models.CharField("libellé de l'élément", max_length=300)
    change = models.CharField("changement", max_length=16, choices=Change.choices)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    changed_at = models.DateTimeField("le", default=timezone.now)
    # Lists of {"field", "label", "value", "shown"}: a list, because jsonb keeps no key order.
    before = models.JSONField("avant", default=list, blank=True)
    after = models.JSONField("après", default=list, blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "modification du plan"
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["version", "changed_at"], name="plan_change_idx")]

    def __str__(self) -> str:
        return f"{self.get_change_display()} — {self.get_item_kind_display()} « {self.item_label} »"

    @property
    def pairs(self) -> list[tuple[dict, dict]]:
        """A correction's fields, before and after, side by side."""
        return list(zip(self.before, self.after, strict=False))


class DeclaredFacts(models.Model):
    """What the person declared for the funding rules; empty means unknown, never "no"."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.OneToOneField(
        Parcours, on_delete=models.CASCADE, related_name="declared_facts"
    )
    months_salaried_total = models.PositiveSmallIntegerField(
        "mois de travail salarié (total)", null=True, blank=True
    )
    months_current_employer = models.PositiveSmallIntegerField(
        "mois dans l'entreprise actuelle", null=True, blank=True
    )
    months_salaried_last_5_years = models.PositiveSmallIntegerField(
        "mois de travail salarié sur les 5 dernières années", null=True, blank=True
    )
    months_fixed_term_last_12 = models.PositiveSmallIntegerField(
        "mois en CDD sur les 12 derniers mois", null=True, blank=True
    )
    years_continuous_salaried = models.PositiveSmallIntegerField(
        "années d'activité salariée continue", null=True, blank=True
    )
    cpf_balance = models.DecimalField("solde CPF déclaré", null=True, blank=True, **MONEY)
    employer_tops_up = models.BooleanField("l'employeur abonde le CPF", null=True, blank=True)
    # Démission-reconversion: the CEP must be requested before resigning.
    resigned = models.BooleanField("a déjà donné sa démission", null=True, blank=True)
    can_pay = models.DecimalField(
        "ce que la personne peut payer elle-même", null=True, blank=True, **MONEY
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "faits déclarés pour le financement"

    def __str__(self) -> str:
        return f"Faits déclarés — {self.parcours}"


DECLARED_FACTS_FIELDS = (
    "months_salaried_total",
    "months_current_employer",
    "months_salaried_last_5_years",
    "months_fixed_term_last_12",
    "years_continuous_salaried",
    "cpf_balance",
    "employer_tops_up",
    "resigned",
    "can_pay",
)


class ContactLog(models.Model):
    """Contacts with a funder or provider about adapting duration, content or cost."""

    class Subject(models.TextChoices):
        DURATION = "duree", "Durée"
        CONTENT = "contenu", "Contenu"
        COST = "cout", "Coût"
        OTHER = "autre", "Autre"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField("date", validators=[validate_not_in_future])
    counterpart = models.CharField("avec (financeur, organisme)", max_length=200)
    subject = models.CharField("objet", max_length=16, choices=Subject.choices)
    notes = models.TextField("échange")
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "contact financeur ou organisme"
        ordering = ["-contacted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.counterpart} — {self.contacted_on:%d/%m/%Y}"


CONTACT_LOG_FIELDS = ("contacted_on", "counterpart", "subject", "notes")


class FundingParameter(models.Model):
    """A threshold or amount of a funding scheme, dated: decrees change them, code does not."""

    code = models.CharField("paramètre", max_length=64)
    value = models.DecimalField("valeur", max_digits=12, decimal_places=2)
    valid_from = models.DateField("en vigueur à partir du", validators=[validate_plausible])
    label = models.CharField("libellé", max_length=300)
    source = models.CharField("texte de référence", max_length=300, blank=True)

    class Meta:
        verbose_name = "paramètre de financement"
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="funding_parameter_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.value} (depuis le {self.valid_from:%d/%m/%Y})"
