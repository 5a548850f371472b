"""One file per person: the counsellor's "another person" confirmation, and the merge of two
files by a manager."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from cep.audit import log_event
from cep.continuity.models import Transfer
from cep.duplicates.matching import Candidate
from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import AuditEvent, Beneficiary, BeneficiaryAccount, Membership, Parcours
from cep.rls import APPEND_ONLY_TABLES

PENDING_TRANSFER = (Transfer.Status.AWAITING_CONSENT, Transfer.Status.PENDING)

SAME_FILE = "Choisissez deux dossiers différents."
OTHER_OPERATOR = (
    "Les deux dossiers appartiennent à des opérateurs différents : une fusion se fait entre deux "
    "dossiers de votre opérateur."
)
ALREADY_MERGED = "Ce dossier a déjà été fusionné dans un autre : fusionnez le dossier conservé."
ANONYMISED = "Un dossier anonymisé ne peut pas être fusionné."
TWO_ACCOUNTS = (
    "Les deux dossiers ont chacun un espace bénéficiaire : la personne ne peut garder qu'un "
    "compte, la fusion est impossible."
)
PENDING = (
    "Un transfert vers un autre opérateur est en cours pour l'un des deux dossiers : attendez "
    "la décision (ou l'annulation) avant de fusionner."
)
TWO_OPEN_PARCOURS = (
    "Les deux dossiers ont chacun un parcours en cours : terminez l'un des deux avant de "
    "fusionner, pour que la personne n'ait qu'un parcours et qu'un référent."
)
CONFLICT = (
    "La fusion est impossible : les deux dossiers ont un même enregistrement en double ({what}). "
    "Supprimez l'un des deux puis recommencez."
)


@transaction.atomic
def record_distinct_person(
    *,
    membership: Membership,
    beneficiary: Beneficiary,
    candidates: list[Candidate],
    ip_address: str | None = None,
    action: str = AuditEvent.Action.CREATE,
) -> list[DistinctPersonConfirmation]:
    """The counsellor saw these files and said the new one (or the one just changed: `action`
    is then UPDATE) is another person (called by cep.services.create_beneficiary and
    update_beneficiary through the registered matcher)."""
    rows = DistinctPersonConfirmation.objects.bulk_create(
        DistinctPersonConfirmation(
            operator_id=membership.operator_id,
            beneficiary=beneficiary,
            other=candidate.beneficiary,
            reasons=candidate.reasons,
            confirmed_by=membership,
        )
        for candidate in candidates
    )
    log_event(
        membership=membership,
        action=action,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"autre_personne_que": [c.beneficiary.pk for c in candidates]},
    )
    return rows


def moved_relations() -> list[ForeignObjectRel]:
    """Every table holding a reference to a beneficiary, found from the model's meta (so a new
    app's table moves too): each reverse foreign key and one-to-one, hidden ones included. The
    audit trail is the exception: it is append-only (cep.rls) and chained, so its events keep
    the tombstone's id and the kept file's access log reads them through `merged_into`."""
    relations = [
        relation
        for relation in Beneficiary._meta.get_fields(include_hidden=True)
        if isinstance(relation, ForeignObjectRel)
        and (relation.one_to_many or relation.one_to_one)
        and relation.related_model._meta.db_table not in APPEND_ONLY_TABLES
    ]
    return sorted(relations, key=lambda r: (r.related_model._meta.label, r.field.name))


def move_references(relation: ForeignObjectRel, *, kept: Beneficiary, merged: Beneficiary) -> int:
    """One UPDATE per table: the rows pointing at the merged file point at the kept one."""
    name = relation.field.name
    return relation.related_model._base_manager.filter(**{name: merged.pk}).update(
        **{name: kept.pk}
    )


def _locked_pair(kept_pk: int, merged_pk: int) -> dict[int, Beneficiary]:
    """Both files locked, with what the refusals need, in one query."""
    rows = (
        Beneficiary.objects.select_for_update(of=("self",))
        .filter(pk__in=[kept_pk, merged_pk])
        .annotate(
            has_account=Exists(BeneficiaryAccount.objects.filter(beneficiary=OuterRef("pk"))),
            has_open_parcours=Exists(
                Parcours.objects.filter(beneficiary=OuterRef("pk"), closed_on__isnull=True)
            ),
            has_pending_transfer=Exists(
                Transfer.objects.filter(beneficiary=OuterRef("pk"), status__in=PENDING_TRANSFER)
            ),
        )
    )
    return {row.pk: row for row in rows}


@transaction.atomic(durable=True)
def merge_beneficiaries(
    *,
    membership: Membership,
    kept: Beneficiary,
    merged: Beneficiary,
    ip_address: str | None = None,
) -> Beneficiary:
    """A manager merges two files of the operator into `kept`, in one transaction: every record
    of `merged` (parcours with their services, plans and syntheses, consents, requests,
    invitations, transfers, registrations, the beneficiary account...) moves to `kept`, and
    `merged` becomes a tombstone pointing at it. Refused, with the reason, across operators,
    when both have an account, when a transfer is pending, when both have an open parcours."""
    if kept.pk == merged.pk:
        raise ValidationError(SAME_FILE)
    if not (kept.operator_id == merged.operator_id == membership.operator_id):
        raise ValidationError(OTHER_OPERATOR)
    pair = _locked_pair(kept.pk, merged.pk)
    if len(pair) != 2:  # another operator's file is not even visible
        raise ValidationError(OTHER_OPERATOR)
    kept, merged = pair[kept.pk], pair[merged.pk]
    # The annotations of _locked_pair (not model attributes, for the type checker).
    both = (vars(kept), vars(merged))
    if kept.operator_id != merged.operator_id:
        raise ValidationError(OTHER_OPERATOR)
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError(ALREADY_MERGED)
    if kept.anonymised_at or merged.anonymised_at:
        raise ValidationError(ANONYMISED)
    if all(file["has_account"] for file in both):
        raise ValidationError(TWO_ACCOUNTS)
    if any(file["has_pending_transfer"] for file in both):
        raise ValidationError(PENDING)
    if all(file["has_open_parcours"] for file in both):
        raise ValidationError(TWO_OPEN_PARCOURS)
    # The counsellors' "another person" between these two is overruled by the merge.
    DistinctPersonConfirmation.objects.filter(
        Q(beneficiary=kept, other=merged) | Q(beneficiary=merged, other=kept)
    ).delete()
    moved = {}
    try:
        with transaction.atomic():
            for relation in moved_relations():
                count = move_references(relation, kept=kept, merged=merged)
                if count:
                    label = f"{relation.related_model._meta.label_lower}.{relation.field.name}"
                    moved[label] = count
    except IntegrityError as error:
        what = relation.related_model._meta.verbose_name
        raise ValidationError(CONFLICT.format(what=what)) from error
    now = timezone.now()
    Beneficiary.objects.filter(pk=merged.pk).update(merged_into=kept, merged_at=now, updated_at=now)
    merged.merged_into, merged.merged_at = kept, now
    for file, other in ((kept, merged), (merged, kept)):
        log_event(
            membership=membership,
            action=AuditEvent.Action.MERGE,
            obj=file,
            beneficiary=file,
            ip_address=ip_address,
            details={
                "conserve": kept.pk,
                "fusionne": merged.pk,
                "autre_dossier": other.pk,
                "deplaces": moved,
            },
        )
    return kept
