import io

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from cep.referentials.models import (
    RomeAppellation,
    RomeDomaine,
    RomeGrandDomaine,
    RomeJob,
    RomeJobSkill,
    RomeMobility,
    RomeRelease,
    RomeSkill,
)
from cep.rls import grant_app_role

# The role the suite runs as: it owns no table and is no superuser, so PostgreSQL applies the
# row-level security policies to every query of the tests, as it does in production (cep.rls).
APP_ROLE = "cep_app_test"
APP_ROLE_PASSWORD = "cep_app_test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is created and migrated by its owner; the tests then connect as the
    application's role."""
    owner = {
        "USER": connection.settings_dict["USER"],
        "PASSWORD": connection.settings_dict["PASSWORD"],
    }
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE_PASSWORD}' "
                    "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                )
        # TRUNCATE too: the transactional tests empty the tables between tests.
        grant_app_role(connection, APP_ROLE, allow_truncate=True)
        connection.close()
    as_app = {"USER": APP_ROLE, "PASSWORD": APP_ROLE_PASSWORD}
    settings.DATABASES["default"].update(as_app)
    connection.settings_dict.update(as_app)
    settings.DATABASE_OWNER = owner
    yield
    with django_db_blocker.unblock():
        connection.close()
    settings.DATABASES["default"].update(owner)
    connection.settings_dict.update(owner)


@pytest.fixture
def owner_cursor(transactional_db):
    """A connection of the tables' owner, for what only the owner may do (tests playing
    someone who holds those rights). It sees committed rows only: the test is transactional."""
    s = connection.settings_dict
    with (
        psycopg.connect(
            host=s["HOST"],
            port=s["PORT"] or 5432,
            dbname=s["NAME"],
            user=settings.DATABASE_OWNER["USER"],
            password=settings.DATABASE_OWNER["PASSWORD"],
            autocommit=True,
        ) as owner,
        owner.cursor() as cursor,
    ):
        yield cursor


def pytest_addoption(parser):
    parser.addoption(
        "--drills", action="store_true", help="run the failure drills (long; they restart Redis)"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--drills"):
        return
    skip = pytest.mark.skip(reason="failure drill: run with --drills")
    for item in items:
        if item.get_closest_marker("drills"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _scopes_disabled_for_test_setup(request):
    """Test set-up code reads and writes across operators freely.

    A request made through the test client still runs inside the operator scope the middleware
    activates (an inner scope re-enables scoping), so views stay under test. Tests about the scope
    itself are marked ``scoped`` and run without this wrapper.
    """
    if request.node.get_closest_marker("scoped"):
        yield
        return
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _celery_tasks_in_process(request):
    """Tests of services run Celery tasks in-process; tests of the pipeline itself (marked
    `celery_worker`) send them through Redis to a real worker instead."""
    from cep.celery import app

    eager = not request.node.get_closest_marker("celery_worker")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files (synthèse PDFs) in its own folder, so counting files means
    something and nothing lands in the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """Requests of the test client are plain HTTP: no redirect to HTTPS (the production default,
    checked by tests/test_deploy_check.py)."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fresh_home_alerts(settings):
    """Tests see a change on the next page they open: the home alerts' cache is off, except
    in the test of that cache."""
    settings.HOME_ALERTS_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (Redis, its own database) holds login-failure counts: none cross tests."""
    from django.core.cache import cache

    yield
    cache.clear()


@pytest.fixture
def login_as(client):
    """Log the test client in as the user of a membership, acting for its operator."""
    from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
    from tests.second_factor import verify_second_factor

    def _login(membership):
        client.force_login(membership.user)
        session = client.session
        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
        verify_second_factor(session, membership.user)
        session.save()
        return client

    return _login


ROME_MODELS = [
    RomeJobSkill,
    RomeMobility,
    RomeAppellation,
    RomeSkill,
    RomeJob,
    RomeDomaine,
    RomeGrandDomaine,
    RomeRelease,
]


@pytest.fixture(scope="session")
def rome_release(django_db_setup, django_db_blocker) -> str:
    """The shipped release, loaded once for the session (about 8 s) and committed; tests run on
    top of it in their own rolled-back transactions. Returns the command's output."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("import_rome", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        for model in ROME_MODELS:
            model.objects.all().delete()


@pytest.fixture
def rome(rome_release, db) -> str:
    return rome_release
