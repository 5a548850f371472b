"""The monthly facts every indicator is computed from, in SQL.

One statement per family returns rows ``(operator_id, month, code, breakdown, key, bucket,
value)`` for some operators and a range of whole months. The snapshot job stores these rows
(``MonthlyFigure``); the live path reads the same statement for the months not stored yet. Every
fact adds up across months and operators, which is what lets a quarter, a region or the nation
be a sum of stored months:

- counts (parcours started, services...) are plain sums;
- a median or a percentile is kept as its distribution: ``bucket`` holds the number of days (or
  the score) and ``value`` how many parcours had it;
- distinct people (``beneficiaires``) cannot be summed month by month, since one person may
  start in January and finish in March. Each person appears once in each month where one of
  their parcours starts or ends, and ``bucket`` holds the months since their previous such event
  (``NO_PREVIOUS`` if none). Over a period, a person is counted in the first month of the period
  where they appear, the one whose previous event falls before the period starts:
  ``bucket > month - first month of the period``.

Each app registers the families over its own tables (cep.facts); this module unions them.

Dates: a fact belongs to the month of its day (the day a parcours opens or closes, a service is
delivered, a survey is answered, in French local time for timestamps).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection

from cep.facts import (
    COLUMNS,
    fact_families,
    in_range,
    local_day,
    month_of,
    quoted,
    register_fact_family,
)
from cep.models import Level, Parcours
from indicateurs.models import FollowUpSurvey

# Codes whose buckets are a distribution (days, score): never collapsed.
DISTRIBUTION_CODES = frozenset({"delai_premier_rdv", "duree_parcours_jours", "satisfaction"})
AREA_COLUMNS = "area, month, code, breakdown, key, bucket, value"

SURVEY = FollowUpSurvey._meta.db_table
PARCOURS = Parcours._meta.db_table
ANSWERED = quoted(FollowUpSurvey.Status.ANSWERED)
AT_END = quoted(FollowUpSurvey.Moment.END)
AT_SIX_MONTHS = quoted(FollowUpSurvey.Moment.SIX_MONTHS)
LEVEL_1 = quoted(Level.ACCUEIL)

# Satisfaction at the end: level 1 alone, or levels 2 and 3 (the level the parcours reached).
SATISFACTION = f"""
SELECT f.operator_id, {month_of(local_day("f.answered_at"))} AS month, 'satisfaction' AS code,
    'niveau' AS breakdown, CASE WHEN p.current_level = {LEVEL_1} THEN 'n1' ELSE 'n23' END AS key,
    f.satisfaction AS bucket, count(*) AS value
FROM {SURVEY} f JOIN {PARCOURS} p ON p.id = f.parcours_id
WHERE f.operator_id = ANY(%(ops)s) AND f.moment = {AT_END} AND f.status = {ANSWERED}
    AND f.satisfaction IS NOT NULL AND {in_range(local_day("f.answered_at"))}
GROUP BY 1, 2, 5, 6
"""

SIX_MONTHS = f"""
SELECT f.operator_id, {month_of(local_day("f.answered_at"))} AS month, 'suivi_6_mois' AS code,
    'reponse' AS breakdown, answer.key, 0 AS bucket, count(*) AS value
FROM {SURVEY} f
CROSS JOIN LATERAL (VALUES
    ('repondants', true),
    ('situation_amelioree', f.situation_improved),
    ('formation', f.entered_training),
    ('emploi_mobilite', f.changed_job),
    ('creation', f.created_business),
    ('projet_maintenu', f.project_kept)
) AS answer(key, yes)
WHERE f.operator_id = ANY(%(ops)s) AND f.moment = {AT_SIX_MONTHS} AND f.status = {ANSWERED}
    AND answer.yes AND {in_range(local_day("f.answered_at"))}
GROUP BY 1, 2, 5
"""


# The follow-up surveys planned for the parcours ended in the month, by moment: a reopened
# parcours has no end, and its planned surveys are cancelled (indicateurs.services).
SURVEYS_PLANNED = f"""
SELECT p.operator_id, {month_of("p.closed_on")} AS month, 'enquetes_prevues' AS code,
    'moment' AS breakdown, f.moment AS key, 0 AS bucket, count(*) AS value
FROM {SURVEY} f JOIN {PARCOURS} p ON p.id = f.parcours_id
WHERE p.operator_id = ANY(%(ops)s) AND p.closed_on IS NOT NULL AND {in_range("p.closed_on")}
GROUP BY 1, 2, 5
"""


def register_facts() -> None:
    register_fact_family("surveys_planned", SURVEYS_PLANNED, order=85)
    register_fact_family("satisfaction", SATISFACTION, order=90)
    register_fact_family("six_months", SIX_MONTHS, order=100)


@dataclass(frozen=True)
class MonthRange:
    """Whole months: ``start`` (first day of the first month) included, ``end`` (first day of the
    month after the last) excluded."""

    start: date
    end: date


def facts_sql(operator_ids: list[int], months: MonthRange) -> tuple[str, dict]:
    """One relation of every fact for these operators and months, to read or to store."""
    union = "\nUNION ALL\n".join(
        f"SELECT {COLUMNS} FROM ({family.sql}) AS f" for family in fact_families()
    )
    params = {
        "ops": list(operator_ids),
        "start": months.start,
        "end": months.end,
        "tz": settings.TIME_ZONE,
    }
    return union, params


def read_facts(operator_ids: list[int], months: MonthRange) -> list[tuple]:
    sql, params = facts_sql(operator_ids, months)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM ({sql}) AS facts", params)
        return cursor.fetchall()
