#!/usr/bin/env bash
# Start a local PostgreSQL (Debian package) for the tests and print the URL they use.
# Idempotent; run as root. Usage: eval "$(scripts/start-postgres.sh)"
# A new cluster takes port 5432, or the next free one when another server already listens there
# (a chroot or container sharing the host's network).
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
if [ -z "$ver" ]; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  port=5432
  while pg_isready -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1; do port=$((port + 1)); done
  pg_createcluster -p "$port" "$ver" main >&2
fi
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"{print $3}')
status=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"{print $4}')
if [ "$status" != "online" ] && pg_isready -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1; then
  # our cluster is down and another server answers on its port: move ours to a free one
  while pg_isready -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1; do port=$((port + 1)); done
  pg_conftool "$ver" main set port "$port" >&2
fi
pg_ctlcluster "$ver" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
psql_() { su postgres -c "psql -p $port $*"; }
psql_ "-qtAc \"SELECT 1 FROM pg_roles WHERE rolname='govcheck'\"" | grep -q 1 ||
  psql_ "-qc \"CREATE ROLE govcheck LOGIN PASSWORD 'govcheck' CREATEDB\"" >&2
psql_ "-qtAc \"SELECT 1 FROM pg_database WHERE datname='govcheck_test'\"" | grep -q 1 ||
  su postgres -c "createdb -p $port -O govcheck govcheck_test" >&2
echo "export GOVCHECK_TEST_PG_URL=postgresql+psycopg://govcheck:govcheck@127.0.0.1:$port/govcheck_test"
