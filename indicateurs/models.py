"""The common indicator set; for now, the follow-up survey whose answers feed the outcome
indicators (satisfaction, and the person's situation 6 months after the end)."""

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from cep.models import Operator, Parcours


class FollowUpSurvey(models.Model):
    """A short questionnaire sent at the end of a parcours and 6 months later, by e-mail, only
    while the person consents to it; answered from a signed link, without an account."""

    class Moment(models.TextChoices):
        END = "fin", "À la fin du parcours"
        SIX_MONTHS = "6_mois", "Six mois après la fin"

    class Status(models.TextChoices):
        PLANNED = "prevue", "Prévue"
        SENT = "envoyee", "Envoyée"
        ANSWERED = "repondue", "Répondue"
        NOT_SENT = "non_envoyee", "Non envoyée (pas d'accord ou pas d'adresse)"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="surveys")
    moment = models.CharField("moment", max_length=8, choices=Moment.choices)
    due_on = models.DateField("à envoyer le")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "satisfaction (1 à 5)", null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    situation_improved = models.BooleanField("situation améliorée", null=True, blank=True)
    entered_training = models.BooleanField("entrée en formation", null=True, blank=True)
    changed_job = models.BooleanField("changement d'emploi ou mobilité", null=True, blank=True)
    created_business = models.BooleanField("création d'entreprise", null=True, blank=True)
    project_kept = models.BooleanField("projet maintenu", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "enquête de suivi"
        constraints = [
            models.UniqueConstraint(fields=["parcours", "moment"], name="one_survey_per_moment"),
            models.CheckConstraint(
                condition=~Q(status="repondue") | Q(answered_at__isnull=False),
                name="survey_answered_dated",
            ),
        ]
        indexes = [
            # The daily sending reads the few planned surveys that are due.
            models.Index(fields=["due_on"], condition=Q(status="prevue"), name="survey_due_idx")
        ]

    def __str__(self) -> str:
        return f"Enquête {self.get_moment_display().lower()} — {self.parcours}"


class MonthlyFigure(models.Model):
    """One stored figure of one operator for one month: the rollup the regional and national
    views add up instead of reading raw services. ``code``/``breakdown``/``key`` name the figure
    (see ``indicateurs.facts``); ``bucket`` carries a distribution (days for a delay, a score)
    or, for distinct people, the months since the person's previous event."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("mois")
    code = models.CharField(max_length=40)
    breakdown = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=40, blank=True)
    bucket = models.IntegerField(default=0)
    value = models.BigIntegerField()

    objects = ScopedManager(operator="operator")

    class Meta:
        verbose_name = "chiffre mensuel"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "operator", "code", "breakdown", "key", "bucket"],
                name="one_figure_per_cell",
            )
        ]
        indexes = [
            # An operator's own dashboard reads its stored months (the unique index above leads
            # with the month, for a month's rebuild and the national sums).
            models.Index(fields=["operator", "month"], name="figure_operator_month_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.breakdown} {self.key} {self.month:%m/%Y} : {self.value}"


class SnapshotRun(models.Model):
    """The months whose figures are stored: a month without a run is computed live."""

    month = models.DateField("mois", unique=True)
    computed_at = models.DateTimeField("calculé le")
    figures = models.PositiveIntegerField("chiffres enregistrés")
    duration_ms = models.PositiveIntegerField("durée (ms)")

    class Meta:
        verbose_name = "consolidation mensuelle"

    def __str__(self) -> str:
        return f"Consolidation de {self.month:%m/%Y}"


class AreaMonthlyFigure(models.Model):
    """The monthly figures of every operator of a region (``area`` is its code) or of the nation
    (``NATION``), added up when the month is stored: the coordinators' views read these few rows
    instead of every operator's. Counts of people only, never a person; published through
    statistical secrecy."""

    NATION = "FR"

    area = models.CharField("territoire", max_length=3)
    month = models.DateField("mois")
    code = models.CharField(max_length=40)
    breakdown = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=40, blank=True)
    bucket = models.IntegerField(default=0)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = "chiffre mensuel d'un territoire"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month", "code", "breakdown", "key", "bucket"],
                name="one_area_figure_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.code} {self.breakdown} {self.key} {self.month:%m/%Y}"
