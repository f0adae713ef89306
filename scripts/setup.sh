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
# `npm ci` installs exactly the lockfile; only when package.json names other dependencies than the lockfile
# (someone added or bumped one) does `npm install` resolve them and rewrite the lockfile, to be committed.
vendor=frontdesk/static/vendor
lock_matches() {
  node -e 'const p = require("./package.json"), l = require("./package-lock.json");
    const root = l.packages[""] || {}, same = (a, b) => JSON.stringify(a || {}) === JSON.stringify(b || {});
    process.exit(same(p.dependencies, root.dependencies) && same(p.devDependencies, root.devDependencies) ? 0 : 1)'
}
if [ ! -f "$vendor/htmx.min.js" ] || [ package-lock.json -nt "$vendor/htmx.min.js" ] || [ package.json -nt "$vendor/htmx.min.js" ] \
   || [ ! -f "$vendor/icons/.copied" ] || [ package.json -nt "$vendor/icons/.copied" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed for the front-end assets: apt-get install npm" >&2
    exit 1
  fi
  if lock_matches; then
    npm ci --silent --no-audit --no-fund
  else
    echo "package.json changed its dependencies: npm install updates package-lock.json (commit it)." >&2
    npm install --silent --no-audit --no-fund
  fi
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
  # Only the icons the pages use (package.json "frontdeskIcons"), so static/ stays small.
  rm -rf "$vendor/icons" && mkdir -p "$vendor/icons"
  for name in $(node -e 'console.log(require("./package.json").frontdeskIcons.names.join("\n"))'); do
    cp "node_modules/lucide-static/icons/$name.svg" "$vendor/icons/$name.svg" \
      || { echo "lucide-static has no icon named $name" >&2; exit 1; }
  done
  cp node_modules/lucide-static/LICENSE "$vendor/icons/LICENSE" 2>/dev/null || true
  touch "$vendor/htmx.min.js" "$vendor/icons/.copied"
fi
