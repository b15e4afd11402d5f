#!/bin/sh
# Makes .venv in the checkout and installs govcheck into it (editable), with the extras named as
# arguments (e.g. `test`). Idempotent. Usage: bash scripts/venv.sh [EXTRA ...]
#
# Debian 12 and Ubuntu refuse `pip install` into the system Python (externally-managed-environment), so
# govcheck lives in a virtual environment. Where python3-venv (ensurepip) is missing too, the venv is
# made without pip and the system's pip installs into it (pip --python, pip >= 22.3).
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
spec="."
if [ "$#" -gt 0 ]; then
    spec=".[$(echo "$@" | tr ' ' ',')]"
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        "$PY" -m venv --without-pip .venv
    fi
fi
if .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
elif "$PY" -m pip --version >/dev/null 2>&1; then
    "$PY" -m pip --python .venv/bin/python install -q --disable-pip-version-check -e "$spec"
else
    echo "scripts/venv.sh: 没有可用的 pip：请先安装 python3-venv 或 python3-pip（Debian/Ubuntu：apt-get install python3-venv）" >&2
    exit 1
fi
echo "govcheck 已安装在 .venv（$(.venv/bin/python --version)）：.venv/bin/govcheck" >&2
