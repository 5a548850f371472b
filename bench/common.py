"""Helpers shared by the bench scripts: Django set up for pages, percentiles, timing, and the
measure of one page."""

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django_for_pages(**environ: str) -> None:
    """Django for a bench that requests pages in-process: the database from DATABASE_URL, no
    login code (the bench measures pages, not logins), any host, and static file URLs without
    collectstatic. `environ` sets more settings' variables before Django reads them."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cep.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["TWO_FACTOR_REQUIRED"] = "0"
    os.environ.update(environ)
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    settings.ALLOWED_HOSTS = ["*"]
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()


def percentile(values, share):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, url, runs, connection):
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # A server-side cursor's DECLARE … FOR <query>: time the query itself.
    sql = [
        q["sql"].split(" FOR ", 1)[1] if q["sql"].startswith("DECLARE") else q["sql"]
        for q in captured.captured_queries
    ]
    floor = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            for statement in sql:
                cursor.execute(statement)
                if cursor.description:
                    cursor.fetchall()
            floor.append((time.perf_counter() - started) * 1000)
    seq_scans = set()
    with connection.cursor() as cursor:
        for statement in sql:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in ("cep_beneficiary", "cep_service"):
                # \b: cep_beneficiaryrequest is another (small) table.
                if re.search(rf"Seq Scan on {table}\b", plan):
                    seq_scans.add(table)
    return len(sql), timings, floor, seq_scans


def timed(function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def logged_in_client(user, membership=None):
    """A test client logged in as `user`, acting for `membership` when given (staff)."""
    from django.test import Client

    from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY

    client = Client()
    client.force_login(user)
    if membership is not None:
        session = client.session
        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
        session.save()
    return client


def largest_operator_and_busiest_counsellor():
    """The operator with the most people, and its counsellor with the most open parcours: what
    the benches measure. Reads every operator: call it inside scopes_disabled()."""
    from django.db.models import Count

    from cep.models import Membership, Operator, Parcours

    largest = Operator.objects.annotate(people=Count("beneficiaries")).order_by("-people").first()
    if largest is None:
        return None, None
    busiest = (
        Parcours.objects.filter(operator=largest, closed_on=None)
        .exclude(referent=None)
        .values("referent")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return largest, Membership.objects.get(pk=busiest["referent"])
