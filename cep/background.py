"""Work done in the background: the base of the tasks that work for one operator, and the one way
services hand work to a task.

- A task of one operator is declared with `base=OperatorTask` and called with `operator_id=`:
  its body runs inside that operator's scope, so the scoped managers and row-level security
  (cep.rls) show it that operator's rows only, as a request of that operator sees them.
- A service enqueues a task by its name, on commit (`enqueue`): a rolled-back write sends
  nothing, and services import no tasks module (tasks import services: no import circle).
- The platform's periodic jobs (beat) are plain tasks: they work across operators, reading ids
  under `scopes_disabled()` and entering each operator's scope themselves.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction
from django_scopes import scope
from kombu.exceptions import OperationalError as BrokerUnavailable
from kombu.utils.json import dumps

from cep.celery import app as celery_app

logger = logging.getLogger(__name__)


def _check_operator_id(operator_id: Any) -> None:
    # An Operator (or None) would be a scope of its own kind, or none at all: ids only.
    if isinstance(operator_id, bool) or not isinstance(operator_id, int):
        raise TypeError(f"operator_id must be an operator's id (int), not {operator_id!r}")


class OperatorTask(Task):
    """A task that works for one operator, named by the `operator_id` keyword of each call.

    The body receives `operator_id` too: Celery keeps the call's keywords as the request's, and a
    retry resends those, so dropping it here would send the retry without its operator.
    """

    # Taken again by another worker if this one dies mid-task: every task here is idempotent.
    acks_late = True

    def __call__(self, *args, **kwargs):
        if "operator_id" not in kwargs:
            raise TypeError(f"{self.name} works for one operator: call it with operator_id=")
        operator_id = kwargs["operator_id"]
        _check_operator_id(operator_id)
        with scope(operator=operator_id):
            return super().__call__(*args, **kwargs)


def registered_task(name: str) -> Task:
    """The task of that name. The web process imports no tasks module (services name tasks, they
    do not import them), so the first look-up imports those of every installed app, as the
    worker does when it starts."""
    if name not in celery_app.tasks:
        celery_app.autodiscover_tasks(force=True)
    try:
        return celery_app.tasks[name]
    except KeyError:
        raise LookupError(f"no Celery task is named {name!r}") from None


def enqueue(name: str, *, operator_id: int | None, robust: bool = False, **kwargs: Any) -> None:
    """Send the task `name` once the current transaction commits (at once outside any).

    `operator_id` is the operator a task of one operator works for, None for a platform task.
    `robust`: a broker that does not answer is logged, not raised, and so is any other failure
    to send: the write is saved, and an error page would say otherwise. Only for work a periodic
    job finds again (the sweep of stuck documents, the resend of lost cancellations).

    Checked now, inside the transaction, so that a mistake rolls the write back: the task exists,
    its operator matches its kind, and its arguments are ids and plain values.
    """
    task = registered_task(name)
    if isinstance(task, OperatorTask):
        _check_operator_id(operator_id)
        kwargs = {**kwargs, "operator_id": operator_id}
    elif operator_id is not None:
        raise TypeError(f"{name} is a platform task: it takes no operator_id")
    dumps(kwargs)  # a model instance, say, would fail after commit, where nothing rolls back

    def send() -> None:
        try:
            # The task's own apply_async: its options, the configured queue and routes, and
            # in-process execution when tasks are eager (the tests, a demo without Redis).
            task.apply_async(kwargs=kwargs)
        except BrokerUnavailable:
            if not robust:
                raise
            logger.warning("broker unreachable: %s %s left for its periodic job", name, kwargs)

    transaction.on_commit(send, robust=robust)
