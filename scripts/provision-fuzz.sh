#!/usr/bin/env bash
# Installs Schemathesis, the schema-driven fuzzer that test/e2e/openapi-fuzz.test.ts runs against the served OpenAPI
# document, from PyPI into a git-ignored venv, .temporal/fuzz/venv: the version and every dependency pinned in
# scripts/fuzz-requirements.txt. Run by `npm test` (npm run provision:system); idempotent and quick when current.
set -euo pipefail
cd "$(dirname "$0")/.."

REQS="scripts/fuzz-requirements.txt"
DIR=".temporal/fuzz"
VENV="$DIR/venv"
STAMP="$DIR/installed"
wanted="$(sha256sum "$REQS" | cut -d' ' -f1)"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -x "$VENV/bin/st" ]; then
  exit 0
fi

PY="${PYTHON:-$(command -v python3 || command -v python || true)}"
if [ -z "$PY" ]; then
  echo "provision-fuzz: python3 (with venv and pip) is needed to install Schemathesis from PyPI." >&2
  echo "  Debian/Ubuntu: apt-get install -y python3 python3-venv" >&2
  exit 1
fi

echo "provision-fuzz: installing $(grep -m1 '^schemathesis==' "$REQS") into $VENV …" >&2
rm -rf "$VENV" "$STAMP"
mkdir -p "$DIR"
"$PY" -m venv "$VENV" || { echo "provision-fuzz: '$PY -m venv' failed; install python3-venv." >&2; exit 1; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQS" || {
  echo "provision-fuzz: pip could not install $REQS (is PyPI reachable?)." >&2; exit 1; }
"$VENV/bin/pip" check --disable-pip-version-check >/dev/null || { echo "provision-fuzz: broken dependencies after install" >&2; exit 1; }
[ -x "$VENV/bin/st" ] || { echo "provision-fuzz: st missing after install" >&2; exit 1; }
echo "$wanted" > "$STAMP"
echo "provision-fuzz: ok ($("$VENV/bin/st" --version))" >&2
