"""Level 2's fact families: the project types and the strategies retained. See cep.facts."""

from cep.facts import in_range, month_of, quoted, register_fact_family
from conseil.models import ProjectVersion, StrategyOption

VERSION = ProjectVersion._meta.db_table
DRAFT = quoted(ProjectVersion.Status.DRAFT)

# The first agreed version of a parcours' project gives its type.
PROJECT_TYPES = f"""
SELECT v.operator_id, {month_of("v.agreed_on")} AS month, 'types_projet' AS code,
    'type_projet' AS breakdown, v.project_type AS key, 0 AS bucket, count(*) AS value
FROM {VERSION} v
WHERE v.operator_id = ANY(%(ops)s) AND v.status <> {DRAFT} AND {in_range("v.agreed_on")}
    AND NOT EXISTS (
        SELECT 1 FROM {VERSION} e
        WHERE e.parcours_id = v.parcours_id AND e.status <> {DRAFT} AND e.number < v.number
    )
GROUP BY 1, 2, 5
"""

STRATEGIES = f"""
SELECT o.operator_id, {month_of("o.retained_on")} AS month, 'strategies_retenues' AS code,
    'strategie' AS breakdown, o.kind AS key, 0 AS bucket, count(*) AS value
FROM {StrategyOption._meta.db_table} o
WHERE o.operator_id = ANY(%(ops)s) AND o.retained AND {in_range("o.retained_on")}
GROUP BY 1, 2, 5
"""


def register_facts() -> None:
    register_fact_family("project_types", PROJECT_TYPES, order=60)
    register_fact_family("strategies", STRATEGIES, order=70)
