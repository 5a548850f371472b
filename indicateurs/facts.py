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

Dates: a fact belongs to the month of its day (the day a parcours opens or closes, a service is
delivered, a survey is answered, in French local time for timestamps).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection

NO_PREVIOUS = 9999
PEOPLE_CODE = "beneficiaires"
# Codes whose buckets are a distribution (days, score): never collapsed.
DISTRIBUTION_CODES = frozenset({"delai_premier_rdv", "duree_parcours_jours", "satisfaction"})


def month_index_sql(expression: str) -> str:
    return f"(extract(year from {expression})::int * 12 + extract(month from {expression})::int)"


def month_of(expression: str) -> str:
    return f"date_trunc('month', {expression})::date"


def local_day(expression: str) -> str:
    return f"({expression} AT TIME ZONE %(tz)s)::date"


def in_range(expression: str) -> str:
    return f"{expression} >= %(start)s AND {expression} < %(end)s"


# Each statement: operators in %(ops)s, days in [%(start)s, %(end)s).
PARCOURS_STARTED = f"""
SELECT operator_id, month, 'entrees' AS code,
    CASE WHEN GROUPING(level) = 0 THEN 'niveau_entree' ELSE '' END AS breakdown,
    COALESCE(level, '') AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, {month_of("opened_on")} AS month, entry_level::text AS level
    FROM cep_parcours WHERE operator_id = ANY(%(ops)s) AND {in_range("opened_on")}
) AS started
GROUP BY GROUPING SETS ((operator_id, month), (operator_id, month, level))
"""

# Starts at levels 2 and 3 (a start at level 1 is an entry at level 1: ``entrees``).
LEVEL_STARTS = f"""
SELECT operator_id, {month_of("day")} AS month, 'debuts_n' || level AS code, '' AS breakdown,
    '' AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, level_2_on AS day, 2 AS level FROM cep_parcours
    WHERE operator_id = ANY(%(ops)s) AND {in_range("level_2_on")}
    UNION ALL
    SELECT operator_id, level_3_on, 3 FROM cep_parcours
    WHERE operator_id = ANY(%(ops)s) AND {in_range("level_3_on")}
) AS starts
GROUP BY operator_id, month, level
"""

# Closed parcours: the count by reason and level reached, their length in days, the services
# they received and whether a synthèse was ready for them.
PARCOURS_CLOSED = f"""
WITH closed AS (
    SELECT p.id, p.operator_id, {month_of("p.closed_on")} AS month, p.closing_reason,
        p.current_level::text AS level, p.closed_on - p.opened_on AS days
    FROM cep_parcours p
    WHERE p.operator_id = ANY(%(ops)s) AND p.closed_on IS NOT NULL AND {in_range("p.closed_on")}
)
SELECT operator_id, month, 'sorties' AS code,
    CASE WHEN GROUPING(closing_reason) = 0 THEN 'motif'
         WHEN GROUPING(level) = 0 THEN 'niveau_atteint' ELSE '' END AS breakdown,
    COALESCE(closing_reason, level, '') AS key, 0 AS bucket, count(*) AS value
FROM closed
GROUP BY GROUPING SETS (
    (operator_id, month), (operator_id, month, closing_reason), (operator_id, month, level)
)
UNION ALL
SELECT operator_id, month, 'duree_parcours_jours', '', '', days, count(*) FROM closed
GROUP BY 1, 2, 6
UNION ALL
SELECT c.operator_id, c.month, 'prestations_parcours_clos', '', '', 0, count(s.id)
FROM closed c JOIN cep_service s ON s.parcours_id = c.id
GROUP BY 1, 2
UNION ALL
SELECT c.operator_id, c.month, 'sorties_avec_synthese', '', '', 0, count(*)
FROM closed c
WHERE EXISTS (
    SELECT 1 FROM synthese_synthesisdocument d WHERE d.parcours_id = c.id AND d.status = 'pret'
)
GROUP BY 1, 2
"""

SERVICES = f"""
SELECT operator_id, month, 'prestations' AS code,
    CASE WHEN GROUPING(kind) = 0 THEN 'type'
         WHEN GROUPING(channel) = 0 THEN 'modalite'
         WHEN GROUPING(level) = 0 THEN 'niveau' ELSE '' END AS breakdown,
    COALESCE(kind, channel, level, '') AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, {month_of("delivered_on")} AS month, kind, channel, level::text AS level
    FROM cep_service WHERE operator_id = ANY(%(ops)s) AND {in_range("delivered_on")}
) AS delivered
GROUP BY GROUPING SETS (
    (operator_id, month), (operator_id, month, kind), (operator_id, month, channel),
    (operator_id, month, level)
)
"""

