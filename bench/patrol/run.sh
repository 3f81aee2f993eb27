#!/usr/bin/env bash
# Patrol benchmark: `pubguard patrol` against linkchecker, linkinator, broken-link-checker and
# wget2 --spider on a generated government site served on loopback with 20 ms per request.
# See docs/BENCHMARKS.md ("Patrol"). Run by `make bench-patrol`; never by the tests.
#
# Installs what it needs itself (not scripts/install-deps.sh: CI does not need these): the
# Debian packages linkchecker and wget2 (apt-get, only when `dpkg -s` says they are missing)
# and the npm tools pinned in bench/patrol/package-lock.json (npm ci into bench/patrol/node_modules).
#
# The loopback server is bench/patrol/serve.c, compiled here into bench/work/patrol-serve (again
# whenever serve.c is newer); bench/patrol/server_overhead.py measures what it adds to the latency.
#
# Options: --pages N (default 5000), --tools "pubguard linkchecker linkinator blc wget2",
#          --scale "20000 100000" (pubguard alone on bigger sites; "" none), --no-100k,
#          --timeout S (per tool, default 900). Environment: PUBGUARD (default build/pubguard),
#          PATROL_PORT (18090; +1 for the "external" server), PATROL_LATENCY_MS (20),
#          PATROL_SERVER (another server program with serve.c's command line; not compiled then).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$(dirname "$HERE")")"
export PATROL_PAGES="${PATROL_PAGES:-5000}" PATROL_SCALE="${PATROL_SCALE-20000 100000}"
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) PATROL_PAGES="$2"; shift 2 ;;
    --tools) export PATROL_TOOLS="$2"; shift 2 ;;
    --scale) PATROL_SCALE="$2"; shift 2 ;;
    --no-100k) PATROL_SCALE="$(echo "$PATROL_SCALE" | tr ' ' '\n' | { grep -vx 100000 || true; } | tr '\n' ' ')"; shift ;;
    --timeout) export PATROL_TIMEOUT="$2"; shift 2 ;;
    *) echo "bench-patrol: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done

missing=()
for p in linkchecker wget2 time; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-patrol: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for tool in node npm python3 cc; do
  command -v "$tool" >/dev/null || { echo "bench-patrol: missing $tool (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
if [ ! -x "$HERE/node_modules/.bin/linkinator" ] || [ ! -x "$HERE/node_modules/.bin/blc" ] ||
   [ "$HERE/package-lock.json" -nt "$HERE/node_modules" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

export PUBGUARD="${PUBGUARD:-$ROOT/build/pubguard}"
[ -x "$PUBGUARD" ] || { echo "bench-patrol: $PUBGUARD not built (make all)" >&2; exit 2; }
if [ -z "${PATROL_SERVER:-}" ]; then
  # the same command in server_overhead.py
  export PATROL_SERVER="$ROOT/bench/work/patrol-serve"
  if [ ! -x "$PATROL_SERVER" ] || [ "$HERE/serve.c" -nt "$PATROL_SERVER" ]; then
    mkdir -p "$ROOT/bench/work"
    cc -O2 -Wall -Wextra -o "$PATROL_SERVER" "$HERE/serve.c"
  fi
fi
exec python3 "$HERE/bench.py"
