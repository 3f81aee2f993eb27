#!/usr/bin/env bash
# Build the web app into web/dist. Node 20 and npm come with the machine image; npm ci
# runs only when package-lock.json is newer than the installed node_modules.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null 2>&1; then
  echo "build-web: node (>= 20) is required to build the web app" >&2
  exit 2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
