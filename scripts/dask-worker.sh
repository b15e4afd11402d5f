#!/usr/bin/env bash
# Dask workers for govcheck site tasks: bash scripts/dask-worker.sh tcp://SCHEDULER:8786 [--nworkers N]
# One thread per worker process (a site task is CPU-bound while it reads pages); not daemonic, because the
# page readers (collect.parse.ParsePool) are child processes of the worker.
set -euo pipefail
[ $# -ge 1 ] || { echo "用法：$0 tcp://调度器主机:8786 [--nworkers N]" >&2; exit 2; }
export DASK_DISTRIBUTED__WORKER__DAEMON=False
PY="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
[ -x "$PY" ] || PY=python3
exec "$PY" -m distributed.cli.dask_worker "$1" --nthreads 1 "${@:2}"
