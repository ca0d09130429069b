#!/usr/bin/env bash
# Tries tenantd on PostgreSQL with one command: starts a throwaway local PostgreSQL 15 (Debian's
# postgresql-15; a new cluster in a temp dir, 127.0.0.1 on a free port, durable settings), creates
# the database `tenantd`, runs `tenantd migrate` and serves the API with STORE=postgres like
# scripts/run.sh (extra arguments go to `tenantd serve`). Ctrl-C stops the server, and the
# cluster with its data is removed. For a PostgreSQL of your own, see README.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

python_bin=$(scripts/setup.sh --print-python | tail -n 1)
cmake --preset release -DPython3_EXECUTABLE="$python_bin" >/dev/null
cmake --build --preset release -j "$(nproc)" --target tenantd

bin=build/release/tenantd
data_dir=./var/postgres-run
state=$(mktemp -d /tmp/tenantd-run-pg.XXXXXX)
mkdir -p "$data_dir"
stop_postgres() {
  python3 tests/postgres/postgres_server.py stop "$state" >/dev/null || true
  rm -rf "$state"
}
trap stop_postgres EXIT

TENANTD_PG_DURABLE=1 python3 tests/postgres/postgres_server.py start "$state"
DATABASE_URL=$(python3 tests/postgres/postgres_server.py createdb "$state" tenantd)
export STORE=postgres DATABASE_URL
"$bin" migrate
token=$("$bin" token --email admin@example.com --groups platform-admins --data-dir "$data_dir")

cat <<MSG

PostgreSQL: $DATABASE_URL (psql "$DATABASE_URL" to look at the tables)
A platform-admin token (valid for an hour):

  export TOKEN='$token'
  curl -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:${PORT:-8080}/v1.0/tenants

Stop: Ctrl-C (removes the cluster)

MSG
"$bin" serve --data-dir "$data_dir" "$@"
