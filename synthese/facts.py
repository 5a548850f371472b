"""The synthèse's fact family: closed parcours, whose last figure asks whether a synthèse was
ready for them, so the whole statement (one scan of the closed parcours) lives here. See
cep.facts."""

from cep.facts import in_range, month_of, quoted, register_fact_family
from cep.models import Parcours, Service
from synthese.models import SynthesisDocument

DOCUMENT = SynthesisDocument._meta.db_table
READY = quoted(SynthesisDocument.Status.READY)

# Closed parcours: the count by reason and level reached, their length in days (overall and by
# reason), the services
# they received and whether a synthèse was ready for them.
PARCOURS_CLOSED = f"""
WITH closed AS (
    SELECT p.id, p.operator_id, {month_of("p.closed_on")} AS month, p.closing_reason,
        p.current_level::text AS level, p.closed_on - p.opened_on AS days
    FROM {Parcours._meta.db_table} p
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
SELECT operator_id, month, 'duree_parcours_jours', 'motif', closing_reason, days, count(*)
FROM closed
GROUP BY 1, 2, 5, 6
UNION ALL
SELECT c.operator_id, c.month, 'prestations_parcours_clos', '', '', 0, count(s.id)
FROM closed c JOIN {Service._meta.db_table} s ON s.parcours_id = c.id
GROUP BY 1, 2
UNION ALL
SELECT c.operator_id, c.month, 'sorties_avec_synthese', '', '', 0, count(*)
FROM closed c
WHERE EXISTS (
    SELECT 1 FROM {DOCUMENT} d WHERE d.parcours_id = c.id AND d.status = {READY}
)
GROUP BY 1, 2
"""


def register_facts() -> None:
    register_fact_family("parcours_closed", PARCOURS_CLOSED, order=30)
