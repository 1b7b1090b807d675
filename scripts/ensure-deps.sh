#!/usr/bin/env bash
# Installs the npm packages on a fresh clone (or after package-lock.json changed), so `npm start` and
# `npm test` are each one command. Quick when node_modules is current.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: installing npm packages (npm ci) …" >&2
  npm ci --no-audit --no-fund
fi
