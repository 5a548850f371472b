"""Level 1's count of the "À traiter" block of the staff homes."""

from django.urls import reverse

from accueil.models import IntakeRequest
from cep.home import TodoCount, register_todo_count


def _requests_of_day(membership, today) -> int:
    return IntakeRequest.objects.filter(received_on=today).count()


def register_todo_counts() -> None:
    register_todo_count(
        TodoCount(
            key="requests-of-day",
            label="Demandes du jour",
            order=10,
            count=_requests_of_day,
            url=lambda: reverse("accueil:requests"),
        )
    )
