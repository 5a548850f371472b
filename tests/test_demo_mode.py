"""The demo runs without PostgreSQL: seed_demo on the SQLite fallback, then the caseload opens."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OPEN_CASELOAD = """
from django.test import Client
client = Client()
response = client.post("/connexion/", {"username": "claire.martin", "password": "demo-cep-2026!"})
assert response.status_code == 302, response.status_code
page = client.get(response.url, follow=True)
html = page.content.decode()
print("status", page.status_code, "rows", html.count('href="/beneficiaires/') - 1)
print("heading", "Mon portefeuille" in html)
found = client.get("/recherche/", {"q": "martin"})
print("search", found.status_code, "Bénéficiaires (" in found.content.decode())
"""


def run(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_seed_demo_and_caseload_on_sqlite_fallback(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        CEP_SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
        DEBUG="1",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    run(["migrate", "--no-input"], env)
    first = run(["seed_demo"], env).stdout
    assert "claire.martin" in first and "demo-cep-2026!" in first
    run(["seed_demo"], env)  # idempotent: a second run adds nothing
    counted = run(
        [
            "shell",
            "-c",
            "from django_scopes import scopes_disabled\n"
            "from cep.models import Beneficiary\n"
            "with scopes_disabled(): print(Beneficiary.objects.count())",
        ],
        env,
    ).stdout.splitlines()[-1]
    # 70 + 40 + 60 + 30 beneficiaries in the four operators, plus 6 intakes each at level 1,
    # plus the two files of one person that the managers' list of likely duplicates shows.
    assert counted == "226"
    assert (tmp_path / "demo.sqlite3").exists()

    out = run(["shell", "-c", OPEN_CASELOAD], env).stdout
    assert "search 200 True" in out  # the header search on SQLite (a substring, no trigram)
    words = out.splitlines()[-3].split()
    status, rows = words[1], int(words[3])
    assert status == "200"
    assert rows >= 1
    assert "heading True" in out
