#!/usr/bin/env bash
# Start a local PostgreSQL (Debian package) for the tests and print the URL they use.
# Idempotent; run as root. Usage: eval "$(scripts/start-postgres.sh)"
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
if [ -z "$ver" ]; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$ver" main >&2
fi
pg_ctlcluster "$ver" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='govcheck'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE govcheck LOGIN PASSWORD 'govcheck' CREATEDB\"" >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='govcheck_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O govcheck govcheck_test" >&2
echo "export GOVCHECK_TEST_PG_URL=postgresql+psycopg://govcheck:govcheck@127.0.0.1:5432/govcheck_test"
