#!/usr/bin/env bash
# System tools the test suite uses, from Debian's packages: Chromium (browser tests of the rating page and
# the Temporal UI), docker-compose (validates docker-compose.yml offline), shellcheck (deploy scripts) and
# poppler-utils (reads the service report's PDF back) and PostgreSQL (the reporting database's tests run
# against a real server as well as the embedded one).
# Quick when present; a clear message when they cannot be installed.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; } || need+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# CJK glyphs, so screenshots of the Chinese rating page and SMS texts in the UI are readable, and the font
# the service report's PDF is drawn with (src/reports/serviceReport/font.ts).
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# pdftotext / pdftoppm: the service report's PDF test reads its Chinese text back (proves the CJK font is
# embedded with a ToUnicode map) and keeps its first page as a PNG.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# postgres/initdb of any version (test/support/postgres.ts starts a throwaway cluster from them).
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "provision-system: please install ${need[*]} (Debian/Ubuntu: apt-get install -y ${need[*]})" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "provision-system: installing ${need[*]} …" >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
