#!/usr/bin/env bash
# Browser tests: start a demo server on a free port with a temporary database, drive Debian's
# chromium through the flows in e2e/flows.mjs, save screenshots to e2e/screenshots/, stop the
# server. Usage: web/e2e/run.sh <path-to-pubguard-binary>   (web/dist must be built)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
web="$(cd "$here/.." && pwd)"
bin="${1:-}"
if [ -z "$bin" ]; then
  echo "usage: $0 <path-to-pubguard-binary>" >&2
  exit 2
fi
if [ ! -f "$web/dist/index.html" ]; then
  echo "e2e: $web/dist/index.html is missing: build the web app first (scripts/build-web.sh)" >&2
  exit 2
fi
if [ ! -d "$web/node_modules/playwright-core" ]; then
  echo "e2e: playwright-core is not installed: run npm ci in $web" >&2
  exit 2
fi
chromium="${PGD_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: chromium not found at $chromium (apt-get install chromium)" >&2
  exit 2
fi

tmp="$(mktemp -d /tmp/pgd-e2e.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -x "$bin" ]; then
  echo "e2e: $bin is not an executable pubguard binary" >&2
  exit 2
fi
# Under a sanitizer build: cairo leaks inside cairo_surface_finish (its font subsetter) and
# fontconfig keeps caches pango never frees; third-party, as in tests/unit/test_pdf.c.
printf 'leak:cairo_surface_finish\nleak:libfontconfig.so\n' >"$tmp/lsan.supp"
ASAN_OPTIONS="${ASAN_OPTIONS:-fast_unwind_on_malloc=0}" LSAN_OPTIONS="suppressions=$tmp/lsan.supp" \
"$bin" serve --db "$tmp/db" --listen 127.0.0.1:0 --port-file "$tmp/port" --web "$web/dist" --demo \
  --logins "$tmp/logins" >"$tmp/server.log" 2>&1 &
pid=$!

port=""
for _ in $(seq 1 150); do
  if [ -s "$tmp/port" ]; then
    port="$(cat "$tmp/port")"
    if curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then break; fi
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "e2e: the server exited early; its log:" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$port" ] || ! curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then
  echo "e2e: the server did not answer /api/v1/health within 30 s; its log:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

mkdir -p "$here/screenshots"
rm -f "$here/screenshots"/*.png
rc=0
PGD_BASE="http://127.0.0.1:$port" PGD_LOGINS="$tmp/logins" PGD_CHROMIUM="$chromium" \
  PGD_SCREENSHOTS="$here/screenshots" node "$here/flows.mjs" || rc=$?
# stop the server now so that a sanitizer build reports what it found at exit
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$tmp/server.log"; then
  echo "e2e: the server reported sanitizer errors:" >&2
  grep -E -A 20 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$tmp/server.log" | head -n 80 >&2
  rc=1
fi
if [ "$rc" -ne 0 ]; then
  echo "e2e: server log (last 40 lines):" >&2
  tail -n 40 "$tmp/server.log" >&2 || true
fi
exit "$rc"
