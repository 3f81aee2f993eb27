#!/usr/bin/env bash
# pubguard worker against tests/worker/fake_server.py (a fake of the worker API) and the loopback
# test site of tests/patrol/serve.py: a website job (findings, evidence uploaded with matching
# SHA-256, screenshots when chromium is installed, progress, the lease echoed), a probe of a
# closed port (ok false, Chinese error), --kinds, --once exit codes, 401, lease_lost, SIGTERM,
# the token file's permissions. Expected values written by hand from serve.py's planted problems.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")/.." && pwd)
export PGD_DATA_DIR=${PGD_DATA_DIR:-$HERE/../data}
TOKEN=worker-token-$$-secret
printf '%s\n' "$TOKEN" >"$TMP/token"
chmod 600 "$TMP/token"
DEAD=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PIDS=()
cleanup() {
	for fd in 7 8 9; do eval "exec $fd>&-" 2>/dev/null; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# the loopback site: prints "MAIN OTHER", serves until its stdin closes
mkfifo "$TMP/site_in"
python3 "$HERE/patrol/serve.py" "$DEAD" <"$TMP/site_in" >"$TMP/site_out" &
PIDS+=($!)
exec 7>"$TMP/site_in"

# start_fake MODE FD: a fake worker API; sets FAKE (its URL) and REC (its record)
start_fake() {
	local mode=$1 fd=$2
	REC="$TMP/rec-$mode.json"
	mkfifo "$TMP/fake_in_$mode"
	python3 "$HERE/worker/fake_server.py" "$mode" "$TOKEN" "$REC" "$SITE/" "http://127.0.0.1:$DEAD/" \
		<"$TMP/fake_in_$mode" >"$TMP/fake_out_$mode" &
	PIDS+=($!)
	eval "exec $fd>\"$TMP/fake_in_$mode\""
	local port=""
	for _ in $(seq 50); do read -r port <"$TMP/fake_out_$mode" 2>/dev/null && [ -n "$port" ] && break; sleep 0.1; done
	FAKE="http://127.0.0.1:$port"
}

for _ in $(seq 50); do read -r MAIN OTHER <"$TMP/site_out" 2>/dev/null && [ -n "${MAIN:-}" ] && break; sleep 0.1; done
SITE="http://127.0.0.1:$MAIN"
mkdir -p "$TMP/data"

# --- usage and the token file ---
expect_status 2 "$PGD" worker --token-file "$TMP/token"
expect_contains "$ERR" "需要 --server" "missing --server"
printf '%s\n' "$TOKEN" >"$TMP/loose"
chmod 644 "$TMP/loose"
expect_status 2 "$PGD" worker --server http://127.0.0.1:1 --token-file "$TMP/loose" --once
expect_contains "$ERR" "权限过宽" "group/world readable token file refused"
expect_not_contains "$ERR" "$TOKEN" "token never printed"
expect_status 2 "$PGD" worker --server http://127.0.0.1:1 --token-file "$TMP/token" --kinds crawl
expect_contains "$ERR" "--kinds" "bad --kinds named"

# --- server unreachable: --once gives up with a clear error ---
expect_status 1 "$PGD" worker --server "http://127.0.0.1:$DEAD" --token-file "$TMP/token" --once
expect_contains "$ERR" "无法与服务器" "unreachable server named"

start_fake normal 8
# 1. --kinds probe: the probe job (queued second) comes first; a closed port: ok false
expect_status 0 "$PGD" worker --server "$FAKE" --token-file "$TMP/token" --once --kinds probe --work-dir "$TMP/data"
ALL_ERR=$ERR
# 2. the website job
expect_status 0 "$PGD" worker --server "$FAKE/" --token-file "$TMP/token" --once --work-dir "$TMP/data"
ALL_ERR="$ALL_ERR$ERR"
# 3. nothing left: exit 3
expect_status 3 "$PGD" worker --server "$FAKE" --token-file "$TMP/token" --once
expect_contains "$ERR" "暂无可领取的任务" "no job message"
# 4. a wrong token: 401 -> a clear error, exit 1
printf 'not-the-token\n' >"$TMP/wrong"
chmod 600 "$TMP/wrong"
expect_status 1 "$PGD" worker --server "$FAKE" --token-file "$TMP/wrong" --once
expect_contains "$ERR" "401" "401 named"
expect_contains "$ERR" "令牌" "401 explained"
expect_not_contains "$ALL_ERR" "$TOKEN" "token never logged"
expect_not_contains "$ALL_ERR" "$(python3 -c 'import hashlib; print(hashlib.sha256(b"lease-1").hexdigest())')" \
	"lease never logged"
if [ -z "$(ls -A "$TMP/data")" ]; then ok; else fail "evidence dir not cleaned: $(ls -A "$TMP/data")"; fi

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then SHOTS=1; else SHOTS=0; fi
expect_status 0 python3 - "$REC" "$SITE" "$DEAD" "$SHOTS" <<'PY'
import json, sys
rec, site, dead, shots = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
calls = json.load(open(rec, encoding="utf-8"))["calls"]
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
leases = [c for c in calls if c["path"] == "/api/v1/worker/lease"]
check(len(leases) == 4, f"4 lease calls (probe, patrol, none, 401), got {len(leases)}")
check(leases[0].get("kinds") == ["probe"], f"--kinds probe sent {leases[0].get('kinds')}")
check(leases[1].get("kinds") == ["patrol", "probe"], f"default kinds sent {leases[1].get('kinds')}")
check(leases[0].get("job") == 2 and leases[1].get("job") == 1, "probe job first, then the patrol")
check(all(c["auth_ok"] for c in calls[:-1]) and not calls[-1]["auth_ok"], "bearer token on every call")
results = {c["job"]: c for c in calls if c["path"].endswith("/result")}
check(set(results) == {1, 2}, f"results for jobs 1 and 2, got {sorted(results)}")
for c in calls:
    if "lease_ok" in c:
        check(c["lease_ok"], f"lease echoed on {c['method']} {c['path']}")
# the probe of a closed port
p = results.get(2, {}).get("body", {})
pr = p.get("probe") or {}
check(pr.get("ok") is False, f"probe ok false: {pr}")
check(pr.get("status") == 0, "probe status 0")
check("无法连接" in (pr.get("error") or ""), f"Chinese error: {pr.get('error')}")
check(pr.get("tls_expires") is None, "no TLS on http")
check(p.get("findings") == [] and p.get("evidence") == [] and p.get("home") is None, "probe: empty lists")
# the website patrol
r = results.get(1, {}).get("body", {})
check(set(r) == {"lease", "summary", "findings", "columns", "items", "home", "probe", "evidence"}, f"keys {sorted(r)}")
check(r.get("probe") is None, "patrol: probe null")
s = r.get("summary", {})
check(s.get("pages", 0) >= 10, f"pages crawled: {s.get('pages')}")
check(s.get("links", 0) >= 20, f"links checked: {s.get('links')}")
f = {(x["category"], x["url"], x["target"]) for x in r.get("findings", [])}
for want in [("site.broken_link_internal", site + "/", site + "/missing.html"),
             ("site.broken_link_internal", site + "/", site + "/img/missing.png"),
             ("site.server_error", site + "/error.html", None),
             ("site.stale_column", site + "/dept/", None),
             ("site.broken_link_external", site + "/", f"http://127.0.0.1:{dead}/")]:
    check(want in f, f"finding {want}")
check(any(x[0] == "site.hidden_link" and x[2].endswith("/bet/") for x in f), "hidden link finding")
for x in r.get("findings", []):
    check(x["severity"] in ("info", "review", "block") and x["message"], f"finding shape {x}")
    check(set(x) == {"url", "target", "category", "severity", "line", "text", "message", "evidence", "screenshot"},
          f"finding keys {sorted(x)}")
ev = {e["sha256"]: e for e in r.get("evidence", [])}
puts = [c for c in calls if c["method"] == "PUT"]
uploaded = {c["sha256"] for c in puts if c["actual"] == c["sha256"]}
check(all(c["actual"] == c["sha256"] for c in puts), "every upload's SHA-256 matches its bytes")
check(len(puts) == len(ev), f"{len(puts)} uploads for {len(ev)} evidence entries")
check(set(ev) <= uploaded, "every evidence entry was uploaded")
pages = [e for e in ev.values() if e["kind"] == "page"]
check(len(pages) >= 1, "page evidence present")
home = [x for x in r.get("findings", []) if x["url"] == site + "/" and x["category"] == "site.hidden_link"]
check(home and home[0]["evidence"] in ev, "the home page finding carries its evidence")
for x in r.get("findings", []):
    check(x["evidence"] is None or x["evidence"] in ev, f"evidence reference {x['evidence']} listed")
    check(x["screenshot"] is None or ev.get(x["screenshot"], {}).get("kind") == "screenshot", "screenshot reference")
for e in ev.values():
    check(e["size"] == next(c["size"] for c in puts if c["sha256"] == e["sha256"]), f"size of {e['sha256']}")
    check(len(e["fetched_at"]) == 20 and e["fetched_at"].endswith("Z"), f"TS {e['fetched_at']}")
shots_ev = [e for e in ev.values() if e["kind"] == "screenshot"]
if shots:
    check(len(shots_ev) >= 1, "a screenshot (chromium is installed)")
    check(home and home[0]["screenshot"] is not None, "the home page finding has a screenshot")
    for e in shots_ev:
        check(e["of"] in ev and ev[e["of"]]["kind"] == "page", f"screenshot of a page {e['of']}")
        check(e["content_type"] == "image/png", "screenshot content type")
# no screenshot of pages that did not load (oversize, slow)
check(not any(e["url"].endswith(("/big.html", "/stream.html", "/slow.html")) for e in shots_ev), "no shots of broken pages")
prog = [c for c in calls if c["path"].endswith("/progress")]
check(len(prog) >= 1, "progress posted")
check(all(c["body"]["done"] <= c["body"]["total"] for c in prog), "progress done <= total")
check(r.get("home") and len(r["home"]["sha256"]) == 64 and len(r["home"]["simhash"]) == 16, f"home {r.get('home')}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ -n "$OUT" ] && echo "$OUT" >&2

# --- lease lost: the worker abandons the job quietly (no evidence, no result) ---
start_fake lease_lost 9
expect_status 0 "$PGD" worker --server "$FAKE" --token-file "$TMP/token" --once --screenshots off
expect_contains "$ERR" "lease lost" "abandon logged"
expect_status 0 python3 - "$REC" <<'PY'
import json, sys
calls = json.load(open(sys.argv[1], encoding="utf-8"))["calls"]
paths = [c["path"] for c in calls]
ok = (any(p.endswith("/progress") for p in paths) and not any("/evidence/" in p or p.endswith("/result")
      or p.endswith("/fail") for p in paths))
print("" if ok else "FAIL: calls after lease_lost: %s" % paths)
sys.exit(0 if ok else 1)
PY
[ -n "$OUT" ] && echo "$OUT" >&2

# --- a job with a missing field: failed through /fail with a message naming the field ---
start_fake badjob 5
expect_status 0 "$PGD" worker --server "$FAKE" --token-file "$TMP/token" --once
expect_status 0 python3 - "$REC" <<'PY'
import json, sys
calls = json.load(open(sys.argv[1], encoding="utf-8"))["calls"]
fails = [c for c in calls if c["path"] == "/api/v1/worker/jobs/1/fail"]
ok = (len(fails) == 1 and fails[0]["lease_ok"] and "缺少字段 thresholds.tls_warn_days" in fails[0]["body"]["error"]
      and not any(c["path"].endswith("/result") for c in calls))
print("" if ok else "FAIL: /fail calls: %s" % fails)
sys.exit(0 if ok else 1)
PY
[ -n "$OUT" ] && echo "$OUT" >&2
exec 5>&-

# --- SIGTERM while polling: exit 0 promptly ---
start_fake empty 6
"$PGD" worker --server "$FAKE" --token-file "$TMP/token" --poll 1 2>"$TMP/term_err" &
WPID=$!
sleep 1.5
kill -TERM "$WPID"
for _ in $(seq 50); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$WPID" 2>/dev/null; then fail "worker still running 5 s after SIGTERM"; kill -KILL "$WPID"; fi
wait "$WPID"
st=$?
if [ "$st" -eq 0 ]; then ok; else fail "exit $st after SIGTERM, want 0: $(cat "$TMP/term_err")"; fi
exec 6>&-

finish
