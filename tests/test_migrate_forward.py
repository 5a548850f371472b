"""The core redesign keeps every row: models of `cep` moved to the `space`, `continuity` and
`referentials` apps (67ecd47) with their tables, by state-only migrations.

A scratch database of its own (on the suite's server, dropped at the end: the suite's database is
not touched) is migrated and filled with the demo by the code of just before the redesign
(96fd9b9, taken from git history), then migrated to head by today's code. Every table keeps its
rows, the content types keep their ids and follow their models to the new apps, the object
permission of the demo's pending transfer still answers, and the row-level security policies are
still there.
"""

import json
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg
import pytest
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "migration_probe.py"
BEFORE_REDESIGN = "96fd9b90cfdce45dee538bf97ec0223d569e2fe9"

# The redesign's migrations: the only ones between 96fd9b9's schema and head.
REDESIGN = {
    ("cep", "0015_topics_move_to_their_apps"),
    ("conseil", "0005_rome_in_referentials_app"),
    ("space", "0001_space_tables_from_cep"),
    ("continuity", "0001_transfer_tables_from_cep"),
    ("referentials", "0001_rome_tables_from_cep"),
}
# Migrations added after the redesign (the transfer workflow, issue 20): not state-only, they are
# applied after the redesign's have been checked, and must lose no row.
LATER: set[tuple[str, str]] = {
    ("continuity", "0002_accepted_before_sending"),
    ("accueil", "0007_routing_transfer"),
    ("accueil", "0008_platform_routings_become_transfers"),
    ("accueil", "0009_routing_without_its_own_consent"),
    # Issue 20: the end of a parcours, one file per person.
    ("cep", "0016_parcours_end"),
    ("closure", "0001_end_of_parcours"),
    ("cep", "0016_duplicates_keys_and_merge"),
    ("duplicates", "0001_initial"),
    ("duplicates", "0002_candidates_function"),
    ("cep", "0017_merge_end_and_duplicates"),
    # Issue 20, corrections to a draft plan: the history table, the training's own cost line.
    ("accompagnement", "0008_plan_corrections"),
    ("accompagnement", "0009_training_cost_line"),
    ("duplicates", "0003_candidates_function_threshold"),
    # Issue 20, duplicates follow-up: the France Travail identifier and its lookup branch.
    ("cep", "0018_beneficiary_france_travail_id"),
    ("duplicates", "0004_candidates_function_france_travail_id"),
    # Issue 21, the header search: its lookup function and the names' GiST index.
    ("search", "0001_search_function"),
    ("search", "0002_name_gist_index"),
    # Issue 21, the gap by type: each savoir's own ROME category.
    ("referentials", "0002_rome_knowledge_category"),
}

MOVED = {
    "invitation": "space",
    "beneficiaryrequest": "space",
    "transfer": "continuity",
    "transferuserpermission": "continuity",
    "transfergrouppermission": "continuity",
    "transferstatuschange": "continuity",
    "liaisonfile": "continuity",
    "romerelease": "referentials",
    "romegranddomaine": "referentials",
    "romedomaine": "referentials",
    "romejob": "referentials",
    "romeappellation": "referentials",
    "romeskill": "referentials",
    "romejobskill": "referentials",
    "romemobility": "referentials",
}
MOVED_TENANT_TABLES = [
    "cep_invitation",
    "cep_beneficiaryrequest",
    "cep_transfer",
    "cep_transferstatuschange",
    "cep_liaisonfile",
]
# The demo's pending transfer goes to Cap emploi, whose manager decides on it.
REVIEWER, NOT_A_REVIEWER = "marc.durand", "julie.petit"


@pytest.fixture
def scratch_database():
    """An empty database of its own beside the suite's, as the suite's database owner."""
    owner = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"{owner['NAME']}_migrate_forward"
    server = {
        "host": owner["HOST"],
        "port": owner["PORT"] or 5432,
        "user": owner["USER"],
        "password": owner["PASSWORD"],
    }
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # A throwaway database: no need to wait for the disk at every commit of the demo.
        admin.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
        )
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    try:
        yield {"url": url, "connect": lambda: psycopg.connect(**server, dbname=name)}
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def code_before_redesign(into: Path) -> Path:
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{BEFORE_REDESIGN}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.fail(f"commit {BEFORE_REDESIGN} not found: this test needs the git history")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", BEFORE_REDESIGN],
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def run(code: Path, database_url: str, media: Path, *args: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environment.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cep.settings",
        DATABASE_APP_ROLE="",  # the scratch database has no application role
        # Nothing goes to the suite's broker or cache: tasks run in the process.
        CELERY_TASK_ALWAYS_EAGER="1",
        CACHE_URL="locmem://",
        MEDIA_ROOT=str(media),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    done = subprocess.run(
        [sys.executable, *args],
        cwd=code,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{' '.join(args)} in {code}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def probe(code: Path, database_url: str, media: Path, **spec) -> dict:
    out = json.loads(run(code, database_url, media, str(PROBE), json.dumps(spec)).splitlines()[-1])
    assert Path(out["code"]) == code.resolve(), "the probe ran another code tree"
    return out


def snapshot(connection) -> dict:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }
    # Every table naming a permission: users' and groups' rights, guardian's object permissions.
    permission_tables = [
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'permission_id' ORDER BY table_name"
        )
    ]
    granted = {
        table: sorted(
            connection.execute(
                sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
            ).fetchall()
        )
        for table in permission_tables
    }
    policies = {
        (table, policy): (using, check)
        for table, policy, using, check in connection.execute(
            "SELECT c.relname, p.polname, pg_get_expr(p.polqual, p.polrelid), "
            "pg_get_expr(p.polwithcheck, p.polrelid) FROM pg_policy p "
            "JOIN pg_class c ON c.oid = p.polrelid"
        )
    }
    secured = {
        row[0]
        for row in connection.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity"
        )
    }
    return {
        "counts": counts,
        "content_types": {
            pk: (label, model)
            for pk, label, model in connection.execute(
                "SELECT id, app_label, model FROM django_content_type"
            )
        },
        "permissions": sorted(
            connection.execute("SELECT id, content_type_id, codename FROM auth_permission")
        ),
        "granted": granted,
        "policies": policies,
        "secured": secured,
        "applied": set(connection.execute("SELECT app, name FROM django_migrations").fetchall()),
    }


