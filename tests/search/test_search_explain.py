"""The header search's lookup stays an index lookup at scale: EXPLAIN of the installed
function's own query, as the owner it runs as and at its threshold, on an operator of 100,000
files, with the planner free to choose (sequential scans NOT switched off): the name through the
GiST trigram index on (operator, name), each key through its own index, and no branch reads the
operator's files."""

import pytest

from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_search_reads_its_indexes_at_100000_files(owner_cursor):
    operator = OperatorFactory()
    owner_cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cep_search_beneficiaries'")
    body = owner_cursor.fetchone()[0]
    owner_cursor.execute("BEGIN")
    owner_cursor.execute(
        """
        INSERT INTO cep_beneficiary (operator_id, first_name, last_name, search_name, sex,
            birth_date, email, phone, phone_e164, postcode, departement, employment_status,
            pcs_group, diploma_level, rqth, qpv_resident, created_at, updated_at,
            france_travail_id)
        SELECT %s, 'Prénom' || g, 'Nom' || g, 'nom' || g || ' prénom' || g, 'F',
            DATE '1960-01-01' + (g * 37 %% 14000), 'p' || g || '@exemple.fr', '', '+336' || g,
            '', '69', 'salarie_cdi', '', '', false, false, now(), now(),
            CASE WHEN g %% 2 = 0 THEN lpad(g::text, 7, '0') || 'A' ELSE '' END
        FROM generate_series(1, 100000) AS g
        """,
        [operator.pk],
    )
    owner_cursor.execute("ANALYZE cep_beneficiary")
    owner_cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.5")
    owner_cursor.execute(
        "PREPARE found(bigint, text, text, text, text, bigint, integer) AS " + body
    )
    owner_cursor.execute(
        f"EXPLAIN EXECUTE found({int(operator.pk)}, 'lemoine karine', 'k@exemple.fr', "
        "'+33612345678', '1234567A', 4242, 10)"
    )
    plan = "\n".join(row[0] for row in owner_cursor.fetchall())
    owner_cursor.execute("DEALLOCATE found")
    owner_cursor.execute("ROLLBACK")
    assert "beneficiary_name_trgm_gist" in plan, plan
    assert "operator_id = " in plan.split("beneficiary_name_trgm_gist")[1], plan
    assert "beneficiary_email_idx" in plan, plan
    assert "beneficiary_phone_idx" in plan, plan
    assert "beneficiary_ft_id_idx" in plan, plan
    assert "cep_beneficiary_pkey" in plan, plan
    assert "Seq Scan" not in plan, plan
