#!/usr/bin/env bash
# The whole test suite: lint, migrations check, pytest against real PostgreSQL and Redis.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_system_packages
start_postgres || { warn "PostgreSQL does not answer on 127.0.0.1:5432"; exit 1; }
start_redis || { warn "Redis does not answer on 127.0.0.1:6379"; exit 1; }
ensure_venv

export DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API inside live_server
unset DEBUG CELERY_TASK_ALWAYS_EAGER
# The test client and the live server speak plain HTTP; tests/test_deploy_check.py checks the
# production defaults (HTTPS redirect, HSTS) in a process of its own.
export SECURE_SSL_REDIRECT=0
ensure_database "$DATABASE_URL"

say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "dependencies"
"$PY" scripts/audit_dependencies.py
say "migrations"
"$PY" manage.py makemigrations --check --dry-run
say "pytest"
"$VENV/bin/pytest" "$@"
