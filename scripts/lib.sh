# Shared steps of scripts/run.sh and scripts/test.sh: find or start services, build the venv.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PG_URL_DEFAULT="postgres://postgres:postgres@127.0.0.1:5432/cep"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m!!  %s\033[0m\n' "$*" >&2; }

APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    warn "missing system packages ($*): install them with apt-get as root"
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Packages the tests need: Chromium for the browser tests, HarfBuzz subsetting and Pango for
# WeasyPrint, poppler-utils to read PDFs back, the two services, and faketime for --clock.
ensure_system_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
  ldconfig -p | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  [ -d /etc/postgresql ] || command -v postgres >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v faketime >/dev/null || missing+=(faketime)  # scripts/test.sh --clock
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || true
  fi
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_answers() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

start_postgres() {
  pg_answers && return 0
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 20); do pg_answers && return 0; sleep 0.5; done
  fi
  return 1
}

start_redis() {
  redis_answers && return 0
  if command -v redis-server >/dev/null; then
    say "starting Redis"
    mkdir -p /tmp/cep-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/cep-redis --logfile /tmp/cep-redis/redis.log || true
    for _ in $(seq 1 20); do redis_answers && return 0; sleep 0.25; done
  fi
  return 1
}

# A freshly installed PostgreSQL asks a password on TCP: give the postgres role the one the
# default URL carries (local trust setups ignore it).
ensure_database() {
  local url="$1"
  if ! "$PY" - "$url" <<'PYEOF' 2>/dev/null
import sys, psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
conn = psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username,
                       password=u.password, dbname="postgres", autocommit=True)
name = u.path.lstrip("/")
if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
    conn.execute(f'create database "{name}"')
PYEOF
  then
    if [ "$(id -u)" = "0" ] && id postgres >/dev/null 2>&1; then
      su postgres -c "psql -q -c \"alter user postgres password 'postgres'\"" >/dev/null
      "$PY" - "$url" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
conn = psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username,
                       password=u.password, dbname="postgres", autocommit=True)
name = u.path.lstrip("/")
if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
    conn.execute(f'create database "{name}"')
PYEOF
    else
      return 1
    fi
  fi
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    say "creating .venv"
    local python=python3.11
    command -v "$python" >/dev/null || python=python3
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256" wanted
  wanted=$(sha256sum "$ROOT/requirements.lock" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing Python dependencies (requirements.lock)"
    "$PY" -m pip install -q --upgrade pip 2>&1 | grep -v WARNING || true
    "$PY" -m pip install -q -r "$ROOT/requirements.lock" 2>&1 | grep -v WARNING || true
    "$PY" -c "import django, rest_framework, celery, weasyprint, playwright, pytest" \
      || { warn "dependency installation failed"; return 1; }
    echo "$wanted" >"$stamp"
  fi
}