# From the request to the first individual interview on or after it, counted in the month of
# that interview.
FIRST_INTERVIEW_DELAY = f"""
SELECT s.operator_id, {month_of("s.delivered_on")} AS month, 'delai_premier_rdv' AS code,
    '' AS breakdown, '' AS key, s.delivered_on - r.received_on AS bucket, count(*) AS value
FROM cep_service s
JOIN accueil_intakerequest r ON r.parcours_id = s.parcours_id
WHERE s.operator_id = ANY(%(ops)s) AND {in_range("s.delivered_on")}
    AND s.kind = 'entretien_individuel' AND s.delivered_on >= r.received_on
    AND NOT EXISTS (
        SELECT 1 FROM cep_service e
        WHERE e.parcours_id = s.parcours_id AND e.kind = 'entretien_individuel'
            AND e.delivered_on >= r.received_on
            AND (e.delivered_on, e.id) < (s.delivered_on, s.id)
    )
GROUP BY 1, 2, 6
"""

# The first agreed version of a parcours' project gives its type.
PROJECT_TYPES = f"""
SELECT v.operator_id, {month_of("v.agreed_on")} AS month, 'types_projet' AS code,
    'type_projet' AS breakdown, v.project_type AS key, 0 AS bucket, count(*) AS value
FROM conseil_projectversion v
WHERE v.operator_id = ANY(%(ops)s) AND v.status <> 'brouillon' AND {in_range("v.agreed_on")}
    AND NOT EXISTS (
        SELECT 1 FROM conseil_projectversion e
        WHERE e.parcours_id = v.parcours_id AND e.status <> 'brouillon' AND e.number < v.number
    )
GROUP BY 1, 2, 5
"""

STRATEGIES = f"""
SELECT o.operator_id, {month_of("o.retained_on")} AS month, 'strategies_retenues' AS code,
    'strategie' AS breakdown, o.kind AS key, 0 AS bucket, count(*) AS value
FROM conseil_strategyoption o
WHERE o.operator_id = ANY(%(ops)s) AND o.retained AND {in_range("o.retained_on")}
GROUP BY 1, 2, 5
"""

ROUTINGS = f"""
SELECT r.operator_id, {month_of(local_day("r.created_at"))} AS month, 'orientations' AS code,
    'cible' AS breakdown, t.kind AS key, 0 AS bucket, count(*) AS value
FROM accueil_routing r JOIN accueil_structure t ON t.id = r.target_id
WHERE r.operator_id = ANY(%(ops)s) AND {in_range(local_day("r.created_at"))}
GROUP BY 1, 2, 5
"""

# Satisfaction at the end: level 1 alone, or levels 2 and 3 (the level the parcours reached).
SATISFACTION = f"""
SELECT f.operator_id, {month_of(local_day("f.answered_at"))} AS month, 'satisfaction' AS code,
    'niveau' AS breakdown, CASE WHEN p.current_level = 1 THEN 'n1' ELSE 'n23' END AS key,
    f.satisfaction AS bucket, count(*) AS value
FROM indicateurs_followupsurvey f JOIN cep_parcours p ON p.id = f.parcours_id
WHERE f.operator_id = ANY(%(ops)s) AND f.moment = 'fin' AND f.status = 'repondue'
    AND f.satisfaction IS NOT NULL AND {in_range(local_day("f.answered_at"))}
GROUP BY 1, 2, 5, 6
"""

SIX_MONTHS = f"""
SELECT f.operator_id, {month_of(local_day("f.answered_at"))} AS month, 'suivi_6_mois' AS code,
    'reponse' AS breakdown, answer.key, 0 AS bucket, count(*) AS value
FROM indicateurs_followupsurvey f
CROSS JOIN LATERAL (VALUES
    ('repondants', true),
    ('situation_amelioree', f.situation_improved),
    ('formation', f.entered_training),
    ('emploi_mobilite', f.changed_job),
    ('creation', f.created_business),
    ('projet_maintenu', f.project_kept)
) AS answer(key, yes)
WHERE f.operator_id = ANY(%(ops)s) AND f.moment = '6_mois' AND f.status = 'repondue'
    AND answer.yes AND {in_range(local_day("f.answered_at"))}
GROUP BY 1, 2, 5
"""

