#!/bin/sh
# Aftercare compose stack: one-shot Temporal setup, run by the `temporal-setup` service
# (temporalio/admin-tools image, `temporal` CLI) after the server's port is up.
#   1. waits until the cluster reports SERVING;
#   2. creates the namespace if it is missing (retention NAMESPACE_RETENTION, default 30 days);
#   3. registers Aftercare's custom search attributes (what ops filter on in the Web UI, docs/operations.md).
# Idempotent: existing namespace and attributes are kept; an attribute that exists with another
# type is an error (fix it by hand — renaming a type would break the workflows that set it).
# The worker and the API start only after this exits 0.
#
# Also runs against any reachable server, e.g. a local dev server:
#   TEMPORAL_ADDRESS=127.0.0.1:7233 sh deploy/temporal/setup.sh
set -eu

TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${NAMESPACE:-default}"
NAMESPACE_RETENTION="${NAMESPACE_RETENTION:-720h}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-60}"
SLEEP_SECONDS="${SETUP_SLEEP_SECONDS:-2}"

# One `Name=Type` per line (types as the temporal CLI spells them).
# Must match src/temporal/searchAttributes.ts; test/unit/docker-compose.test.ts checks both.
SEARCH_ATTRIBUTES='
ServiceStatus=Keyword
Urgency=Keyword
RequestType=Keyword
TechnicianId=Keyword
EscalationLevel=Int
BreachedDeadlines=KeywordList
SatisfactionScore=Int
Channel=Keyword
Owner=Keyword
LifecycleVersion=Int
Warranty=Keyword
CustomerKey=Keyword
ProductKey=Keyword
RepeatOf=Keyword
'

log() { echo "temporal-setup: $*"; }

tcli() { # the temporal CLI, pointed at our server
  temporal "$@" --address "$TEMPORAL_ADDRESS"
}

retry() { # retry <what> <command...>: bounded retries, for a server that is still warming up
  what=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      log "$what: gave up after $attempt attempts" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep "$SLEEP_SECONDS"
  done
}

cluster_serving() {
  tcli operator cluster health 2>/dev/null | grep -q SERVING
}

ensure_namespace() {
  if tcli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    log "namespace '$NAMESPACE' exists"
    return 0
  fi
  tcli operator namespace create --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION" &&
    log "namespace '$NAMESPACE' created (retention $NAMESPACE_RETENTION)"
}

# Prints the registered type of search attribute $1 in $NAMESPACE, or nothing.
registered_type() {
  tcli operator search-attribute list --namespace "$NAMESPACE" | awk -v n="$1" '$1 == n { print $2; exit }'
}

ensure_search_attribute() { # ensure_search_attribute <name> <type>
  current=$(registered_type "$1") || return 1
  if [ -z "$current" ]; then
    tcli operator search-attribute create --namespace "$NAMESPACE" --name "$1" --type "$2" >/dev/null || return 1
    current=$(registered_type "$1") || return 1
    [ -n "$current" ] || return 1 # not visible yet: retry
    log "search attribute $1 ($2) registered"
  fi
  if [ "$current" != "$2" ]; then
    log "search attribute $1 is registered as $current, expected $2: remove or rename it by hand" >&2
    exit 2 # not retryable
  fi
}

log "waiting for $TEMPORAL_ADDRESS"
retry "cluster health" cluster_serving
log "cluster is SERVING"
retry "namespace $NAMESPACE" ensure_namespace

for entry in $SEARCH_ATTRIBUTES; do
  retry "search attribute ${entry%%=*}" ensure_search_attribute "${entry%%=*}" "${entry#*=}"
done
log "done"
