"""Every level-1 orientation to an operator of the platform becomes the level-1 face of a
transfer (cep.continuity): the transfer takes its consent and its history, the orientation
points at it.

- Still waiting: the transfer is sent now, as one proposed today with the person's consent
  would be (snapshot of identity and situation, the receiving operator's managers may review it
  for the usual number of days). The previous workflow never sent anything: the receiving
  operator sees it for the first time. This one step runs today's continuity code (a sent
  transfer is that code's business); a parcours with a transfer already under way cannot have a
  second one: that orientation is closed as expired, with a note.
- Already over (accepted, refused, no answer, expired, consent withdrawn): the transfer takes
  the same outcome, never sent (``sent_at`` empty: nothing crossed the platform, and the
  receiving operator does not list it).
- A structure no longer linked to an operator of the platform has no operator to transfer to:
  its orientation stays one outside the platform (its consent stays in the person's consents).

No audit event is written: a migration is not an actor, and the trail is append-only.

Backwards: each orientation gets back its consent, its "transfer" flag and a copy of its
transfer's history; the transfers this migration made are deleted, those proposed since stay
(the file's transfers, as before).
"""

from django.db import migrations

# The previous routing statuses, as transfer statuses.
TRANSFER_STATUS_OF = {
    "en_attente": "en_attente",
    "acceptee": "accepte",
    "refusee": "refuse",
    "sans_reponse": "expire",
    "expiree": "expire",
    "accord_retire": "annule",
}
ROUTING_STATUS_OF = {
    "attente_accord": "en_attente",
    "en_attente": "en_attente",
    "accepte": "acceptee",
    "refuse": "refusee",
    "expire": "expiree",
    "annule": "accord_retire",
}
OPEN = ("attente_accord", "en_attente")
CATEGORIES = ["identite", "situation"]
MADE_HERE = "Orientation de niveau 1 reprise comme transfert"
ALREADY_UNDER_WAY = (
    "Orientation de niveau 1 reprise comme transfert : non envoyée, un autre transfert de ce "
    "parcours était déjà en cours"
)
NO_ANSWER = "Sans réponse"
SENT = "Envoyé avec l'accord de la personne"  # the note of cep.continuity's sending
WRITTEN_HERE = (MADE_HERE, ALREADY_UNDER_WAY)
REFUSED_WITHOUT_REASON = "Refus noté par le conseiller (motif non précisé)"


def _send(transfer_id: int, consent_id: int, operator_id: int) -> None:
    """Today's sending, with today's models (the state of this migration is today's)."""
    from django_scopes import scope

    from cep.continuity.models import Transfer
    from cep.continuity.services import _send_transfer
    from cep.models import Consent

    with scope(operator=operator_id):
        _send_transfer(
            Transfer.objects.get(pk=transfer_id), Consent.objects.get(pk=consent_id), None
        )


