#!/usr/bin/env bash
# Creates .venv, installs Frontdesk (with the test tools when WITH_DEV=1) and the front-end assets.
# Idempotent: a second run only does what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
extras=""
[ "${WITH_DEV:-0}" = "1" ] && extras="[dev]"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Frontdesk needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || { echo "Could not create .venv: install python3-venv (apt-get install python3-venv)." >&2; exit 1; }
fi
# Python packages come from the lock files (exact versions with hashes, `make lock` regenerates
# them from pyproject.toml's ranges), so two clones install the same code.
requirements=requirements/base.txt
[ -n "$extras" ] && requirements=requirements/dev.txt
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes -r requirements/build.txt
  .venv/bin/python -m pip install --quiet --require-hashes -r "$requirements"
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

# Front-end assets come from the npm registry with the committed lockfile; nothing from a CDN at run time.
vendor=frontdesk/static/vendor
if [ ! -f "$vendor/htmx.min.js" ] || [ package-lock.json -nt "$vendor/htmx.min.js" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed for the front-end assets: apt-get install npm" >&2
    exit 1
  fi
  npm ci --silent --no-audit --no-fund
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
fi
