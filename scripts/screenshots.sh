#!/usr/bin/env bash
# Regenerate the README's screenshots: run the browser tests (which save them to artifacts/),
# then copy them to docs/screenshots/, which the README links to.
set -euo pipefail
cd "$(dirname "$0")/.."
# CI=true: a missing chromium (or corpus, or npm asset) fails the run instead of skipping the
# tests, which would leave the previous run's images in artifacts/ to be copied as if new.
CI=true .venv/bin/python -m pytest -q tests/web/test_explorer.py tests/web/test_explorer_scale.py \
  tests/web/test_explorer_size.py tests/web/test_playground.py tests/web/test_new_user.py
cp artifacts/explorer-*.png artifacts/playground-real.png artifacts/playground-example.png \
  artifacts/new-user-readme-example.png docs/screenshots/
echo "screenshots in docs/screenshots/"