def forward(apps, schema_editor):
    Routing = apps.get_model("accueil", "Routing")
    RoutingStatusChange = apps.get_model("accueil", "RoutingStatusChange")
    Transfer = apps.get_model("continuity", "Transfer")
    TransferStatusChange = apps.get_model("continuity", "TransferStatusChange")
    legacy = (
        Routing._base_manager.filter(is_transfer=True, transfer__isnull=True)
        .select_related("target", "parcours")
        .order_by("created_at", "pk")
    )
    for routing in legacy:
        target_operator_id = routing.target.platform_operator_id
        if target_operator_id in (None, routing.operator_id):
            continue
        history = list(
            RoutingStatusChange._base_manager.filter(routing=routing).order_by("changed_at", "pk")
        )
        to_send = routing.status == "en_attente"
        note = MADE_HERE
        if (
            to_send
            and Transfer._base_manager.filter(
                parcours_id=routing.parcours_id, status__in=OPEN
            ).exists()
        ):
            to_send, note = False, ALREADY_UNDER_WAY
            routing.status = "expiree"
        status = "attente_accord" if to_send else TRANSFER_STATUS_OF[routing.status]
        refusal = ""
        if status == "refuse":
            notes = [c.note for c in history if c.status == "refusee" and c.note.strip()]
            refusal = (notes[-1] if notes else REFUSED_WITHOUT_REASON)[:300]
        transfer = Transfer._base_manager.create(
            operator_id=routing.operator_id,
            target_operator_id=target_operator_id,
            parcours_id=routing.parcours_id,
            beneficiary_id=routing.parcours.beneficiary_id,
            reason=routing.reason,
            categories=CATEGORIES,
            consent_id=routing.consent_id,
            status=status,
            created_by_id=routing.created_by_id,
            refusal_reason=refusal,
        )
        Transfer._base_manager.filter(pk=transfer.pk).update(created_at=routing.created_at)
        for change in history:
            step = TransferStatusChange._base_manager.create(
                operator_id=change.operator_id,
                transfer=transfer,
                status=TRANSFER_STATUS_OF[change.status],
                note=change.note or (NO_ANSWER if change.status == "sans_reponse" else ""),
                changed_by_id=change.changed_by_id,
            )
            TransferStatusChange._base_manager.filter(pk=step.pk).update(
                changed_at=change.changed_at
            )
        TransferStatusChange._base_manager.create(
            operator_id=routing.operator_id,
            transfer=transfer,
            status=TRANSFER_STATUS_OF[routing.status],  # what it is from now on
            note=note,
        )
        RoutingStatusChange._base_manager.filter(routing=routing).delete()
        routing.transfer = transfer
        routing.save(update_fields=["transfer", "status"])
        if to_send:
            _send(transfer.pk, routing.consent_id, routing.operator_id)


def backward(apps, schema_editor):
    Routing = apps.get_model("accueil", "Routing")
    RoutingStatusChange = apps.get_model("accueil", "RoutingStatusChange")
    TransferStatusChange = apps.get_model("continuity", "TransferStatusChange")
    steps_made_here = TransferStatusChange._base_manager.filter(note__in=WRITTEN_HERE)
    made_here = set(steps_made_here.values_list("transfer_id", flat=True))
    left_waiting = set(
        steps_made_here.filter(note=ALREADY_UNDER_WAY).values_list("transfer_id", flat=True)
    )
    for routing in Routing._base_manager.filter(transfer__isnull=False).select_related("transfer"):
        transfer = routing.transfer
        steps = list(
            TransferStatusChange._base_manager.filter(transfer=transfer).order_by(
                "changed_at", "pk"
            )
        )
        previous = None
        for step in steps:
            # Leave out what this migration wrote: its note, and the sending right after it.
            written_here = step.note in WRITTEN_HERE or (
                previous in WRITTEN_HERE and step.note == SENT
            )
            previous = step.note
            if written_here:
                continue
            no_answer = step.status == "expire" and step.note == NO_ANSWER
            change = RoutingStatusChange._base_manager.create(
                operator_id=step.operator_id,
                routing=routing,
                status="sans_reponse" if no_answer else ROUTING_STATUS_OF[step.status],
                note="" if no_answer else step.note,
                changed_by_id=step.changed_by_id,
            )
            RoutingStatusChange._base_manager.filter(pk=change.pk).update(
                changed_at=step.changed_at
            )
        if transfer.pk in left_waiting:
            routing.status = "en_attente"
        routing.is_transfer = transfer.consent_id is not None
        routing.consent_id = transfer.consent_id
        routing.transfer = None
        routing.save(update_fields=["status", "is_transfer", "consent", "transfer"])
        if transfer.pk in made_here:
            transfer.delete()  # its history and its reviewers' rights with it


class Migration(migrations.Migration):
    dependencies = [
        ("accueil", "0007_routing_transfer"),
        ("cep", "0015_topics_move_to_their_apps"),
        ("continuity", "0002_accepted_before_sending"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
