#!/usr/bin/env bash
# Install graphsvc on a fresh machine into ./.venv, with the playground's npm assets.
#   scripts/install.sh         the service
#   scripts/install.sh --dev   plus the test tools: dev extras, the HTTP audit's npm package,
#                              and Debian's chromium for the browser tests (apt-get, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=false
[ "${1:-}" = "--dev" ] && dev=true

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if $dev; then
  .venv/bin/python -m pip install --quiet -e '.[dev]'
else
  .venv/bin/python -m pip install --quiet -e .
fi

# GraphiQL, its explorer and the explorer page's graph library: served by graphsvc, no CDN.
if [ -f web/package-lock.json ]; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi

if $dev; then
  if [ -f tests/audit/package-lock.json ]; then
    npm ci --prefix tests/audit --no-audit --no-fund --loglevel=error
  fi
  # Debian packages for the browser tests (chromium) and the load smoke test (wrk).
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "note: some tests need Debian packages: sudo apt-get install ${missing[*]}" >&2
    fi
  fi
fi
echo "graphsvc installed in .venv ($(.venv/bin/graphsvc --version 2>/dev/null || echo ok))"
