#!/bin/sh
# One-shot: creates (or upgrades) Temporal's two databases in the compose stack's PostgreSQL.
# Runs in temporalio/admin-tools; idempotent, so it runs on every `docker compose up`.
set -eu
DB_HOST=${POSTGRES_SEEDS:-postgres}
until nc -z -w 5 "$DB_HOST" 5432; do echo "waiting for PostgreSQL at $DB_HOST:5432"; sleep 2; done
for db in temporal temporal_visibility; do
  case $db in temporal) dir=temporal ;; *) dir=visibility ;; esac
  temporal-sql-tool --plugin postgres12 --ep "$DB_HOST" -u "$POSTGRES_USER" -p 5432 --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep "$DB_HOST" -u "$POSTGRES_USER" -p 5432 --db "$db" setup-schema -v 0.0 || true
  temporal-sql-tool --plugin postgres12 --ep "$DB_HOST" -u "$POSTGRES_USER" -p 5432 --db "$db" \
    update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
echo "Temporal schemas are up to date"
