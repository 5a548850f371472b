"""Level 1: requests, information delivered, routing, collective information sessions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from cep.continuity.models import Transfer
from cep.dates import validate_not_in_future, validate_scheduled
from cep.models import Beneficiary, Consent, Membership, Operator, Parcours, Service, Site
from cep.nomenclatures import DEPARTEMENT_CHOICES, PcsGroup, ProjectType, StatusGroup

# The cahier des charges keeps collective information sessions small.
SESSION_MAX_CAPACITY = 20
DATETIME_INVALID_MESSAGE = "Saisissez une date et une heure valides, par exemple 03/12/2026 14:00."
CAPACITY_MIN_MESSAGE = "Une session compte au moins une place."
CAPACITY_MAX_MESSAGE = (
    f"Une session d'information collective compte au plus {SESSION_MAX_CAPACITY} places."
)


def default_session_capacity() -> int:
    """A setting, read when a session is created (a callable keeps it out of migrations)."""
    return min(settings.INFORMATION_SESSION_DEFAULT_CAPACITY, SESSION_MAX_CAPACITY)


class Structure(models.Model):
    """A structure of the territory a person can be routed to, in the operator's directory.

    When it is an operator of this platform, routing there is a transfer (cep.continuity).
    """

    class Kind(models.TextChoices):
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        APEC = "apec", "Apec"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        REGIONAL_CEP = "operateur_regional", "Opérateur régional du CEP"
        TRANSITIONS_PRO = "transitions_pro", "Transitions Pro"
        CIO = "cio", "Centre d'information et d'orientation (CIO)"
        UNIVERSITY = "scuio", "Service d'orientation universitaire"
        OTHER = "autre", "Autre partenaire"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type de structure", max_length=32, choices=Kind.choices)
    departement = models.CharField(
        "département", max_length=3, choices=DEPARTEMENT_CHOICES, blank=True
    )
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    platform_operator = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="opérateur de la plateforme",
        help_text="Si la structure utilise cette plateforme, l'orientation devient un transfert.",
    )
    is_active = models.BooleanField("active", default=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "structure partenaire"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Who is best routed where: conditions on the person, the first matching rule wins."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(
        "ordre", default=10, help_text="Les règles s'appliquent de la plus petite à la plus grande."
    )
    label = models.CharField("libellé", max_length=200)
    status_group = models.CharField(
        "situation", max_length=32, choices=StatusGroup.choices, blank=True
    )
    min_age = models.PositiveSmallIntegerField(
        "âge minimal", null=True, blank=True, help_text="La personne a au moins cet âge."
    )
    max_age = models.PositiveSmallIntegerField(
        "âge limite", null=True, blank=True, help_text="La personne a moins de cet âge."
    )
    requires_rqth = models.BooleanField(
        "reconnaissance de travailleur handicapé",
        null=True,
        blank=True,
        help_text="Vide : peu importe.",
    )
    pcs_group = models.CharField(
        "catégorie socioprofessionnelle", max_length=1, choices=PcsGroup.choices, blank=True
    )
    target = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="+", verbose_name="structure suggérée"
    )
    is_active = models.BooleanField("active", default=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "règle d'orientation"
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lt=models.F("max_age")),
                name="routing_rule_age_range",
                violation_error_message="L'âge minimal doit être inférieur à l'âge limite.",
            )
        ]

    def __str__(self) -> str:
        return self.label


class IntakeRequest(models.Model):
    """The demande: what the person asked, in their words, and what level 1 made of it."""

    class HeardFrom(models.TextChoices):
        FRANCE_TRAVAIL = "france_travail", "Par France Travail"
        EMPLOYER = "employeur", "Par son employeur"
        WORD_OF_MOUTH = "bouche_a_oreille", "Par le bouche-à-oreille"
        INTERNET = "internet", "Sur internet"
        SOCIAL_NETWORKS = "reseaux_sociaux", "Sur les réseaux sociaux"
        PARTNER = "partenaire", "Par une structure partenaire"
        PRESS = "presse", "Par la presse ou une campagne"
        OTHER = "autre", "Autrement"

    class Outcome(models.TextChoices):
        GO_ON = "niveau_2", "Poursuit au niveau 2"
        ROUTED = "oriente", "Orienté vers une autre structure"
        STOPPED = "arret", "S'arrête là"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.OneToOneField(
        Parcours, on_delete=models.CASCADE, related_name="intake_request"
    )
    received_on = models.DateField("date de la demande", validators=[validate_not_in_future])
    channel = models.CharField("canal", max_length=16, choices=Service.Channel.choices)
    heard_from = models.CharField(
        "connaissance du CEP", max_length=32, choices=HeardFrom.choices, blank=True
    )
    motive = models.TextField("motif, dans les mots de la personne")
    project_type = models.CharField(
        "type de projet évoqué", max_length=32, choices=ProjectType.choices, blank=True
    )
    constraint_family = models.BooleanField("contraintes familiales", default=False)
    constraint_health = models.BooleanField("contraintes de santé", default=False)
    constraint_mobility = models.BooleanField("contraintes de mobilité", default=False)
    constraint_disability = models.BooleanField("situation de handicap", default=False)
    constraints_notes = models.TextField("contraintes à prendre en compte", blank=True)
    eligibility_reason = models.CharField("éligibilité", max_length=300)
    received_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name="reçu par"
    )
    suggested_structure = models.ForeignKey(
        Structure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="structure suggérée",
    )
    # The rule's label at intake time: the rule may be edited or deleted later.
    suggested_rule_label = models.CharField(max_length=200, blank=True)
    outcome = models.CharField("suite donnée", max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(
        "décidée le", null=True, blank=True, validators=[validate_not_in_future]
    )
    outcome_reason = models.TextField("motif", blank=True)
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "demande"
        indexes = [
            # The requests of the day, in the order they came.
            models.Index(fields=["operator", "received_on", "created_at"], name="intake_day_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", outcome_on__isnull=True)
                | (~Q(outcome="") & Q(outcome_on__isnull=False)),
                name="intake_outcome_dated",
            )
        ]

    def __str__(self) -> str:
        return f"Demande du {self.received_on:%d/%m/%Y}"

    @property
    def constraints(self) -> list[str]:
        return [
            field.verbose_name
            for field in self._meta.fields
            if field.name.startswith("constraint_") and getattr(self, field.name)
        ]


# The request's fields the counsellor writes, declared once: the intake's forms (step 3, and
# step 2 after the person's situation), the API and the data export start from them. Two halves
# because the intake asks for them in two steps.
INTAKE_REQUEST_FIELDS = ("received_on", "channel", "heard_from", "motive", "project_type")
INTAKE_CONSTRAINT_FIELDS = (
    "constraint_family",
    "constraint_health",
    "constraint_mobility",
    "constraint_disability",
    "constraints_notes",
)


class InformationDelivery(models.Model):
    """What a level-1 service informed the person about, and where it pointed them."""

    class Theme(models.TextChoices):
        JOBS = "metiers", "Métiers et tendances du territoire"
        TRAINING = "formations", "Formations"
        SCHEMES = "dispositifs", "Dispositifs et services"
        VAE = "vae", "Validation des acquis de l'expérience (VAE)"
        FUNDING = "financement", "Financement"
        BUSINESS = "creation", "Création ou reprise d'entreprise"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="information")
    themes = models.JSONField("thèmes abordés", default=list)
    resources = models.TextField("ressources indiquées", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "information délivrée"

    def __str__(self) -> str:
        return ", ".join(self.theme_labels)

    @property
    def theme_labels(self) -> list[str]:
        labels = dict(self.Theme.choices)
        return [labels.get(code, code) for code in self.themes]


class Routing(models.Model):
    """An orientation of the person towards another structure, and what became of it.

    Towards an operator of this platform it is the level-1 record of a transfer: the transfer
    (cep.continuity) holds the consent, the history and the receiving operator's decision, and
    this row's status follows it (ROUTING_STATUS_OF_TRANSFER). Towards any other structure the
    counsellor records what became of it, in this row's own history.
    """

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente de réponse"
        ACCEPTED = "acceptee", "Acceptée"
        REFUSED = "refusee", "Refusée"
        NO_ANSWER = "sans_reponse", "Sans réponse"
        EXPIRED = "expiree", "Expirée"
        CONSENT_WITHDRAWN = "accord_retire", "Annulée : la personne a retiré son accord"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="routings")
    target = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    reason = models.TextField("motif de l'orientation")
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transfert sur la plateforme",
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("proposée le", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "orientation"

    def __str__(self) -> str:
        return f"Orientation vers {self.target}"

    @property
    def is_transfer(self) -> bool:
        return self.transfer_id is not None

    @property
    def consent(self) -> Consent | None:
        """The person's consent to share their file: the transfer's, there is no other."""
        return self.transfer.consent if self.transfer_id else None

    @property
    def steps(self):
        """The history shown with the orientation: the transfer's, or this row's own."""
        return (self.transfer.history if self.transfer_id else self.history).all()


# What a level-1 orientation says of the transfer it stands for.
ROUTING_STATUS_OF_TRANSFER = {
    Transfer.Status.AWAITING_CONSENT: Routing.Status.PENDING,
    Transfer.Status.PENDING: Routing.Status.PENDING,
    Transfer.Status.ACCEPTED: Routing.Status.ACCEPTED,
    Transfer.Status.REFUSED: Routing.Status.REFUSED,
    Transfer.Status.EXPIRED: Routing.Status.EXPIRED,
    Transfer.Status.CANCELLED: Routing.Status.CONSENT_WITHDRAWN,
}


class RoutingStatusChange(models.Model):
    """The history of an orientation outside the platform (a transfer has its own)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    routing = models.ForeignKey(
        Routing, on_delete=models.CASCADE, related_name="history", verbose_name="orientation"
    )
    status = models.CharField("statut", max_length=16, choices=Routing.Status.choices)
    note = models.CharField("commentaire", max_length=300, blank=True)
    # Empty when the person's own act changed it (consent withdrawn from their space).
    changed_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("date du changement", auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "changement de statut d'une orientation"
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} le {self.changed_at:%d/%m/%Y}"


