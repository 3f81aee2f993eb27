#!/usr/bin/env bash
# API latency benchmark: 1,000 units, 10,000 platforms, 5,000 people and 1,000,000 audit entries
# (a valid SM3 chain, written through the real store by bench/api/gen.c), then wrk at 64
# connections for 10 s per list endpoint, 50 rows a page, the page chosen at random over all
# pages (bench/api/pages.lua). Reports p50/p99 and the server's peak RSS (VmHWM). Only
# 127.0.0.1. Never run by the tests. See docs/BENCHMARKS.md, "API latency".
#
# Environment:
#   PGD_BUILD=build            build directory with pubguard and the static libraries
#   BENCH_API_WORK=bench/work/api   where the database and results go
#   BENCH_API_UNITS=1000 BENCH_API_PLATFORMS=10000 BENCH_API_AUDIT=1000000
#   BENCH_API_DURATION=10s BENCH_API_CONNECTIONS=64 BENCH_API_THREADS=1 (wrk threads)
# wrk's --timeout is 30 s so that slow answers count in the percentiles instead of being
# dropped as socket timeouts.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$(dirname "$HERE")")"
BUILD="${PGD_BUILD:-$ROOT/build}"
WORK="${BENCH_API_WORK:-$ROOT/bench/work/api}"
UNITS="${BENCH_API_UNITS:-1000}"
PLATFORMS="${BENCH_API_PLATFORMS:-10000}"
AUDIT="${BENCH_API_AUDIT:-1000000}"
DURATION="${BENCH_API_DURATION:-10s}"
CONNS="${BENCH_API_CONNECTIONS:-64}"
WRK_THREADS="${BENCH_API_THREADS:-1}"
PGD="$BUILD/pubguard"
mkdir -p "$WORK"

for tool in wrk curl cc pkg-config python3; do
  command -v "$tool" >/dev/null || { echo "bench/api: missing $tool" >&2; exit 2; }
done
for f in "$PGD" "$BUILD/libpgd_store.a" "$BUILD/libpgd_crypto.a" "$BUILD/libpgd_core.a"; do
  [ -e "$f" ] || { echo "bench/api: missing $f (build first, or set PGD_BUILD)" >&2; exit 2; }
done

# The generator, linked against the store of the same build.
if [ ! -x "$WORK/gen" ] || [ "$HERE/gen.c" -nt "$WORK/gen" ] || [ "$BUILD/libpgd_store.a" -nt "$WORK/gen" ]; then
  # shellcheck disable=SC2046
  cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I"$ROOT/include" -o "$WORK/gen" "$HERE/gen.c" \
    "$BUILD/libpgd_store.a" "$BUILD/libpgd_crypto.a" "$BUILD/libpgd_core.a" \
    $(pkg-config --libs sqlite3 libcrypto libargon2) -lpthread
fi

DB="$WORK/bench.db"
PW="$WORK/password"
stamp="$(sha256sum "$HERE/gen.c" | cut -c1-16) units=$UNITS platforms=$PLATFORMS audit=$AUDIT"
if [ "$(cat "$WORK/db.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$DB" ]; then
  echo "bench/api: generating $DB ($UNITS units, $PLATFORMS platforms, $AUDIT audit entries)" >&2
  rm -f "$DB" "$DB-wal" "$DB-shm" "$WORK/db.stamp"
  "$WORK/gen" --db "$DB" --units "$UNITS" --platforms "$PLATFORMS" --audit "$AUDIT"
  echo "Bench-api-2026!" > "$PW"
  chmod 600 "$PW"
  "$PGD" user add --db "$DB" --username bench_office --display-name 压测网信办 --role office_admin \
    --password-file "$PW" >/dev/null
  "$PGD" user add --db "$DB" --username bench_audit --display-name 压测审计 --role audit_admin \
    --password-file "$PW" >/dev/null
  echo "$stamp" > "$WORK/db.stamp"
fi

PORTF="$WORK/port"
rm -f "$PORTF"
"$PGD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$PORTF" --key "$WORK/key" >"$WORK/server.log" 2>&1 &
SPID=$!
cleanup() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 200); do
  if [ -s "$PORTF" ] && curl -sf "http://127.0.0.1:$(cat "$PORTF")/api/v1/health" >/dev/null; then break; fi
  kill -0 "$SPID" 2>/dev/null || { echo "bench/api: server exited: $(cat "$WORK/server.log")" >&2; exit 1; }
  sleep 0.1
