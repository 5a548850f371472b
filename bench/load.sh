#!/usr/bin/env bash
# Load test: the platform under gunicorn (2 workers, DEBUG off) on loopback, loaded by wrk from a
# second process, bounded in time: the caseload page of a counsellor (browser session) and the
# API beneficiary list (token). Run it against the national-scale database of bench/run.py:
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepscale bash bench/load.sh [seconds]
#
# It prints requests per second and the latency percentiles (median, p95, p99) of each.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-20}"
PORT=8099
: "${DATABASE_URL:?set DATABASE_URL to the generated database}"
command -v wrk >/dev/null || apt_install wrk
export SECRET_KEY="load-test-$(date +%s)" DEBUG=0 ALLOWED_HOSTS=127.0.0.1 CACHE_URL=locmem://
export SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0  # plain HTTP on loopback
"$PY" manage.py collectstatic --noinput -v0

# A counsellor of the largest operator with a full caseload: a session and an API token.
read -r SESSION TOKEN < <("$PY" manage.py shell -c '
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django_scopes import scopes_disabled
from cep import services
from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from cep.models import Membership, Parcours
with scopes_disabled():
    busiest = (Parcours.objects.filter(closed_on=None).exclude(referent=None)
               .values("referent").annotate(n=Count("pk")).order_by("-n").first())
    member = Membership.objects.select_related("user").get(pk=busiest["referent"])
    session = SessionStore()
    session["_auth_user_id"] = str(member.user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = member.user.get_session_auth_hash()
    session[ACTIVE_MEMBERSHIP_SESSION_KEY] = member.pk
    session.create()
    _, key = services.issue_api_token(membership=member, label="test de charge")
    print(session.session_key, key)
' | tail -n 1)

"$VENV/bin/gunicorn" cep.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" \
  --log-level warning >/tmp/cep-load-gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 40); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/sante/" && break
  sleep 0.25
done

say "caseload page (/beneficiaires/), ${DURATION} s, 8 connections"
wrk -t2 -c8 -d"${DURATION}s" -s bench/p95.lua -H "Cookie: sessionid=$SESSION" \
  "http://127.0.0.1:$PORT/beneficiaires/" | tail -n 2
say "API beneficiary list (/api/v1/beneficiaries/), ${DURATION} s, 8 connections"
wrk -t2 -c8 -d"${DURATION}s" -s bench/p95.lua -H "Authorization: Token $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/beneficiaries/" | tail -n 2
