#!/usr/bin/env bash
# The whole test suite: lint, migrations check, pytest against real PostgreSQL and Redis.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# --clock "2028-12-31 23:30": the whole pytest run under Debian's faketime, the clock starting at
# that moment of Europe/Paris (the platform's zone) and ticking on. The suite must pass on any day.
CLOCK=""
if [ "${1:-}" = "--clock" ]; then
  CLOCK="${2:?--clock needs a date, e.g. --clock \"2028-12-31 23:30\"}"
  CLOCK="${CLOCK% Europe/Paris}"
  shift 2
fi

ensure_system_packages
start_postgres || { warn "PostgreSQL does not answer on 127.0.0.1:5432"; exit 1; }
start_redis || { warn "Redis does not answer on 127.0.0.1:6379"; exit 1; }
ensure_venv

export DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}"
# The suite's own Redis databases, queue and media folder, whatever the platform's environment
# says: `make run` may be serving from the same Redis server meanwhile (README, Two commands).
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/10}"
export CACHE_URL="${TEST_CACHE_URL:-redis://127.0.0.1:6379/11}"
export CELERY_QUEUE="${TEST_CELERY_QUEUE:-cep-tests}"
MEDIA_ROOT="$(mktemp -d -t cep-test-media.XXXXXX)"
export MEDIA_ROOT
trap 'rm -rf "$MEDIA_ROOT"' EXIT
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
say "layering (import-linter)"
"$VENV/bin/lint-imports" --no-cache
say "types (mypy)"
# The files and the rules are in pyproject.toml [tool.mypy]; its cache in var/mypy (ignored).
"$VENV/bin/mypy"
say "migrations"
"$PY" manage.py makemigrations --check --dry-run
if [ -n "$CLOCK" ]; then
  target=$(TZ=Europe/Paris date -d "$CLOCK" '+%s') \
    || { warn "--clock: cannot read the date '$CLOCK'"; exit 2; }
  say "pytest, the clock at $(TZ=Europe/Paris date -d "@$target" '+%Y-%m-%d %H:%M') Europe/Paris (faketime)"
  # An offset rather than a start point: the Celery worker and the live server that the tests
  # start later inherit it, so every process of the run reads the same shifted clock, ticking
  # at the real rate (waits and timeouts measure real time). The monotonic clock is shifted
  # too: with it left alone, libfaketime 0.9.10 makes Python's sleep fail with EINVAL.
  offset=$((target - $(date '+%s')))
  [ "$offset" -ge 0 ] && offset="+$offset"
  TZ=Europe/Paris faketime -f "$offset" "$VENV/bin/pytest" "$@"
else
  say "pytest"
  "$VENV/bin/pytest" "$@"
fi
