# pubguard patrol items: an account without a feed patrolled from an export of its posts —
# cadence (feed.not_weekly, feed.zombie), the content checker on each post, and posts matching
# no approved item (publish.unreviewed). Expected findings worked out by hand from the fixtures
# in tests/fixtures/posts:
#   posts.csv: 2026-12-01 09:00 防火通知 (…/s/fire), 2026-11-25 教育会议 (no link),
#              2026-11-20 读书活动预告 (…/s/x9, with an unmasked mobile number 13985012345)
#   approved.csv: …/s/fire written as HTTPS://MP.WEIXIN.QQ.COM/s/fire#top (same URL once
#              normalised), and the title 全市教育工作会议 召开！ (same title once normalised)
#   As of 2026-12-20: nothing in the 7 days before (not_weekly), newest 19 days ago > 14
#   (zombie); 读书活动预告 matches no approved item (unreviewed). As of 2026-12-03: the
#   newest is 2 days old, no cadence finding.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/posts
P="$PGD patrol items"

# usage
expect_status 2 $P
expect_contains "$ERR" "需要一个帖子文件" "missing file named"
expect_status 0 $P --help
expect_contains "$OUT" "发布时间" "help lists the columns"
expect_status 2 $P "$FIX/posts.csv" --as-of 2026-13-01
expect_status 2 $P "$TMP/missing.csv"
expect_contains "$ERR" "$TMP/missing.csv" "missing file named"

# bad rows: exit 2 naming the first bad row and column, and the count
expect_status 2 $P "$FIX/bad.csv" --no-content
expect_contains "$ERR" "第3行「发布时间」列" "bad date row named"
expect_contains "$ERR" "共 2 处错误" "both bad rows counted"
printf '标题,正文\n甲,乙\n' >"$TMP/nohead.csv"
expect_status 2 $P "$TMP/nohead.csv" --no-content
expect_contains "$ERR" "表头" "missing date column named"

# cadence and unreviewed, text output
expect_status 1 $P "$FIX/posts.csv" --approved "$FIX/approved.csv" --as-of 2026-12-20 --no-content
n=$(printf '%s\n' "$OUT" | grep -c .)
[ "$n" -eq 3 ] && ok || fail "want 3 findings, got $n: $OUT"
expect_contains "$OUT" "$FIX/posts.csv: review feed.not_weekly: 最近 7 天（截至 2026-12-20）没有发布信息" "not weekly"
expect_contains "$OUT" "$FIX/posts.csv: block feed.zombie: 已 19 天未更新（最近一次 2026-12-01），超过 14 天" "zombie"
expect_contains "$OUT" "https://mp.weixin.qq.com/s/x9: review publish.unreviewed: 发现未经审核备案的发布内容：《读书活动预告》" \
	"unreviewed post"
expect_not_contains "$OUT" "s/fire" "the post approved by URL is not unreviewed"
expect_not_contains "$OUT" "全市教育工作会议" "the post approved by title is not unreviewed"

# JSON lines, same findings from a JSON export
expect_status 1 $P "$FIX/posts.json" --approved "$FIX/approved.csv" --as-of 2026-12-20 --no-content --json
n=$(printf '%s\n' "$OUT" | grep -c .)
[ "$n" -eq 3 ] && ok || fail "want 3 JSON lines, got $n: $OUT"
printf '%s\n' "$OUT" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
cats = sorted((r["category"], r["severity"]) for r in rows)
assert cats == [("feed.not_weekly", "review"), ("feed.zombie", "block"), ("publish.unreviewed", "review")], cats
u = [r for r in rows if r["category"] == "publish.unreviewed"][0]
assert u["url"] == "https://mp.weixin.qq.com/s/x9" and u["text"] == "读书活动预告", u
assert set(u) >= {"url", "category", "severity", "line", "text", "message", "evidence"}, u
' && ok || fail "JSON findings: $OUT"

# without --approved no publish.unreviewed; as of 2026-12-03 no cadence finding: clean
expect_status 0 $P "$FIX/posts.csv" --as-of 2026-12-03 --no-content
expect_contains "$ERR" "3 条" "post count on stderr"

# content checks: the planted mobile number, on the post's own link
expect_status 1 $P "$FIX/posts.csv" --as-of 2026-12-03 --json
printf '%s\n' "$OUT" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
m = [r for r in rows if r["category"] == "pii.mobile"]
assert len(m) == 1 and m[0]["url"] == "https://mp.weixin.qq.com/s/x9" and m[0]["text"] == "13985012345", rows
assert not [r for r in rows if r["category"].startswith("feed.") or r["category"].startswith("publish.")], rows
' && ok || fail "content findings: $OUT"

# the approved file needs a title or link column
printf '审核日期\n2026-11-30\n' >"$TMP/appr.csv"
expect_status 2 $P "$FIX/posts.csv" --approved "$TMP/appr.csv" --no-content
expect_contains "$ERR" "表头" "approved header named"

finish
