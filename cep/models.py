"""Core models: the tenant (operator), its people and the CEP path.

Every table holding personal or casework data carries a non-null ``operator`` column and a scoped
manager: a query made without an active scope raises ``ScopeError`` instead of returning every
operator's rows. The column is denormalised onto child rows (services, assignments...) so the scope,
the indexes and row-level security read it without a join.
"""

import hashlib
import re
import secrets
import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_scopes import ScopedManager, scopes_disabled
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cep.dates import validate_birth_date, validate_not_in_future
from cep.nomenclatures import (
    DEPARTEMENT_CHOICES,
    DiplomaLevel,
    EmploymentStatus,
    PcsGroup,
    Region,
    Sex,
)


def normalize_for_search(text: str) -> str:
    """Lower case without accents, so "Éloïse" is found by "eloise"."""
    # PostgreSQL refuses NUL characters in text: a pasted one must not become a server error.
    decomposed = unicodedata.normalize("NFKD", text.replace("\x00", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


# Overseas France dials its numbers nationally with its own prefixes ("0692 12 34 56" in
# La Réunion): a number not valid as metropolitan is read as theirs before being refused.
PHONE_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
# What a typed number may hold: digits, a leading "+", spaces and the usual separators. Not
# letters, which phonenumbers would read as a keypad ("1-800-FLOWERS").
PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().\-/]+$")


def parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """The number typed, in any format ("06 12 34 56 78", "+33 6 12 34 56 78", "0033 (0)6…",
    "+32 470 12 34 56"), if it is a valid French or international number; None otherwise."""
    text = (text or "").strip()
    if not text or not PHONE_CHARACTERS.match(text):
        return None
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
        if text.startswith("+") or text.startswith("00"):
            return None  # international: the region of the number is in it
    return None


def normalize_phone(text: str) -> str:
    """A phone number in E.164 ("06 12 34 56 78", "0033 6 12…" and "+33612345678" give
    "+33612345678"), so the duplicate check compares numbers, not the way they were typed;
    "" for an empty or unreadable number."""
    if not text or not text.strip():
        return ""
    number = parse_phone(text)
    if number is None:
        # A number saved before the validator read every format: compared as French.
        try:
            number = phonenumbers.parse(text, "FR")
        except phonenumbers.NumberParseException:
            return ""
        if not phonenumbers.is_possible_number(number):
            return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The pattern the field held before it read every format: a number it accepted stays accepted
# (phonenumbers finds some unassigned, "07 00 00 00 01"), so no saved file becomes invalid and
# blocks its next edit or its transfer.
FORMER_PHONE_PATTERN = re.compile(r"^(?:\+33|0033|0)[1-9](?:[ .-]?\d{2}){4}$")


def validate_phone(value: str) -> None:
    if value and parse_phone(value) is None and not FORMER_PHONE_PATTERN.match(value):
        raise ValidationError(PHONE_INVALID_MESSAGE, code="invalid")


# Wording shared by the HTML forms and the API, so both say the same thing for the same mistake.
EMAIL_INVALID_MESSAGE = "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
CHOICE_INVALID_MESSAGE = "Choisissez une situation dans la liste proposée."
DATE_INVALID_MESSAGE = "Saisissez une date valide, par exemple 14/07/1985."

FRANCE_TRAVAIL_ID_MESSAGE = (
    "L'identifiant France Travail compte 7 chiffres suivis d'un chiffre ou d'une lettre, "
    "par exemple 1234567A."
)
france_travail_id_validator = RegexValidator(r"^\d{7}[0-9A-Z]$", FRANCE_TRAVAIL_ID_MESSAGE)


def normalize_france_travail_id(text: str) -> str:
    """The identifier as France Travail writes it: without spaces, in capitals ("1234567a",
    " 1234 567A " give "1234567A")."""
    return "".join((text or "").split()).upper()


class FranceTravailIdFormField(forms.CharField):
    """Normalised before its length and format are checked, so "1234 567a" is accepted."""

    default_error_messages = {"max_length": FRANCE_TRAVAIL_ID_MESSAGE}

    def to_python(self, value):
        return normalize_france_travail_id(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["maxlength"] = "12"  # room for the spaces typed
        return attrs


class FranceTravailIdField(models.CharField):
    """The France Travail identifier (7 digits, then a digit or a letter), typed in any case and
    with spaces, kept as "1234567A": the model's validation writes it back normalised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its format says its length: one message for a value too long, not two.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_france_travail_id(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": FranceTravailIdFormField, **kwargs})


siret_validator = RegexValidator(r"^\d{14}$", "Le SIRET compte exactement 14 chiffres.")
postcode_validator = RegexValidator(r"^\d{5}$", "Le code postal compte exactement 5 chiffres.")
PHONE_INVALID_MESSAGE = "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78."


class Operator(models.Model):
    class Kind(models.TextChoices):
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        APEC = "apec", "Apec"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        REGIONAL = "operateur_regional", "Opérateur régional (actifs occupés)"

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type d'opérateur", max_length=32, choices=Kind.choices)
    region = models.CharField("région", max_length=2, choices=Region.choices)
    siret = models.CharField("SIRET", max_length=14, validators=[siret_validator], blank=True)
    logo = models.ImageField("logo", upload_to="operator-logos/", blank=True)
    counsellors_use_2fa = models.BooleanField(
        "double authentification pour les conseillers",
        default=False,
        help_text="Managers et administrateurs l'utilisent toujours.",
    )
    delivers_training = models.BooleanField(
        "dispense des formations",
        default=False,
        help_text="Un opérateur régional ne peut pas dispenser de formation (impartialité).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "opérateur"
        ordering = ["name"]
        permissions = [
            ("counsel_beneficiaries", "Conseiller les bénéficiaires de l'opérateur"),
            ("review_caseload", "Superviser les portefeuilles de l'opérateur"),
            ("manage_operator", "Administrer l'opérateur"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="operateur_regional", delivers_training=True),
                name="regional_operator_delivers_no_training",
                violation_error_message=(
                    "Un opérateur régional du CEP ne peut pas dispenser de formation."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class OperatorUserPermission(UserObjectPermissionBase):
    """Direct foreign key: guardian's generic table measured 10-30x slower."""

    content_object = models.ForeignKey(Operator, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "permission d'un utilisateur sur un opérateur"


class OperatorGroupPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Operator, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "permission d'un groupe sur un opérateur"


class Site(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField(
        "code postal", max_length=5, validators=[postcode_validator], blank=True
    )
    commune = models.CharField("commune", max_length=150)
    departement = models.CharField("département", max_length=3, choices=DEPARTEMENT_CHOICES)
    accessibility_notes = models.TextField("accessibilité", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "site d'accueil"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"


class MembershipLoginManager(models.Manager):
    """The one read of memberships across operators: a user's own, to pick the active one.

    It runs before any scope exists (the scope is what it decides), and always filters by user.
    """

    def of_user(self, user) -> list:
        # Read in the database across operators too (cep.rls), and read here, at once.
        with scopes_disabled():
            return list(
                super()
                .get_queryset()
                .filter(user=user, is_active=True)
                .select_related("operator", "user")  # every page prints who is logged in
                .order_by("operator__name", "pk")
            )

    def user_has_any(self, user) -> bool:
        """Whether the account holds a membership anywhere, even inactive."""
        with scopes_disabled():
            return super().get_queryset().filter(user=user).exists()


class Membership(models.Model):
    class Role(models.TextChoices):
        CONSEILLER = "conseiller", "Conseiller"
        MANAGER = "manager", "Manager"
        ADMIN = "admin", "Administrateur"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=16, choices=Role.choices)
    sites = models.ManyToManyField(Site, blank=True, verbose_name="sites")
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")
    for_login = MembershipLoginManager()

    class Meta:
        verbose_name = "habilitation"
        constraints = [
            models.UniqueConstraint(fields=["user", "operator"], name="one_membership_per_operator")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} — {self.get_role_display()} ({self.operator.name})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Coordinator(models.Model):
    """A regional or national coordinator of the CEP. Not a member of any operator: no path to a
    person's file, only to the indicators of the operators of their region (or of the nation),
    whose small counts are masked."""

    class Level(models.TextChoices):
        REGION = "region", "Coordination régionale"
        NATION = "nation", "Coordination nationale"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator"
    )
    level = models.CharField("périmètre", max_length=8, choices=Level.choices)
    region = models.CharField("région", max_length=2, choices=Region.choices, blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "coordination"
        constraints = [
            models.CheckConstraint(
                condition=Q(level="region") & ~Q(region="") | Q(level="nation", region=""),
                name="coordinator_region_iff_regional",
            )
        ]

    def __str__(self) -> str:
        if self.level == self.Level.NATION:
            return "Coordination nationale"
        return f"Coordination régionale — {self.get_region_display()}"

    def operator_ids(self) -> list[int]:
        operators = Operator.objects.order_by("pk")
        if self.level == self.Level.REGION:
            operators = operators.filter(region=self.region)
        return list(operators.values_list("pk", flat=True))


class CoordinatorTokenManager(models.Manager):
    def active_by_key(self, key: str):
        return (
            self.filter(
                key_digest=ApiToken.digest(key),
                revoked_at__isnull=True,
                coordinator__is_active=True,
                coordinator__user__is_active=True,
            )
            .select_related("coordinator__user")
            .first()
        )


class CoordinatorToken(models.Model):
    """A coordination's information system reading the consolidated indicators: the token acts
    as the coordinator on the indicator API, and nowhere else. Only the key's SHA-256 is kept."""

    coordinator = models.ForeignKey(Coordinator, on_delete=models.CASCADE, related_name="tokens")
    label = models.CharField("libellé", max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CoordinatorTokenManager()

    class Meta:
        verbose_name = "jeton d'API d'une coordination"

    def __str__(self) -> str:
        return self.label


class Beneficiary(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="beneficiaries")
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    search_name = models.CharField(max_length=201, editable=False, db_index=False)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("date de naissance", validators=[validate_birth_date])
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True, validators=[validate_phone])
    # Held by a job seeker registered with France Travail: a key of the duplicate check.
    france_travail_id = FranceTravailIdField(
        "identifiant France Travail",
        max_length=8,
        blank=True,
        default="",
        db_default="",
        validators=[france_travail_id_validator],
        help_text="Pour une personne inscrite à France Travail : 7 chiffres suivis d'un chiffre "
        "ou d'une lettre, par exemple 1234567A.",
    )
    postcode = models.CharField(
        "code postal", max_length=5, blank=True, validators=[postcode_validator]
    )
    departement = models.CharField(
        "département de résidence", max_length=3, choices=DEPARTEMENT_CHOICES
    )
    employment_status = models.CharField(
        "situation professionnelle", max_length=32, choices=EmploymentStatus.choices
    )
    pcs_group = models.CharField(
        "catégorie socioprofessionnelle", max_length=1, choices=PcsGroup.choices, blank=True
    )
    diploma_level = models.CharField(
        "niveau de diplôme le plus élevé", max_length=1, choices=DiplomaLevel.choices, blank=True
    )
    rqth = models.BooleanField(
        "reconnaissance de la qualité de travailleur handicapé", default=False
    )
    qpv_resident = models.BooleanField("réside dans un quartier prioritaire (QPV)", default=False)
    created_at = models.DateTimeField("fiche créée le", auto_now_add=True)
    updated_at = models.DateTimeField("fiche modifiée le", auto_now=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True, editable=False)
    # The phone in E.164, kept on save (the duplicate check compares numbers, cep.duplicates).
    phone_e164 = models.CharField(
        max_length=20, blank=True, default="", db_default="", editable=False
    )
    # A file merged into another one (cep.duplicates) stays as a tombstone pointing at the kept
    # file: its pages redirect there, its audit events show on the kept file's access log.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_files",
        verbose_name="fusionné dans",
    )
    merged_at = models.DateTimeField("fusionné le", null=True, blank=True, editable=False)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "bénéficiaire"
        indexes = [
            # The duplicate check at intake (cep.duplicates): same e-mail or same phone within
            # the operator. The similar names use a trigram index (cep/migrations/0016).
            models.Index(
                models.F("operator"),
                Lower("email"),
                name="beneficiary_email_idx",
                condition=~Q(email=""),
            ),
            models.Index(
                fields=["operator", "phone_e164"],
                name="beneficiary_phone_idx",
                condition=~Q(phone_e164=""),
            ),
            models.Index(
                fields=["operator", "france_travail_id"],
                name="beneficiary_ft_id_idx",
                condition=~Q(france_travail_id=""),
            ),
            # Names looked up within the operator (without accents or case).
            models.Index(fields=["operator", "search_name"], name="beneficiary_search_idx"),
            # The API's keyset pages within an operator, newest first: without it the primary
            # key is read backwards through every other operator's rows.
            models.Index(fields=["operator", "-id"], name="beneficiary_keyset_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = normalize_for_search(f"{self.last_name} {self.first_name}")
        self.phone_e164 = normalize_phone(self.phone)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "phone_e164"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# The person's fields a counsellor writes, declared once: the forms, the API, the services and
# the data export start from these and add or remove fields by name (each saying why), so a new
# field cannot be editable in one place and missing from the person's copy of their data.
# Two halves because the intake asks for them in two steps (accueil.forms).
BENEFICIARY_IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "email",
    "phone",
    "france_travail_id",
    "postcode",
    "departement",
)
BENEFICIARY_SITUATION_FIELDS = (
    "employment_status",
    "pcs_group",
    "diploma_level",
    "rqth",
    "qpv_resident",
)
BENEFICIARY_FIELDS = BENEFICIARY_IDENTITY_FIELDS + BENEFICIARY_SITUATION_FIELDS


class Level(models.IntegerChoices):
    ACCUEIL = 1, "Niveau 1 — accueil individualisé"
    CONSEIL = 2, "Niveau 2 — conseil personnalisé"
    ACCOMPAGNEMENT = 3, "Niveau 3 — accompagnement à la mise en œuvre"


ENDED_READ_ONLY = (
    "Ce parcours est terminé depuis le {day} : il est en lecture seule. "
    "Rouvrez-le ou ouvrez un nouveau parcours pour le modifier."
)


class ParcoursQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def closed(self):
        return self.filter(closed_on__isnull=False)


class Parcours(models.Model):
    class Autonomy(models.TextChoices):
        AUTONOMOUS = "autonome", "Autonome"
        NEEDS_SUPPORT = "appui", "A besoin d'appui"
        REINFORCED = "renforce", "Accompagnement renforcé"

    class ProjectMaturity(models.TextChoices):
        EMERGING = "emergent", "Projet émergent"
        BUILDING = "en_construction", "Projet en construction"
        MATURE = "mature", "Projet mature"

    class ClosingReason(models.TextChoices):
        """The national list of reasons a parcours ends, which the indicators count. An
        operator adds its own sub-reasons under them (cep.closure)."""

        COMPLETED = "projet_realise", "Projet réalisé / en emploi"
        TRAINING = "formation", "Entrée en formation"
        BUSINESS_CREATED = "creation", "Création ou reprise d'entreprise"
        STOPPED = "arret", "Arrêt à l'initiative de la personne"
        NO_CONTACT = "sans_nouvelles", "Sans nouvelles de la personne"
        ROUTED = "oriente", "Orientée vers une autre structure"
        MOVED = "demenagement", "Déménagement"
        TRANSFERRED = "transfere", "Transférée à un autre opérateur"
        OTHER = "autre", "Autre motif"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="parcours")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="parcours", verbose_name="bénéficiaire"
    )
    referent = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="parcours_followed",
        null=True,
        blank=True,
        verbose_name="conseiller référent",
    )
    entry_level = models.PositiveSmallIntegerField("niveau d'entrée", choices=Level.choices)
    current_level = models.PositiveSmallIntegerField("niveau actuel", choices=Level.choices)
    autonomy = models.CharField(
        "degré d'autonomie", max_length=16, choices=Autonomy.choices, blank=True
    )
    project_maturity = models.CharField(
        "maturité du projet", max_length=16, choices=ProjectMaturity.choices, blank=True
    )
    opened_on = models.DateField("ouvert le", validators=[validate_not_in_future])
    closed_on = models.DateField(
        "clos le", null=True, blank=True, validators=[validate_not_in_future]
    )
    closing_reason = models.CharField(
        "motif de fin", max_length=16, choices=ClosingReason.choices, blank=True
    )
    # The text of the reason "other" (required then); the end's details are in cep.closure.
    closing_note = models.CharField("précision sur le motif", max_length=300, blank=True)
    # A parcours opened after the end of this one, past the reopening window.
    previous_parcours = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_parcours",
        verbose_name="parcours précédent",
    )
    last_contact_on = models.DateField("dernier contact", null=True, blank=True)
    # When the parcours started levels 2 and 3 (level 1 starts with the parcours): the indicators
    # count level starts per period. An entry at level 3 never passes through level 2.
    level_2_on = models.DateField("entré au niveau 2 le", null=True, blank=True)
    level_3_on = models.DateField("entré au niveau 3 le", null=True, blank=True)

    objects = ScopedManager(models.Manager.from_queryset(ParcoursQuerySet), operator="operator")

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        permissions = [("co_follow_parcours", "Suivre le parcours en co-référent")]
        indexes = [
            # A counsellor's caseload, newest first, read page by page (keyset).
            models.Index(
                fields=["operator", "referent", "-opened_on", "-id"], name="parcours_caseload_idx"
            ),
            # An operator's indicators of a month read the parcours opened or closed in it.
            models.Index(fields=["operator", "opened_on"], name="parcours_operator_opened_idx"),
            # The API's keyset pages within an operator (see beneficiary_keyset_idx).
            models.Index(fields=["operator", "-id"], name="parcours_keyset_idx"),
            models.Index(
                fields=["operator", "closed_on"],
                condition=Q(closed_on__isnull=False),
                name="parcours_operator_closed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_level__gte=models.F("entry_level")),
                name="parcours_level_never_below_entry",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="parcours_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(level_3_on__isnull=True) | Q(current_level=3),
                name="parcours_level_3_dated_only_at_3",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closing_reason="")
                | Q(closed_on__isnull=False) & ~Q(closing_reason=""),
                name="parcours_closing_reason_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(closing_reason="autre") | ~Q(closing_note=""),
                name="parcours_other_reason_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"Parcours de {self.beneficiary} ouvert le {self.opened_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def require_open(self) -> None:
        """An ended parcours is read-only: every write service of every level calls this."""
        if self.closed_on is not None:
            raise ValidationError(ENDED_READ_ONLY.format(day=self.closed_on.strftime("%d/%m/%Y")))


class ReferentAssignment(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT)
    parcours = models.ForeignKey(
        Parcours, on_delete=models.CASCADE, related_name="referent_assignments"
    )
    referent = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField("motif", max_length=300, blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "désignation de référent"
        ordering = ["assigned_at", "pk"]

    def __str__(self) -> str:
        return f"{self.referent} depuis le {self.assigned_at:%d/%m/%Y}"


class Service(models.Model):
    """A service delivered to the beneficiary of a parcours: what the indicators count."""

    class Kind(models.TextChoices):
        INDIVIDUAL_INTERVIEW = "entretien_individuel", "Entretien individuel"
        COLLECTIVE_WORKSHOP = "atelier_collectif", "Atelier collectif"
        INFORMATION_SESSION = "information_collective", "Session d'information collective"
        EXTERNAL_SERVICE = "prestation_externe", "Prestation externe"

    class Channel(models.TextChoices):
        ON_SITE = "sur_site", "Sur site"
        PHONE = "telephone", "Téléphone"
        VIDEO = "visio", "Visioconférence"
        WRITTEN = "ecrit", "Écrit (courriel, courrier)"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT)
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="services")
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices)
    kind = models.CharField("type de prestation", max_length=32, choices=Kind.choices)
    channel = models.CharField("modalité", max_length=16, choices=Channel.choices)
    delivered_on = models.DateField("date", validators=[validate_not_in_future])
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)", validators=[MinValueValidator(1)]
    )
    counsellor = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name="conseiller"
    )
    notes = models.TextField("notes confidentielles", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "prestation"
        indexes = [
            # The services of a parcours in date order (the person's file, the synthèse).
            models.Index(fields=["parcours", "delivered_on"], name="service_parcours_idx"),
            # An operator's indicators of the month read its services of that month.
            models.Index(fields=["operator", "delivered_on"], name="service_operator_day_idx"),
            # The API's keyset pages within an operator (see beneficiary_keyset_idx).
            models.Index(fields=["operator", "-id"], name="service_keyset_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="service_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.delivered_on:%d/%m/%Y}"


# A service's fields the counsellor writes (see BENEFICIARY_FIELDS); its level and counsellor
# are set by record_service.
SERVICE_FIELDS = ("kind", "channel", "delivered_on", "duration_minutes", "notes")


class Consent(models.Model):
    class Purpose(models.TextChoices):
        SHARE_WITH_OPERATOR = "partage_operateur", "Partage du dossier avec un autre opérateur"
        SYNTHESIS_BY_EMAIL = "synthese_courriel", "Recevoir la synthèse par courriel"
        FOLLOW_UP_SURVEY = "enquete_suivi", "Répondre à l'enquête de suivi à 6 mois"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT)
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField("objet", max_length=32, choices=Purpose.choices)
    given_at = models.DateTimeField("donné le")
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    evidence = models.CharField("preuve du recueil", max_length=300)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # For a sharing with another operator: the categories of data the person agreed to share
    # (cep.space: identité, situation, projet, plan, financement, synthèses).
    categories = models.JSONField("données partagées", default=list, blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "consentement"
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.beneficiary}"


class ParcoursUserPermission(UserObjectPermissionBase):
    """A right on one parcours given to one person (a co-référent): direct foreign key."""

    content_object = models.ForeignKey(Parcours, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "permission d'un utilisateur sur un parcours"


class ParcoursGroupPermission(GroupObjectPermissionBase):
    """Unused (rights go to users), but guardian reads a group table for every object model."""

    content_object = models.ForeignKey(Parcours, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "permission d'un groupe sur un parcours"


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        READ = "read", "Consultation"
        CREATE = "create", "Création"
        UPDATE = "update", "Modification"
        DELETE = "delete", "Suppression"
        EXPORT = "export", "Export"
        DOWNLOAD = "download", "Téléchargement"
        MERGE = "merge", "Fusion de dossiers"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT)
    # The trail is append-only (a database trigger refuses UPDATE and DELETE): deleting a user,
    # a membership or a person must not rewrite it, so these keep their ids without a
    # constraint.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    # The person the record is about, kept so "who saw my file" is one indexed read.
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    details = models.JSONField(default=dict, blank=True)
    # Set by the database on insert (cep/migrations: cep_audit_chain): the event's place in its
    # operator's chain, the previous event's hash and its own, so an edit shows.
    chain_index = models.BigIntegerField(null=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "événement d'audit"
        indexes = [
            # "Who accessed this file": a person's events, newest first.
            models.Index(fields=["operator", "beneficiary", "-at"], name="audit_person_idx")
        ]
        constraints = [
            # The chain's order, and the read of its last link on every insert.
            models.UniqueConstraint(fields=["operator", "chain_index"], name="audit_chain_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"


class AuditCheckpoint(models.Model):
    """Where an operator's chain starts again after old events were purged: the last purged
    link, so the verification of what remains starts from it."""

    operator = models.OneToOneField(Operator, on_delete=models.PROTECT, related_name="+")
    up_to_index = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)
    purged_at = models.DateTimeField()

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "point de reprise de la chaîne d'audit"

    def __str__(self) -> str:
        return f"Chaîne d'audit purgée jusqu'au maillon {self.up_to_index}"


class ApiTokenAuthManager(models.Manager):
    """Authentication runs before the scope exists: the token is what tells the operator."""

    def active_by_key(self, key: str):
        with scopes_disabled():  # across operators in the database too (cep.rls)
            return (
                super()
                .get_queryset()
                .filter(key_digest=ApiToken.digest(key), revoked_at__isnull=True)
                .filter(membership__is_active=True)
                .select_related("membership__operator", "membership__user")
                .first()
            )


class ApiToken(models.Model):
    """A token for an operator's information system; it acts as one membership, nothing more.

    Only the SHA-256 of the key is stored: the key is shown once, at creation.
    """

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField("libellé", max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(operator="operator")
    for_authentication = ApiTokenAuthManager()

    class Meta:
        verbose_name = "jeton d'API"

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)


class BeneficiaryAccountLoginManager(models.Manager):
    """Like memberships: read before any scope exists, always by the logged-in user."""

    def of_user(self, user):
        with scopes_disabled():  # across operators in the database too (cep.rls)
            return (
                super()
                .get_queryset()
                .filter(user=user, user__is_active=True)
                .select_related("beneficiary", "operator")
                .first()
            )

    def user_has_any(self, user) -> bool:
        with scopes_disabled():
            return super().get_queryset().filter(user=user).exists()


class BeneficiaryAccount(models.Model):
    """The person's own login to their space. It is tied to their beneficiary record and never
    to a staff membership: a user has one or the other."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.OneToOneField(
        Beneficiary, on_delete=models.CASCADE, related_name="account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="beneficiary_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(operator="operator")
    for_login = BeneficiaryAccountLoginManager()

    class Meta:
        verbose_name = "espace bénéficiaire"

    def __str__(self) -> str:
        return f"Espace de {self.beneficiary}"
