#!/usr/bin/env bash
# Start a local PostgreSQL for the ledger tests (Debian's package; idempotent).
# Prints the SQLAlchemy URL of a database the tests may use (LEDGER_TEST_DATABASE names it: suites run side by side
# in several checkouts each use their own).
set -euo pipefail
database=${LEDGER_TEST_DATABASE:-ledger_test}
case "$database" in *[!a-z0-9_]*|"") echo "LEDGER_TEST_DATABASE must be lowercase letters, digits and _" >&2; exit 1;; esac
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is not installed and this is not root; install 'postgresql'" >&2; exit 1; fi
  (apt-get install -y -q postgresql >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null))
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 50); do pg_isready -q && break; sleep 0.2; done
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres psql -q -tAc "SELECT 1 FROM pg_roles WHERE rolname='ledger'" | grep -q 1 \
  || as_postgres psql -q -c "CREATE ROLE ledger LOGIN PASSWORD 'ledger' CREATEDB" >/dev/null
as_postgres psql -q -tAc "SELECT 1 FROM pg_database WHERE datname='$database'" | grep -q 1 \
  || as_postgres createdb -O ledger "$database"
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
echo "postgresql+psycopg://ledger:ledger@127.0.0.1:${port}/${database}"
