#!/usr/bin/env bash
# Time the creation of the project environment from requirements/core.lock, pip against uv,
# each in a new folder with an empty download cache. Prints one line per installer.
# Usage: bash benchmarks/bench_environment.sh   (needs the package registry; takes about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lock=requirements/core.lock

t0=$(date +%s.%N)
python3 -m venv "$work/pip-venv"
"$work/pip-venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
    --require-hashes -r "$lock" 2>/dev/null
t1=$(date +%s.%N)
printf 'pip: %.1f s (venv + pip install --require-hashes, no cache)\n' "$(python3 -c "print($t1 - $t0)")"

t0=$(date +%s.%N)
python3 -m venv --without-pip "$work/uv-venv"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-cache-dir \
    --target "$work/uv" uv==0.13.8 2>/dev/null
UV_CACHE_DIR="$work/uv-cache" "$work/uv/bin/uv" pip sync --quiet --python "$work/uv-venv/bin/python" \
    --require-hashes "$lock"
t1=$(date +%s.%N)
printf 'uv: %.1f s (venv + uv from PyPI + uv pip sync --require-hashes, empty cache)\n' "$(python3 -c "print($t1 - $t0)")"
