#!/bin/sh
# Aftercare compose stack: create / upgrade Temporal's PostgreSQL schemas (persistence + visibility).
# Run once per `docker compose up` by the one-shot `temporal-schema` service (temporalio/admin-tools image,
# which ships temporal-sql-tool and the schema files). Every step is idempotent: an existing database is
# kept, `setup-schema -v 0.0` is skipped once a schema is versioned, and `update-schema` only applies the
# versions the database doesn't have yet — so the same job also upgrades the schema when the image tag
# is bumped. The server service starts only after this job exits 0.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required (the PostgreSQL host)}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required (read by temporal-sql-tool)}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"
SLEEP_SECONDS="${SETUP_SLEEP_SECONDS:-2}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# compose waits for the pg_isready healthcheck; this loop covers a slow first init or a manual run.
attempt=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "setup-schema: PostgreSQL at $POSTGRES_SEEDS:$DB_PORT not reachable after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

setup_db() { # setup_db <database> <schema subdirectory>
  echo "setup-schema: $1 ($2)"
  sql_tool --db "$1" create
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

setup_db "$DBNAME" temporal
setup_db "$VISIBILITY_DBNAME" visibility
echo "setup-schema: done"
