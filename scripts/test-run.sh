#!/usr/bin/env bash
# Runs jest with a marker in the environment that every process a test starts inherits (dev and test
# servers, worker and API processes), then fails if any such process outlived the run.
set -uo pipefail
cd "$(dirname "$0")/.."
export AFTERCARE_TEST_RUN="run-$$-$(date +%s)"
npx jest --ci "$@"
rc=$?
sleep 1
left=()
for env in /proc/[0-9]*/environ; do
  pid=${env#/proc/}; pid=${pid%/environ}
  [ "$pid" = "$$" ] && continue
  if { tr "\0" "\n" < "$env"; } 2>/dev/null | grep -qx "AFTERCARE_TEST_RUN=$AFTERCARE_TEST_RUN"; then
    left+=("$pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)")
  fi
done
if [ ${#left[@]} -gt 0 ]; then
  echo "test-run: processes started by the tests are still running:" >&2
  printf '  %s\n' "${left[@]}" >&2
  for l in "${left[@]}"; do kill -9 "${l%% *}" 2>/dev/null; done
  exit 1
fi
echo "test-run: no process started by the tests is left running"
exit $rc