def test_the_redesign_keeps_every_row_permission_and_policy(scratch_database, tmp_path):
    url = scratch_database["url"]
    old_code = code_before_redesign(tmp_path / "code")
    media = tmp_path / "media"

    # The schema and data of before, written by the code of before.
    run(old_code, url, media, "manage.py", "migrate", "--no-input", "-v", "0")
    run(old_code, url, media, "manage.py", "seed_demo")
    old = probe(old_code, url, media, fill=True, label="cep", users=[REVIEWER, NOT_A_REVIEWER])
    with scratch_database["connect"]() as connection:
        before = snapshot(connection)

    # Today's migrations from there: the redesign's, nothing else, and none writes SQL.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert before["applied"] <= set(graph.nodes), "a migration of before is gone"
    assert set(graph.nodes) - before["applied"] == REDESIGN | LATER

    # The redesign's migrations first, alone (each names its app's node).
    for app, name in sorted(REDESIGN):
        run(ROOT, url, media, "manage.py", "migrate", app, name, "--no-input", "-v", "0")
    new = probe(
        ROOT,
        url,
        media,
        label="continuity",
        users=[REVIEWER, NOT_A_REVIEWER],
        sql=sorted(f"{app}.{name}" for app, name in REDESIGN),
    )
    with scratch_database["connect"]() as connection:
        after = snapshot(connection)

    # State only: what sqlmigrate prints for them is comments (RunPython writes no SQL text).
    statements = {
        name: [line for line in lines if line.strip() and not line.strip().startswith("--")]
        for name, lines in new["sql"].items()
    }
    assert statements == {f"{app}.{name}": [] for app, name in REDESIGN}

    # Every table, row for row; the migrations' own table gained the migrations applied.
    counts_before, counts_after = dict(before["counts"]), dict(after["counts"])
    counts_before_migrations = counts_after["django_migrations"]
    applied_count = counts_after.pop("django_migrations") - counts_before.pop("django_migrations")
    assert applied_count == len(REDESIGN)
    assert counts_after == counts_before
    assert len(counts_before) > 60 and sum(counts_before.values()) > 100_000
    moved_tables = [f"cep_{model}" for model in MOVED]
    # Rows to keep in every moved table (the group permissions of transfers are never used).
    assert [t for t in moved_tables if not counts_before[t]] == ["cep_transfergrouppermission"]

    # Content types keep their ids (so permissions and object permissions keep pointing at them)
    # and follow their models; the post_migrate of the migrate run created none beside them.
    moved_ids = {
        pk
        for pk, (label, model) in before["content_types"].items()
        if label == "cep" and model in MOVED
    }
    assert {before["content_types"][pk] for pk in moved_ids} == {("cep", m) for m in MOVED}
    assert after["content_types"] == {
        pk: (MOVED[model], model) if pk in moved_ids else (label, model)
        for pk, (label, model) in before["content_types"].items()
    }
    assert after["permissions"] == before["permissions"]
    assert after["granted"] == before["granted"]
    assert after["granted"]["cep_transferuserpermission"], "the demo's transfer has a reviewer"

    # The review permission granted by the code of before still answers, and only for him.
    expected = {REVIEWER: [True, True], NOT_A_REVIEWER: [False, False]}
    assert old["review"]["answers"] == expected
    assert new["review"] == {"transfer": old["review"]["transfer"], "answers": expected}

    # Row-level security: the same policies, on the moved tables too.
    assert after["policies"] == before["policies"]
    for table in MOVED_TENANT_TABLES:
        assert (table, "cep_operator_rows") in after["policies"]
        assert table in after["secured"]

    # Then everything after the redesign, up to head: no table loses a row.
    run(ROOT, url, media, "manage.py", "migrate", "--no-input", "-v", "0")
    with scratch_database["connect"]() as connection:
        at_head = snapshot(connection)
    counts_head = dict(at_head["counts"])
    assert counts_head.pop("django_migrations") - counts_before_migrations == len(LATER)
    assert [t for t, n in counts_after.items() if counts_head.get(t, 0) < n] == []
    assert counts_head["accueil_routing"] == counts_after["accueil_routing"]
    # The demo of before typed its training's cost again as a "formation" line (6 200 € less
    # 800 € after VAE: 5 400 €): the pair is now one line that follows the training.
    with scratch_database["connect"]() as connection:
        linked = connection.execute(
            "SELECT l.amount, t.cost - t.vae_reduction FROM accompagnement_costline l "
            "JOIN accompagnement_trainingpath t ON t.id = l.training_id"
        ).fetchall()
    assert linked and all(amount == net for amount, net in linked), linked
