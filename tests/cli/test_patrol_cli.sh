#!/bin/bash
# pubguard patrol: usage errors, an unreachable site, text output. (The full loopback site
# with its expected findings is tests/patrol/run.py.)
. "$(dirname "$0")/lib.sh"

# a loopback port where nothing listens
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

expect_status 2 "$PGD" patrol
expect_contains "$ERR" "usage: pubguard patrol" "no target: usage"
expect_status 2 "$PGD" patrol --as-of 2026-02-30 --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "--as-of '2026-02-30' 不是有效日期" "bad --as-of"
expect_status 2 "$PGD" patrol --timeout 0 --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "--timeout '0' 应为 1 到 3600 的整数" "bad --timeout"
expect_status 2 "$PGD" patrol --concurrency x --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "--concurrency 'x'" "bad --concurrency"
expect_status 2 "$PGD" patrol --per-host 0 --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "--per-host '0'" "bad --per-host"
expect_status 2 "$PGD" patrol --site "ftp://127.0.0.1/"
expect_contains "$ERR" "--site 'ftp://127.0.0.1/' 不是 http:// 或 https:// 开头的网址" "ftp site refused"
expect_status 2 "$PGD" patrol --feed "file:///etc/passwd"
expect_contains "$ERR" "--feed 'file:///etc/passwd'" "file feed refused"
expect_status 2 "$PGD" patrol --site "http://127.0.0.1:$DEAD/" extra
expect_contains "$ERR" "多余的参数 'extra'" "stray argument"

# a site that refuses connections: one finding, exit 1, text format "URL: severity category: message"
expect_status 1 "$PGD" patrol --no-content --as-of 2026-11-30 --timeout 2 --site "http://127.0.0.1:$DEAD"
expect_contains "$OUT" "http://127.0.0.1:$DEAD/: block site.unavailable: 网站首页无法访问：无法连接" "unavailable (text)"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] && ok || fail "want exactly one finding line, got: $OUT"
expect_contains "$ERR" "巡查完成：" "summary on stderr"

# the same as JSON, and an unreachable feed
expect_status 1 "$PGD" patrol --json --no-content --timeout 2 --site "http://127.0.0.1:$DEAD/" --feed "http://127.0.0.1:$DEAD/feed.xml"
printf '%s\n' "$OUT" > "$TMP/j"
python3 - "$TMP/j" "$DEAD" <<'PY' && ok || fail "JSON findings: $OUT"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
dead = sys.argv[2]
# the last line is the summary: nothing crawled, one feed tried, no home page, no evidence
s = rows.pop()
assert set(s) == {"summary", "columns", "items", "home", "evidence"}, s
assert s["summary"]["pages"] == 0 and s["summary"]["feeds"] == 1 and s["summary"]["pages_unchanged"] == 0, s
assert s["summary"]["findings"] == 2, s
assert s["columns"] == [] and s["items"] == [] and s["home"] is None and s["evidence"] == [], s
assert len(rows) == 2, rows
a, b = rows
assert a["url"] == f"http://127.0.0.1:{dead}/" and a["category"] == "site.unavailable", a
assert a["severity"] == "block" and a["line"] == 0 and a["text"] is None and a["evidence"] is None, a
assert "target" not in a, a
assert b["url"] == f"http://127.0.0.1:{dead}/feed.xml" and b["category"] == "site.unavailable", b
assert "订阅源无法获取" in b["message"], b
PY

# --baseline-file: missing, not JSON, bad fields -> exit 2 naming the file and the problem
expect_status 2 "$PGD" patrol --baseline-file "$TMP/none.json" --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "无法读取首页基准文件“$TMP/none.json”" "missing baseline file"
printf '{"sha256":"","simhash":"0123","title":"t","text_len":5}' > "$TMP/b1.json"
expect_status 2 "$PGD" patrol --baseline-file "$TMP/b1.json" --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "simhash 应为 16 位十六进制" "short simhash"
printf '{"sha256":"","simhash":"0123456789abcdef","title":"t","text_len":-1}' > "$TMP/b2.json"
expect_status 2 "$PGD" patrol --baseline-file "$TMP/b2.json" --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "text_len 应为非负整数" "negative text_len"

# --evidence-dir / --cache-dir that cannot be created: exit 2 naming the directory; an
# unreachable site leaves no evidence (nothing with a body) and an empty crawl state
printf x > "$TMP/file"
expect_status 2 "$PGD" patrol --no-content --timeout 2 --evidence-dir "$TMP/file/ev" --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "无法创建证据目录“$TMP/file/ev”" "evidence dir not creatable"
expect_status 2 "$PGD" patrol --no-content --timeout 2 --cache-dir "$TMP/file/c" --site "http://127.0.0.1:$DEAD/"
expect_contains "$ERR" "无法创建巡查缓存目录“$TMP/file/c”" "cache dir not creatable"
expect_status 1 "$PGD" patrol --no-content --timeout 2 --evidence-dir "$TMP/ev" --cache-dir "$TMP/c" --site "http://127.0.0.1:$DEAD/"
[ -d "$TMP/ev" ] && [ -z "$(ls -A "$TMP/ev")" ] && ok || fail "evidence dir not empty: $(ls -A "$TMP/ev")"
[ "$(ls -A "$TMP/c" | wc -l)" -eq 1 ] && ls "$TMP/c" | grep -Eq '^[0-9a-f]{64}\.crawl$' && ok || fail "crawl state: $(ls -A "$TMP/c")"

finish