class InformationSession(models.Model):
    """A réunion d'information collective: small, dated, on a site or remote."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    theme = models.CharField("thème", max_length=200)
    starts_at = models.DateTimeField("début", validators=[validate_scheduled])
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)", default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    remote_link = models.URLField("lien de visioconférence", blank=True)
    animator = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name="animateur"
    )
    capacity = models.PositiveSmallIntegerField(
        "nombre de places",
        default=default_session_capacity,
        validators=[
            MinValueValidator(1, CAPACITY_MIN_MESSAGE),
            MaxValueValidator(SESSION_MAX_CAPACITY, CAPACITY_MAX_MESSAGE),
        ],
    )
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancellation_reason = models.CharField("motif d'annulation", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "session d'information collective"
        # The calendar of the coming sessions.
        indexes = [models.Index(fields=["operator", "starts_at"], name="session_calendar_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=SESSION_MAX_CAPACITY),
                name="session_capacity_small",
            ),
            models.CheckConstraint(
                condition=Q(site__isnull=False) | ~Q(remote_link=""),
                name="session_has_a_place",
                violation_error_message=(
                    "Indiquez un site d'accueil ou un lien de visioconférence."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} — {self.starts_at:%d/%m/%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SessionRegistration(models.Model):
    class Attendance(models.TextChoices):
        REGISTERED = "inscrit", "Inscrit"
        PRESENT = "present", "Présent"
        ABSENT = "absent", "Absent"
        EXCUSED = "excuse", "Excusé"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        InformationSession, on_delete=models.CASCADE, related_name="registrations"
    )
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="+")
    attendance = models.CharField(
        "présence", max_length=16, choices=Attendance.choices, default=Attendance.REGISTERED
    )
    # The level-1 service recorded when the person attended.
    service = models.OneToOneField(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("date d'inscription", auto_now_add=True)
    # Set when the cancellation e-mail went out: a retried task never writes twice.
    cancellation_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "inscription à une session"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "beneficiary"], name="one_registration_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.session}"
