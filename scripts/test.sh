#!/usr/bin/env bash
# The whole test suite: on SQLite, then on PostgreSQL. Installs what the tests need first.
set -uo pipefail
cd "$(dirname "$0")/.."
WITH_DEV=1 bash scripts/setup.sh || exit 1
CI=${CI:-}
is_ci() { [ "${CI,,}" = "true" ] || [ "$CI" = "1" ]; }

# Debian's Chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "Could not install chromium." >&2
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# Debian's Dovecot for the IMAP tests of the email channel (the tests start their own instance).
if [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's dovecot-imapd for the email tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-lmtpd >/dev/null) \
      || echo "Could not install dovecot." >&2
  elif command -v sudo >/dev/null 2>&1; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-lmtpd >/dev/null
  fi
fi

PG_URL=${FRONTDESK_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/frontdesk}
REDIS_URL=${FRONTDESK_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
export FRONTDESK_TEST_REDIS_URL=$REDIS_URL

if .venv/bin/python - "$REDIS_URL" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()
except Exception:
    sys.exit(1)
PY
then
  export FRONTDESK_TEST_REDIS_AVAILABLE=1
else
  if is_ci; then echo "CI: Redis at $REDIS_URL does not answer; it is required." >&2; exit 1; fi
  echo "Redis at $REDIS_URL does not answer: the tests that need Redis are skipped."
fi

# Independent tests run in parallel, one pytest-xdist worker per core (FRONTDESK_TEST_WORKERS, 0 for
# one process); each worker has its own database, var dir and ports. Whole files go to one worker.
workers=${FRONTDESK_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
parallel=()
[ "$workers" != "0" ] && parallel=(-n "$workers" --dist loadfile)

if .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg, dj_database_url
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                    password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
then
  postgres=1
else
  postgres=0
fi
export FRONTDESK_TEST_POSTGRES_PASS=$postgres  # the SQLite pass says loudly when no PostgreSQL pass follows

status=0
echo "== tests on SQLite =="
.venv/bin/python -m pytest "${parallel[@]}" "$@" || status=$?

if [ "$postgres" = "1" ]
then
  echo "== tests on PostgreSQL ($PG_URL) =="
  FRONTDESK_TEST_DATABASE_URL=$PG_URL .venv/bin/python -m pytest "${parallel[@]}" "$@" || status=$?
else
  if is_ci; then echo "CI: PostgreSQL at $PG_URL does not answer; it is required." >&2; exit 1; fi
  echo "PostgreSQL at $PG_URL does not answer: the PostgreSQL pass is skipped (set FRONTDESK_TEST_DATABASE_URL)."
fi
exit $status
