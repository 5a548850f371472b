"""Level 1's fact families: routings by target, and the delay to the first interview (which
joins the kernel's services to the intake requests, hence here). See cep.facts."""

from accueil.models import IntakeRequest, Routing, Structure
from cep.facts import in_range, local_day, month_of, quoted, register_fact_family
from cep.models import Service

SERVICE = Service._meta.db_table
INTERVIEW = quoted(Service.Kind.INDIVIDUAL_INTERVIEW)

# From the request to the first individual interview on or after it, counted in the month of
# that interview.
FIRST_INTERVIEW_DELAY = f"""
SELECT s.operator_id, {month_of("s.delivered_on")} AS month, 'delai_premier_rdv' AS code,
    '' AS breakdown, '' AS key, s.delivered_on - r.received_on AS bucket, count(*) AS value
FROM {SERVICE} s
JOIN {IntakeRequest._meta.db_table} r ON r.parcours_id = s.parcours_id
WHERE s.operator_id = ANY(%(ops)s) AND {in_range("s.delivered_on")}
    AND s.kind = {INTERVIEW} AND s.delivered_on >= r.received_on
    AND NOT EXISTS (
        SELECT 1 FROM {SERVICE} e
        WHERE e.parcours_id = s.parcours_id AND e.kind = {INTERVIEW}
            AND e.delivered_on >= r.received_on
            AND (e.delivered_on, e.id) < (s.delivered_on, s.id)
    )
GROUP BY 1, 2, 6
"""

ROUTINGS = f"""
SELECT r.operator_id, {month_of(local_day("r.created_at"))} AS month, 'orientations' AS code,
    'cible' AS breakdown, t.kind AS key, 0 AS bucket, count(*) AS value
FROM {Routing._meta.db_table} r JOIN {Structure._meta.db_table} t ON t.id = r.target_id
WHERE r.operator_id = ANY(%(ops)s) AND {in_range(local_day("r.created_at"))}
GROUP BY 1, 2, 5
"""


def register_facts() -> None:
    register_fact_family("first_interview_delay", FIRST_INTERVIEW_DELAY, order=50)
    register_fact_family("routings", ROUTINGS, order=80)
