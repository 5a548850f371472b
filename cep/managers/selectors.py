"""Reads of the managers' pages: the team table, one counsellor's caseload, the lists of
parcours to follow up. Every read runs in the manager's operator scope and a fixed number of
queries, whatever the size of the operator."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django_otp.plugins.otp_totp.models import TOTPDevice

from cep.dates import shift_years
from cep.managers.team import Period, parcours_columns, stale_filter, team_figures
from cep.models import Beneficiary, Membership, Parcours
from cep.nomenclatures import JOB_SEEKER_STATUSES, STATUS_GROUP_OF
from cep.registries import retention_checks

AGE_BANDS = {
    "moins_26": ("Moins de 26 ans", 0, 26),
    "26_44": ("26 à 44 ans", 26, 45),
    "45_54": ("45 à 54 ans", 45, 55),
    "55_plus": ("55 ans et plus", 55, 200),
}
LISTS = {
    "sans-referent": "Parcours sans référent",
    "sans-activite": "Parcours sans activité",
    "sans-reponse": "Demandes sans réponse",
}
LIST_PAGE_SIZE = 100


def period_of(preset: str, start: date | None, end: date | None, today: date) -> Period:
    """Month, quarter, year (the current one) or custom dates; the end is exclusive."""
    if start and end and end >= start:
        return Period(start, end + timedelta(days=1))
    if preset == "trimestre":
        first_month = 3 * ((today.month - 1) // 3) + 1
        begin = today.replace(month=first_month, day=1)
        months = 3
    elif preset == "annee":
        begin, months = today.replace(month=1, day=1), 12
    else:
        begin, months = today.replace(day=1), 1
    year, month = divmod(begin.month - 1 + months, 12)
    return Period(begin, begin.replace(year=begin.year + year, month=month + 1))


def team_rows(*, period: Period, today: date, site_id: int | None = None) -> list[Membership]:
    """One row per counsellor of the operator, every figure annotated: one query."""
    rows = Membership.objects.filter(
        Q(is_active=True) | Q(pk__in=Parcours.objects.open().values("referent"))
    ).select_related("user")
    if site_id:
        rows = rows.filter(sites=site_id)
    annotations = {f.key: f.expression(period, today) for f in team_figures()}
    return list(
        rows.annotate(**annotations)
        .prefetch_related("sites")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def site_totals(rows: list[Membership], keys: list[str]) -> list[dict]:
    """The team's counts added up per site of the counsellors (a counsellor of two sites counts
    in both). A median does not add up: it is left out."""
    totals: dict[int, dict] = {}
    for row in rows:
        for site in row.sites.all():
            total = totals.setdefault(site.pk, {"site": site, "counsellors": 0, "values": {}})
            total["counsellors"] += 1
            for key in keys:
                value = getattr(row, key)
                if isinstance(value, int):
                    total["values"][key] = total["values"].get(key, 0) + value
    return sorted(totals.values(), key=lambda t: t["site"].name)


def counsellor_parcours(
    *, counsellor: Membership, today: date, ended: bool = False
) -> QuerySet[Parcours]:
    """Their open parcours (and the ended ones only when asked) with the beneficiary, the next
    due action and whatever the apps add."""
    annotations = {c.key: c.expression(today) for c in parcours_columns()}
    rows = Parcours.objects.all() if ended else Parcours.objects.open()
    return (
        rows.filter(referent=counsellor)
        .select_related("beneficiary")
        .annotate(**annotations)
        .order_by("last_contact_on", "pk")
    )


@dataclass(frozen=True)
class ListFilters:
    site: int | None = None
    level: int | None = None
    status_group: str = ""
    job_seeker: str = ""
    age_band: str = ""
    rqth: str = ""  # "oui" / "non" / ""


def followup_list(*, kind: str, filters: ListFilters, today: date) -> QuerySet[Parcours]:
    """Parcours to follow up: without référent, without activity, or requests never answered
    (a level-1 parcours without any service yet)."""
    rows = Parcours.objects.open().select_related("beneficiary", "referent__user")
    if kind == "sans-referent":
        rows = rows.filter(referent__isnull=True)
    elif kind == "sans-activite":
        rows = rows.filter(stale_filter(today))
    else:
        rows = rows.filter(current_level=1, last_contact_on__isnull=True)
    if filters.site:
        rows = rows.filter(referent__sites=filters.site)
    if filters.level:
        rows = rows.filter(current_level=filters.level)
    if filters.status_group:
        statuses = [s for s, group in STATUS_GROUP_OF.items() if group == filters.status_group]
        rows = rows.filter(beneficiary__employment_status__in=statuses)
    if filters.job_seeker in JOB_SEEKER_STATUSES:
        rows = rows.filter(beneficiary__employment_status=filters.job_seeker)
    if filters.age_band in AGE_BANDS:
        _, low, high = AGE_BANDS[filters.age_band]
        # Born after (today - high years) and on or before (today - low years).
        rows = rows.filter(
            beneficiary__birth_date__gt=shift_years(today, -high),
            beneficiary__birth_date__lte=shift_years(today, -low),
        )
    if filters.rqth in ("oui", "non"):
        rows = rows.filter(beneficiary__rqth=filters.rqth == "oui")
    return rows.order_by("opened_on", "pk")


def second_factor_status() -> QuerySet[Membership]:
    """The operator's active team, each with whether they have set up their code application."""
    return (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(
            has_second_factor=Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
            )
        )
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


# --- Retention of files


@dataclass(frozen=True)
class RetentionRow:
    beneficiary: Beneficiary
    last_contact: date
    kept_because: str  # empty: anonymised by the next nightly run


def retention_report(*, today: date) -> list[RetentionRow]:
    """The dry run of the retention job: the operator's files without contact for
    `FILE_RETENTION_DAYS`, no parcours open, not anonymised yet; each says whether a legal
    retention keeps it. One query, and one per registered check."""
    cutoff = today - timedelta(days=settings.FILE_RETENTION_DAYS)
    last_day = Greatest(
        Coalesce("parcours__last_contact_on", "parcours__opened_on"),
        Coalesce("parcours__closed_on", "parcours__opened_on"),
    )
    candidates = (
        Beneficiary.objects.filter(anonymised_at__isnull=True)
        .filter(~Exists(Parcours.objects.filter(beneficiary=OuterRef("pk"), closed_on=None)))
        .annotate(last_contact=Coalesce(Max(last_day), TruncDate("created_at")))
        .filter(last_contact__lt=cutoff)
        .order_by("last_contact", "pk")
    )
    rows = list(candidates)
    kept: dict[int, str] = {}
    if rows:
        ids = Beneficiary.objects.filter(pk__in=[b.pk for b in rows])
        for check in retention_checks():
            for pk, reason in check(ids).items():
                kept.setdefault(pk, reason)
    return [RetentionRow(b, b.last_contact, kept.get(b.pk, "")) for b in rows]
