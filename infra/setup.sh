#!/bin/sh
# Installs what the project needs and is missing: node modules (from the lock
# file) and a project-local Python virtual environment with the Temporal CLI
# and test server. Does nothing when both are current. All output goes to
# stderr so that `npm run demo -- --json` keeps stdout for JSON.
set -eu
cd "$(dirname "$0")/.."
exec 1>&2

lock_stamp=node_modules/.fullcycle-lock.sha256
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_hash" ]; then
  echo "setup: installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$lock_stamp"
fi

venv=.venv
requirements=infra/requirements-temporal.txt
venv_stamp=$venv/.fullcycle-requirements.sha256
requirements_hash=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -f "$venv_stamp" ] || [ "$(cat "$venv_stamp")" != "$requirements_hash" ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: python3 not found; the Temporal SDK will try its own server download instead"
    exit 0
  fi
  echo "setup: installing the Temporal CLI and test server into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$requirements"
  echo "$requirements_hash" > "$venv_stamp"
fi
