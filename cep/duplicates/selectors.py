"""Reads of one file per person: the operator's likely duplicates, and the two files a manager
compares before merging."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from cep.continuity.models import Transfer
from cep.duplicates.matching import NAME_SIMILARITY, PersonKeys, live_files, match_reasons
from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import Beneficiary, BeneficiaryAccount

PAIRS_SHOWN = 100
PENDING_TRANSFER = (Transfer.Status.AWAITING_CONSENT, Transfer.Status.PENDING)


@dataclass(frozen=True)
class LikelyPair:
    first: Beneficiary
    second: Beneficiary
    reasons: list[str]

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.reasons)


# Every pair of the operator's live files that the rule of cep.duplicates.matching joins, less
# those a counsellor said were two persons; newest first. Computed on the fly, under row-level
# security like any read of the application: the files of one birth date compared by name (a
# self-join on the birth date), and only the e-mails, phones and France Travail identifiers
# held by more than one file (grouped first, then joined through their indexes).
# bench/duplicates.py measures it on the operator of 99,000 files.
LIVE = "{alias}.merged_into_id IS NULL AND {alias}.anonymised_at IS NULL"
PAIRS_SQL = """
WITH name_pairs AS (
    SELECT a.id AS first_id, b.id AS second_id
    FROM {beneficiary} a
    JOIN {beneficiary} b
        ON b.operator_id = a.operator_id AND b.birth_date = a.birth_date AND b.id > a.id
    WHERE a.operator_id = %(operator)s AND {live_a} AND {live_b}
        AND similarity(a.search_name, b.search_name) >= %(similarity)s
), shared_emails AS (
    SELECT lower(email) AS email FROM {beneficiary} f
    WHERE f.operator_id = %(operator)s AND f.email <> '' AND {live_f}
    GROUP BY 1 HAVING count(*) > 1
), email_pairs AS (
    SELECT a.id AS first_id, b.id AS second_id
    FROM shared_emails s
    JOIN {beneficiary} a
        ON a.operator_id = %(operator)s AND a.email <> '' AND lower(a.email) = s.email
    JOIN {beneficiary} b
        ON b.operator_id = %(operator)s AND b.email <> '' AND lower(b.email) = s.email
        AND b.id > a.id
    WHERE {live_a} AND {live_b}
), shared_phones AS (
    SELECT phone_e164 FROM {beneficiary} f
    WHERE f.operator_id = %(operator)s AND f.phone_e164 <> '' AND {live_f}
    GROUP BY 1 HAVING count(*) > 1
), phone_pairs AS (
    SELECT a.id AS first_id, b.id AS second_id
    FROM shared_phones s
    JOIN {beneficiary} a
        ON a.operator_id = %(operator)s AND a.phone_e164 <> '' AND a.phone_e164 = s.phone_e164
    JOIN {beneficiary} b
        ON b.operator_id = %(operator)s AND b.phone_e164 <> '' AND b.phone_e164 = s.phone_e164
        AND b.id > a.id
    WHERE {live_a} AND {live_b}
), shared_ft_ids AS (
    SELECT france_travail_id FROM {beneficiary} f
    WHERE f.operator_id = %(operator)s AND f.france_travail_id <> '' AND {live_f}
    GROUP BY 1 HAVING count(*) > 1
), ft_id_pairs AS (
    SELECT a.id AS first_id, b.id AS second_id
    FROM shared_ft_ids s
    JOIN {beneficiary} a
        ON a.operator_id = %(operator)s AND a.france_travail_id <> ''
        AND a.france_travail_id = s.france_travail_id
    JOIN {beneficiary} b
        ON b.operator_id = %(operator)s AND b.france_travail_id <> ''
        AND b.france_travail_id = s.france_travail_id AND b.id > a.id
    WHERE {live_a} AND {live_b}
), pairs AS (
    SELECT * FROM name_pairs UNION SELECT * FROM email_pairs UNION SELECT * FROM phone_pairs
    UNION SELECT * FROM ft_id_pairs
)
SELECT p.first_id, p.second_id FROM pairs p
WHERE NOT EXISTS (
    SELECT 1 FROM {confirmation} c
    WHERE c.operator_id = %(operator)s
        AND ((c.beneficiary_id = p.first_id AND c.other_id = p.second_id)
            OR (c.beneficiary_id = p.second_id AND c.other_id = p.first_id))
)
ORDER BY p.second_id DESC, p.first_id DESC
LIMIT %(limit)s
"""


def _pair_ids(operator_id: int, limit: int) -> list[tuple[int, int]]:
    if connection.vendor == "postgresql":
        sql = PAIRS_SQL.format(
            beneficiary=connection.ops.quote_name(Beneficiary._meta.db_table),
            confirmation=connection.ops.quote_name(DistinctPersonConfirmation._meta.db_table),
            live_a=LIVE.format(alias="a"),
            live_b=LIVE.format(alias="b"),
            live_f=LIVE.format(alias="f"),
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # The self-join's estimates are large (the pairs of a birth date) though it returns
            # few rows: JIT compilation alone took 0.8 s on 99,000 files, and the sorts spilled
            # to disk. For this transaction only.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
            )
            cursor.execute(
                sql, {"operator": operator_id, "similarity": NAME_SIMILARITY, "limit": limit}
            )
            return [(a, b) for a, b in cursor.fetchall()]
    # The demo's SQLite: the rule in Python over the operator's (few) files.
    rows = list(live_files().filter(operator_id=operator_id))
    keys = {row.pk: PersonKeys.of_beneficiary(row) for row in rows}
    confirmed = {
        frozenset(pair)
        for pair in DistinctPersonConfirmation.objects.values_list("beneficiary_id", "other_id")
    }
    found = [
        (a.pk, b.pk)
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if frozenset((a.pk, b.pk)) not in confirmed and match_reasons(keys[a.pk], keys[b.pk])
    ]
    return sorted(found, key=lambda pair: (-max(pair), -min(pair)))[:limit]


def likely_duplicates(*, operator_id: int, limit: int = PAIRS_SHOWN) -> list[LikelyPair]:
    """The operator's likely duplicates, with why: two queries whatever their number."""
    ids = _pair_ids(operator_id, limit)
    if not ids:
        return []
    wanted = {pk for pair in ids for pk in pair}
    files = {
        row.pk: row
        for row in Beneficiary.objects.filter(pk__in=wanted).only(
            "pk",
            "operator_id",
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "france_travail_id",
            "created_at",
        )
    }
    pairs = []
    for first_pk, second_pk in ids:
        first, second = files.get(first_pk), files.get(second_pk)
        if first is None or second is None:
            continue
        reasons = match_reasons(PersonKeys.of_beneficiary(first), PersonKeys.of_beneficiary(second))
        pairs.append(LikelyPair(first, second, reasons))
    return pairs


def merge_comparison(*, first_pk: int, second_pk: int) -> list[Beneficiary]:
    """The two files side by side, with what decides a merge, in one query (404 if either is
    not a live file of the operator)."""
    if first_pk == second_pk:
        raise Http404
    rows = list(
        live_files()
        .filter(pk__in=[first_pk, second_pk])
        .annotate(
            parcours_count=Count("parcours", distinct=True),
            open_parcours_count=Count(
                "parcours", filter=Q(parcours__closed_on__isnull=True), distinct=True
            ),
            has_account=Exists(BeneficiaryAccount.objects.filter(beneficiary=OuterRef("pk"))),
            has_pending_transfer=Exists(
                Transfer.objects.filter(beneficiary=OuterRef("pk"), status__in=PENDING_TRANSFER)
            ),
        )
        .order_by("pk")
    )
    if len(rows) != 2:
        raise Http404
    by_pk = {row.pk: row for row in rows}
    return [by_pk[first_pk], by_pk[second_pk]]


def reasons_between(first: Beneficiary, second: Beneficiary) -> list[str]:
    return match_reasons(PersonKeys.of_beneficiary(first), PersonKeys.of_beneficiary(second))