AGE_BAND_SQL = """
CASE WHEN age < 26 THEN 'moins_26' WHEN age < 45 THEN '26_44'
     WHEN age < 55 THEN '45_54' ELSE '55_plus' END
"""

PROFILE_DIMENSIONS = {
    "sexe": "b.sex",
    "tranche_age": "age_band",
    "situation": "b.employment_status",
    "pcs": "b.pcs_group",
    "diplome": "b.diploma_level",
    "rqth": "CASE WHEN b.rqth THEN 'oui' ELSE 'non' END",
    "departement": "b.departement",
}

# Distinct people, once per month where one of their parcours opens or closes, with the months
# since their previous such month. Only the people with an event in the range are read, but all
# their events are, so the previous month is known even when it lies before the range.
_dimension_case = "\n".join(
    f"         WHEN GROUPING({name}) = 0 THEN '{name}'" for name in PROFILE_DIMENSIONS
)
_dimension_key = ", ".join(PROFILE_DIMENSIONS)
_dimension_columns = ",\n        ".join(
    f"({column})::text AS {name}" for name, column in PROFILE_DIMENSIONS.items()
)
_dimension_sets = ", ".join(f"(operator_id, month, gap, {name})" for name in PROFILE_DIMENSIONS)
PEOPLE = f"""
WITH concerned AS (
    SELECT DISTINCT beneficiary_id FROM cep_parcours
    WHERE operator_id = ANY(%(ops)s)
        AND ({in_range("opened_on")} OR ({in_range("closed_on")}))
), events AS (
    SELECT p.beneficiary_id, p.operator_id, p.opened_on AS day FROM cep_parcours p
    WHERE p.beneficiary_id IN (SELECT beneficiary_id FROM concerned)
    UNION ALL
    SELECT p.beneficiary_id, p.operator_id, p.closed_on FROM cep_parcours p
    WHERE p.beneficiary_id IN (SELECT beneficiary_id FROM concerned) AND p.closed_on IS NOT NULL
), months AS (
    SELECT beneficiary_id, operator_id, {month_of("day")} AS month, min(day) AS first_day
    FROM events GROUP BY beneficiary_id, operator_id, {month_of("day")}
), gaps AS (
    SELECT m.*, {month_index_sql("m.month")} - {month_index_sql("lag(m.month) OVER person")}
        AS gap
    FROM months m
    WINDOW person AS (PARTITION BY m.beneficiary_id ORDER BY m.month)
), people AS (
    SELECT g.operator_id, g.month, COALESCE(g.gap, {NO_PREVIOUS}) AS gap,
        {_dimension_columns}
    FROM gaps g
    JOIN cep_beneficiary b ON b.id = g.beneficiary_id
    CROSS JOIN LATERAL (
        SELECT extract(year from age(g.first_day, b.birth_date))::int AS age
    ) AS a
    CROSS JOIN LATERAL (SELECT {AGE_BAND_SQL.strip()} AS age_band) AS band
    WHERE {in_range("g.month")}
)
SELECT operator_id, month, '{PEOPLE_CODE}' AS code,
    CASE
{_dimension_case}
         ELSE '' END AS breakdown,
    COALESCE({_dimension_key}, '') AS key, gap AS bucket, count(*) AS value
FROM people
GROUP BY GROUPING SETS ((operator_id, month, gap), {_dimension_sets})
"""

FAMILIES = (
    PARCOURS_STARTED,
    LEVEL_STARTS,
    PARCOURS_CLOSED,
    SERVICES,
    FIRST_INTERVIEW_DELAY,
    PROJECT_TYPES,
    STRATEGIES,
    ROUTINGS,
    SATISFACTION,
    SIX_MONTHS,
    PEOPLE,
)

COLUMNS = "operator_id, month, code, breakdown, key, bucket, value"
AREA_COLUMNS = "area, month, code, breakdown, key, bucket, value"


@dataclass(frozen=True)
class MonthRange:
    """Whole months: ``start`` (first day of the first month) included, ``end`` (first day of the
    month after the last) excluded."""

    start: date
    end: date


def facts_sql(operator_ids: list[int], months: MonthRange) -> tuple[str, dict]:
    """One relation of every fact for these operators and months, to read or to store."""
    union = "\nUNION ALL\n".join(f"SELECT {COLUMNS} FROM ({family}) AS f" for family in FAMILIES)
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
