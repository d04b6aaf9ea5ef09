#!/usr/bin/env bash
# The whole test suite: lint, format, types, import layers, then pytest (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";          ruff check graphsvc tests bench
echo "== ruff format";   ruff format --check graphsvc tests bench
echo "== mypy --strict"; mypy
echo "== import layers"; lint-imports
echo "== pytest";        python -m pytest "$@"
