"""The kernel's fact families: parcours started, level starts, services, distinct people.

See cep.facts for the shape of a family; the docstring of indicateurs.facts says how each fact
adds up across months and operators.
"""

from cep.facts import NO_PREVIOUS, in_range, month_index_sql, month_of, register_fact_family
from cep.models import Beneficiary, Parcours, Service

PARCOURS = Parcours._meta.db_table
SERVICE = Service._meta.db_table
BENEFICIARY = Beneficiary._meta.db_table
PEOPLE_CODE = "beneficiaires"

PARCOURS_STARTED = f"""
SELECT operator_id, month, 'entrees' AS code,
    CASE WHEN GROUPING(level) = 0 THEN 'niveau_entree' ELSE '' END AS breakdown,
    COALESCE(level, '') AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, {month_of("opened_on")} AS month, entry_level::text AS level
    FROM {PARCOURS} WHERE operator_id = ANY(%(ops)s) AND {in_range("opened_on")}
) AS started
GROUP BY GROUPING SETS ((operator_id, month), (operator_id, month, level))
"""

# Starts at levels 2 and 3 (a start at level 1 is an entry at level 1: ``entrees``).
LEVEL_STARTS = f"""
SELECT operator_id, {month_of("day")} AS month, 'debuts_n' || level AS code, '' AS breakdown,
    '' AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, level_2_on AS day, 2 AS level FROM {PARCOURS}
    WHERE operator_id = ANY(%(ops)s) AND {in_range("level_2_on")}
    UNION ALL
    SELECT operator_id, level_3_on, 3 FROM {PARCOURS}
    WHERE operator_id = ANY(%(ops)s) AND {in_range("level_3_on")}
) AS starts
GROUP BY operator_id, month, level
"""

SERVICES = f"""
SELECT operator_id, month, 'prestations' AS code,
    CASE WHEN GROUPING(kind) = 0 THEN 'type'
         WHEN GROUPING(channel) = 0 THEN 'modalite'
         WHEN GROUPING(level) = 0 THEN 'niveau' ELSE '' END AS breakdown,
    COALESCE(kind, channel, level, '') AS key, 0 AS bucket, count(*) AS value
FROM (
    SELECT operator_id, {month_of("delivered_on")} AS month, kind, channel, level::text AS level
    FROM {SERVICE} WHERE operator_id = ANY(%(ops)s) AND {in_range("delivered_on")}
) AS delivered
GROUP BY GROUPING SETS (
    (operator_id, month), (operator_id, month, kind), (operator_id, month, channel),
    (operator_id, month, level)
)
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
    SELECT DISTINCT beneficiary_id FROM {PARCOURS}
    WHERE operator_id = ANY(%(ops)s)
        AND ({in_range("opened_on")} OR ({in_range("closed_on")}))
), events AS (
    SELECT p.beneficiary_id, p.operator_id, p.opened_on AS day FROM {PARCOURS} p
    WHERE p.beneficiary_id IN (SELECT beneficiary_id FROM concerned)
    UNION ALL
    SELECT p.beneficiary_id, p.operator_id, p.closed_on FROM {PARCOURS} p
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
    JOIN {BENEFICIARY} b ON b.id = g.beneficiary_id
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


def register_core_facts() -> None:
    # The orders keep the union in the sequence it had when it was one module.
    register_fact_family("parcours_started", PARCOURS_STARTED, order=10)
    register_fact_family("level_starts", LEVEL_STARTS, order=20)
    register_fact_family("services", SERVICES, order=40)
    register_fact_family("people", PEOPLE, order=110)
