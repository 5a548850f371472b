"""Tasks of one operator (cep.background): the body runs in that operator's scope; services
enqueue by name, on commit; and no services module imports a tasks module any more."""

import base64
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_scopes import scopes_disabled
from django_scopes.exceptions import ScopeError

from accueil import services as accueil_services
from cep.background import OperatorTask, enqueue, registered_task
from cep.celery import app as celery_app
from cep.models import Beneficiary
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.factories import BeneficiaryFactory, OperatorFactory
from tests.worker import broker_redis, purge_broker

ROOT = Path(settings.BASE_DIR)
PROBE = "tests.operator_tasks.probe"
PLATFORM_PROBE = "tests.operator_tasks.platform_probe"
RUNS: list[dict] = []


@celery_app.task(base=OperatorTask, name=PROBE)
def probe(*, operator_id: int, note: str = "") -> dict:
    """What the body sees: through the scoped manager, through raw SQL (row-level security
    alone), and the setting the policies read."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT operator_id FROM {Beneficiary._meta.db_table} ORDER BY 1")
        raw = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT current_setting('cep.operators', true)")
        setting = cursor.fetchone()[0]
    seen = {
        "operator_id": operator_id,
        "note": note,
        "scoped": sorted(Beneficiary.objects.values_list("operator_id", flat=True)),
        "raw": raw,
        "setting": setting,
    }
    RUNS.append(seen)
    return seen


@celery_app.task(name=PLATFORM_PROBE)
def platform_probe() -> str:
    return "fait"


@pytest.fixture(autouse=True)
def _no_runs_yet():
    RUNS.clear()
    yield
    RUNS.clear()


# --- The body runs inside the operator's scope ------------------------------------------------


@pytest.mark.scoped
@pytest.mark.django_db
def test_the_body_sees_the_rows_of_its_operator_only():
    with scopes_disabled():
        mine, other = OperatorFactory(), OperatorFactory()
        BeneficiaryFactory(operator=mine)
        BeneficiaryFactory(operator=mine)
        BeneficiaryFactory(operator=other)

    seen = probe.apply(kwargs={"operator_id": mine.pk}).get()

    assert seen["scoped"] == [mine.pk, mine.pk]
    assert seen["raw"] == [mine.pk, mine.pk]
    assert seen["setting"] == str(mine.pk)
    assert seen["operator_id"] == mine.pk  # the body gets it too: a retry resends it
    # The scope ends with the task.
    with pytest.raises(ScopeError):
        Beneficiary.objects.count()


@pytest.mark.scoped
@pytest.mark.django_db
def test_the_other_operator_s_task_sees_the_other_rows():
    with scopes_disabled():
        mine, other = OperatorFactory(), OperatorFactory()
        BeneficiaryFactory(operator=mine)
        BeneficiaryFactory(operator=other)

    seen = probe(operator_id=other.pk)  # called directly, as the beat-job tests call tasks

    assert (seen["scoped"], seen["raw"], seen["setting"]) == ([other.pk], [other.pk], str(other.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("call", [{}, {"operator_id": None}, {"operator_id": "3"}])
def test_a_task_of_one_operator_is_not_run_without_an_operator_id(call):
    with pytest.raises(TypeError, match="operator"):
        probe(note="sans opérateur", **call)
    assert RUNS == []


@pytest.mark.django_db
def test_an_operator_object_is_refused_ids_only():
    operator = OperatorFactory()
    with pytest.raises(TypeError, match="operator_id must be an operator's id"):
        probe(operator_id=operator)
    assert RUNS == []


def test_the_tasks_of_one_operator_are_these_and_the_beat_jobs_stay_platform_tasks():
    per_operator = {
        "accueil.tasks.notify_session_cancelled",
        "synthese.tasks.render_synthesis",
        "synthese.tasks.email_synthesis_link",
    }
    for name in per_operator:
        assert isinstance(registered_task(name), OperatorTask), name
        assert registered_task(name).acks_late is True
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert not isinstance(registered_task(entry["task"]), OperatorTask), entry["task"]
    assert registered_task("synthese.tasks.render_synthesis").reject_on_worker_lost is True
    assert registered_task("synthese.tasks.render_synthesis").max_retries == 5
    assert registered_task("accueil.tasks.notify_session_cancelled").max_retries == 6


# --- Enqueued on commit, in process (tasks are eager in these tests) ---------------------------


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(
    django_capture_on_commit_callbacks,
):
    operator = OperatorFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(PROBE, operator_id=operator.pk, note="annulé")
        raise RuntimeError("the write fails after the enqueue")
    assert callbacks == []
    assert RUNS == []


@pytest.mark.django_db
def test_a_task_enqueued_in_a_committed_transaction_runs_once_for_its_operator(
    django_capture_on_commit_callbacks,
):
    operator = OperatorFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue(PROBE, operator_id=operator.pk, note="validé")
        assert RUNS == []  # not before the commit
    assert len(callbacks) == 1
    assert [(run["operator_id"], run["note"], run["setting"]) for run in RUNS] == [
        (operator.pk, "validé", str(operator.pk))
    ]


@pytest.mark.django_db
def test_a_cancellation_rolled_back_after_the_service_tells_nobody(
    django_capture_on_commit_callbacks, mailoutbox
):
    session = InformationSessionFactory()
    SessionRegistrationFactory(session=session, beneficiary__email="inscrite@exemple.invalid")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        accueil_services.cancel_session(
            membership=session.animator, session=session, reason="Salle fermée"
        )
        raise RuntimeError("a later step of the same request fails")
    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_enqueue_refuses_mistakes_inside_the_transaction():
    operator = OperatorFactory()
    with pytest.raises(LookupError, match="nowhere"):
        enqueue("tests.operator_tasks.nowhere", operator_id=operator.pk)
    with pytest.raises(TypeError, match="operator_id must be an operator's id"):
        enqueue(PROBE, operator_id=None)
    with pytest.raises(TypeError, match="platform task"):
        enqueue(PLATFORM_PROBE, operator_id=operator.pk)
    with pytest.raises(TypeError):
        enqueue(PROBE, operator_id=operator.pk, note=operator)  # a model, not an id
    assert RUNS == []


# --- Enqueued on commit, to the broker ----------------------------------------------------------


def queued() -> list[tuple[str, dict, str]]:
    """The messages waiting in the configured queue: task name, keywords, routing key."""
    messages = [
        json.loads(raw) for raw in broker_redis().lrange(celery_app.conf.task_default_queue, 0, -1)
    ]
    return [
        (
            message["headers"]["task"],
            json.loads(base64.b64decode(message["body"]))[1],
            message["properties"]["delivery_info"]["routing_key"],
        )
        for message in messages
    ]


@pytest.fixture
def empty_broker():
    purge_broker()
    yield
    purge_broker()


@pytest.mark.celery_worker  # tasks go through Redis; no worker takes them here
@pytest.mark.django_db(transaction=True)
def test_the_broker_receives_nothing_on_rollback_and_one_message_on_commit(empty_broker):
    assert celery_app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(PROBE, operator_id=41, note="annulé")
        raise RuntimeError("rolled back")
    assert queued() == []

    with transaction.atomic():
        enqueue(PROBE, operator_id=41, note="validé")
        assert queued() == []  # not before the commit
    assert queued() == [
        (PROBE, {"note": "validé", "operator_id": 41}, settings.CELERY_TASK_DEFAULT_QUEUE)
    ]
    assert RUNS == []  # sent, not run in this process


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_committed_cancellation_sends_its_task_by_name_to_the_configured_queue(empty_broker):
    session = InformationSessionFactory()
    accueil_services.cancel_session(
        membership=session.animator, session=session, reason="Salle fermée"
    )
    assert queued() == [
        (
            "accueil.tasks.notify_session_cancelled",
            {"session_id": session.pk, "operator_id": session.operator_id},
            settings.CELERY_TASK_DEFAULT_QUEUE,
        )
    ]


# --- No import circle between services and tasks ----------------------------------------------

CONTRACT = "Services do not import tasks"


def contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (found,) = [c for c in config["contracts"] if c["name"] == CONTRACT]
    return found


def modules_named(stem: str) -> set[str]:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "root_packages"
    ]
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in packages
        for path in (ROOT / package).rglob(f"{stem}.py")
        if "migrations" not in path.parts
    }


def test_the_contract_names_every_services_and_tasks_module():
    services, tasks = modules_named("services"), modules_named("tasks")
    # Written out, so that a broken discovery cannot pass with empty sets.
    assert {"accueil.services", "synthese.services", "cep.services"} <= services
    assert {"accueil.tasks", "synthese.tasks", "cep.tasks"} <= tasks
    assert set(contract()["source_modules"]) == services
    assert set(contract()["forbidden_modules"]) == tasks


def test_no_services_module_imports_a_tasks_module():
    """The contract itself, run here too: the two circles it broke were accueil's and the
    synthèse's (services imported their tasks, which imported the services back)."""
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [linter, "--contract", contract()["id"], "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACT} KEPT" in result.stdout
