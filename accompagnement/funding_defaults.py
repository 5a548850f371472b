"""Default thresholds and amounts of the funding schemes (FUNDING.md), loaded by a data
migration and, after a database flush, by the demo; staff update them in the admin with a new
valid_from when a decree changes them."""

from datetime import date
from decimal import Decimal

SINCE_2019 = date(2019, 1, 1)
PTP_SOURCE = "Code du travail, art. L. 6323-17-2 et D. 6323-9"

# (code, value, valid_from, label, source)
DEFAULTS = [
    (
        "ptp_cdi_months_total",
        Decimal("24"),
        SINCE_2019,
        "PTP, salarié en CDI : mois de travail salarié requis au total",
        PTP_SOURCE,
    ),
    (
        "ptp_cdi_months_company",
        Decimal("12"),
        SINCE_2019,
        "PTP, salarié en CDI : mois requis dans l'entreprise actuelle",
        PTP_SOURCE,
    ),
    (
        "ptp_cdd_months_5_years",
        Decimal("24"),
        SINCE_2019,
        "PTP, salarié en CDD : mois de travail salarié requis sur les 5 dernières années",
        PTP_SOURCE,
    ),
    (
        "ptp_cdd_months_fixed_term_12",
        Decimal("4"),
        SINCE_2019,
        "PTP, salarié en CDD : mois en CDD requis sur les 12 derniers mois",
        PTP_SOURCE,
    ),
    (
        "demission_years_continuous",
        Decimal("5"),
        SINCE_2019,
        "Démission-reconversion : années d'activité salariée continue requises",
        "Code du travail, art. L. 5422-1",
    ),
    (
        "pro_a_max_diploma_level",
        Decimal("5"),
        SINCE_2019,
        "Pro-A : niveau de qualification maximal (en dessous de la licence, niveau 6)",
        "Code du travail, art. L. 6324-1 et D. 6324-1-1",
    ),
    # No participation before May 2024: a zero row keeps older dates answerable.
    (
        "cpf_participation",
        Decimal("0"),
        SINCE_2019,
        "CPF : participation forfaitaire du titulaire (aucune avant mai 2024)",
        "Code du travail, art. L. 6323-4",
    ),
    (
        "cpf_participation",
        Decimal("100.00"),
        date(2024, 5, 2),
        "CPF : participation forfaitaire du titulaire (indexée chaque année)",
        "Code du travail, art. L. 6323-4 ; décret n° 2024-394 du 29 avril 2024",
    ),
]


def ensure_default_parameters() -> None:
    """Idempotent: adds the default rows that are missing, changes none."""
    from accompagnement.models import FundingParameter

    for code, value, valid_from, label, source in DEFAULTS:
        FundingParameter.objects.get_or_create(
            code=code,
            valid_from=valid_from,
            defaults={"value": value, "label": label, "source": source},
        )