done
BASE="http://127.0.0.1:$(cat "$PORTF")"

login() { # USER -> session token
  curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"username\":\"$1\",\"password\":\"$(cat "$PW")\"}" "$BASE/api/v1/auth/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: *pgd_session=\([0-9a-f]*\).*/\1/p' | head -1
}
OFFICE="$(login bench_office)"
AUDITOR="$(login bench_audit)"
[ -n "$OFFICE" ] && [ -n "$AUDITOR" ] || { echo "bench/api: login failed" >&2; exit 1; }

pages() { # PATH COOKIE -> number of 50-row pages
  curl -sf -H "Cookie: pgd_session=$2" "$BASE$1?page=1&page_size=1" |
    python3 -c 'import json,sys; print(max(1, -(-json.load(sys.stdin)["total"] // 50)))'
}

rss_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SPID/status"; }
RSS_IDLE="$(rss_kb VmRSS)"

results="$WORK/results.md"
{
  echo "| endpoint (page_size=50) | pages | 1 client, median | requests/s | p50 | p99 | errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
} > "$results"
single() { # PATH COOKIE MAXPAGE -> median of 21 sequential requests on random pages, in ms
  local i
  for i in $(seq 1 21); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: pgd_session=$2" \
      "$BASE$1?page=$((RANDOM % $3 + 1))&page_size=50"
  done | sort -n | awk '{v[NR] = $1} END {printf "%.1fms", v[11] * 1000}'
}
run() { # LABEL PATH COOKIE MAXPAGE
  local out p50 p99 rps errs one
  one="$(single "$2" "$3" "$4")"
  out="$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --timeout 30s --latency -s "$HERE/pages.lua" "$BASE" \
    -- "$2" "$4" "$3")"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  rps="$(echo "$out" | awk '$1 == "Requests/sec:" {print $2}')"
  errs="$(echo "$out" | awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
    END {print n + 0}')"
  echo "| $1 | $4 | $one | $rps | $p50 | $p99 | $errs |" >> "$results"
  echo "bench/api: $1: p50 $p50 p99 $p99 ($rps req/s)" >&2
}
P_PLAT="$(pages /api/v1/platforms "$OFFICE")"
P_UNIT="$(pages /api/v1/units "$OFFICE")"
P_PEOP="$(pages /api/v1/people "$OFFICE")"
P_AUD="$(pages /api/v1/audit "$AUDITOR")"
run "GET /api/v1/health (baseline, no database)" /api/v1/health "$OFFICE" 1
run "GET /api/v1/platforms" /api/v1/platforms "$OFFICE" "$P_PLAT"
run "GET /api/v1/units" /api/v1/units "$OFFICE" "$P_UNIT"
run "GET /api/v1/people" /api/v1/people "$OFFICE" "$P_PEOP"
run "GET /api/v1/audit" /api/v1/audit "$AUDITOR" "$P_AUD"
run "GET /api/v1/audit (first 10 pages)" /api/v1/audit "$AUDITOR" 10
RSS_PEAK="$(rss_kb VmHWM)"
{
  echo
  echo "Server memory: $((RSS_IDLE / 1024)) MiB resident at start, peak $((RSS_PEAK / 1024)) MiB (VmHWM)."
  echo "wrk -t$WRK_THREADS -c$CONNS -d$DURATION --timeout 30s --latency; database $(du -m "$DB" | cut -f1) MB;" \
    "$(nproc) CPUs shared by server and wrk."
} >> "$results"
cat "$results"
