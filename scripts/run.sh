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

if [ -z "${DATABASE_URL:-}" ]; then
  if (pg_answers || start_postgres) && ensure_database "$PG_URL_DEFAULT"; then
    export DATABASE_URL="$PG_URL_DEFAULT"
    say "PostgreSQL: $DATABASE_URL"
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

"$PY" manage.py migrate --no-input
"$PY" manage.py seed_demo

if [ -z "${CELERY_TASK_ALWAYS_EAGER:-}" ]; then
  "$VENV/bin/celery" -A cep worker --beat -s var/celerybeat-schedule -l warning --concurrency 2 &
  WORKER_PID=$!
  trap '[ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null' EXIT
fi
say "http://127.0.0.1:8000/ — Ctrl+C to stop"
"$PY" manage.py runserver 127.0.0.1:8000
