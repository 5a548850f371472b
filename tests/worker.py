"""A real Celery worker process for the pipeline tests: same database, same Redis broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from cep.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    )


class CeleryWorker:
    """`celery worker --pool=solo`: the task runs in the worker process itself, so killing the
    process kills the task where it stands."""

    def __init__(self, **env: str):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            # The same broker and queue as this process: the worker must receive what the test
            # enqueues, and nothing a platform running beside the suite enqueues.
            "REDIS_URL": app.conf.broker_url,
            "CELERY_QUEUE": app.conf.task_default_queue,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SECRET_KEY": "celery-pipeline-test",
            **env,
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.process: subprocess.Popen | None = None
        self.output = b""

    def start(self) -> "CeleryWorker":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cep", "worker", "--pool=solo", "-l", "warning"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no message handed back."""
        self.process.send_signal(signal.SIGKILL)
        self.output += self.process.communicate()[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.output += self.process.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.output += self.process.communicate()[0]
        # Shown by pytest when the test fails: what the worker said.
        print(self.output.decode(errors="replace"))


def purge_broker() -> None:
    """Nothing left over from another run: the queue and the messages taken but not acked."""
    app.control.purge()
    redis = broker_redis()
    redis.delete("unacked", "unacked_index", "unacked_mutex")


def broker_redis():
    return app.connection_for_write().default_channel.client


def broker_idle() -> bool:
    redis = broker_redis()
    # acks_late: a message leaves Redis's "unacked" set only once the task has finished.
    return redis.llen(app.conf.task_default_queue) == 0 and redis.hlen("unacked") == 0


def wait_for(predicate, seconds: float = 60, step: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
