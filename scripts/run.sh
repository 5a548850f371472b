#!/usr/bin/env bash
# Runs the platform on one machine: dependencies, database, demo data, web server and worker.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv
export DEBUG="${DEBUG:-1}"
# The demo accounts open with their password alone; production asks managers a second factor.
export TWO_FACTOR_REQUIRED="${TWO_FACTOR_REQUIRED:-0}"
mkdir -p var

# The tables belong to the role that migrates; the platform itself connects as a role that owns
# nothing, so PostgreSQL's row-level security applies to it (as in production).
OWNER_URL=""
if [ -z "${DATABASE_URL:-}" ]; then
  if (pg_answers || start_postgres) && ensure_database "$PG_URL_DEFAULT"; then
    OWNER_URL="$PG_URL_DEFAULT"
    export DATABASE_APP_ROLE="${DATABASE_APP_ROLE:-cep_app}"
    export DATABASE_APP_PASSWORD="${DATABASE_APP_PASSWORD:-cep_app}"
    export DATABASE_URL="postgres://$DATABASE_APP_ROLE:$DATABASE_APP_PASSWORD@127.0.0.1:5432/cep"
    say "PostgreSQL: $DATABASE_URL (tables owned by the role of $OWNER_URL)"
  else
    warn "no PostgreSQL answers: falling back to the SQLite file var/demo.sqlite3 (demo only)"
  fi
fi

WORKER_PID=""
if redis_answers || start_redis; then
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  say "Redis: $REDIS_URL — starting a Celery worker"
else
  warn "no Redis answers: background tasks run in-process (CELERY_TASK_ALWAYS_EAGER)"
  export CELERY_TASK_ALWAYS_EAGER=1
  export CACHE_URL="locmem://"
fi

if [ -n "$OWNER_URL" ]; then
  DATABASE_URL="$OWNER_URL" "$PY" manage.py setup_app_role
  DATABASE_URL="$OWNER_URL" "$PY" manage.py migrate --no-input
else
  "$PY" manage.py migrate --no-input
fi
"$PY" manage.py seed_demo

if [ -z "${CELERY_TASK_ALWAYS_EAGER:-}" ]; then
  "$VENV/bin/celery" -A cep worker --beat -s var/celerybeat-schedule -l warning --concurrency 2 &
  WORKER_PID=$!
  trap '[ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null' EXIT
fi
say "http://127.0.0.1:8000/ — Ctrl+C to stop"
"$PY" manage.py runserver 127.0.0.1:8000
