#!/usr/bin/env bash
# A Dask scheduler for `govcheck inspect --cluster tcp://THIS_HOST:8786` (scripts/cluster.md).
# The lock lease settings match govcheck.inspect.cluster.DASK_CONFIG: a dead worker's host locks return
# to the cluster after 10 s.
set -euo pipefail
export DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_TIMEOUT="${DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_TIMEOUT:-10s}"
export DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL="${DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL:-2s}"
PY="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
[ -x "$PY" ] || PY=python3
exec "$PY" -m distributed.cli.dask_scheduler --host "${HOST:-0.0.0.0}" --port "${PORT:-8786}" \
    --dashboard-address "${DASHBOARD:-:8787}" "$@"
