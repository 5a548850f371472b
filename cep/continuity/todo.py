"""The receiving operator's managers see, on their home, the transfers waiting for them."""

from django.urls import reverse

from cep.continuity.selectors import pending_incoming_count
from cep.home import TodoCount, register_todo_count
from cep.roles import REVIEW_CASELOAD


def register_todo_counts() -> None:
    register_todo_count(
        TodoCount(
            key="transfers-pending",
            label="Transferts en attente de décision",
            order=15,
            count=lambda membership, today: pending_incoming_count(membership),
            url=lambda: reverse("transfers_incoming"),
            shown_to=lambda permissions: REVIEW_CASELOAD in permissions,
        )
    )
