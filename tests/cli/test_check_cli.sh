# pubguard check: exit codes, output formats, stdin, bad input mixed with good input.
. "$(dirname "$0")/lib.sh"

printf '盘州市教育局召开2026年秋季学期工作部署会议，要求各校抓好安全管理和教学质量。\n' >"$TMP/clean.txt"
printf '第一行正常。\n第二行发现网络赌博广告，请扫码下注。\n' >"$TMP/bad.txt"

# usage errors
expect_status 2 "$PGD" check
expect_status 2 "$PGD" check --as-of 2026-02-30 "$TMP/clean.txt"
expect_contains "$ERR" "--as-of" "invalid date is named"
expect_status 2 "$PGD" nosuchcommand
expect_status 0 "$PGD" check --help
expect_contains "$OUT" "--lexicon" "help lists options"

# a clean document passes, exit 0, no output in text mode
expect_status 0 "$PGD" check --as-of 2026-11-30 "$TMP/clean.txt"
[ -z "$OUT" ] && ok || fail "clean file printed: $OUT"
expect_status 0 "$PGD" check --json --as-of 2026-11-30 "$TMP/clean.txt"
expect_contains "$OUT" '"verdict":"pass"' "clean verdict"
expect_contains "$OUT" '"findings":[]' "clean findings"

# a finding: exit 1; text format file:line:col: severity category: message «text»
expect_status 1 "$PGD" check --as-of 2026-11-30 "$TMP/bad.txt"
expect_contains "$OUT" "$TMP/bad.txt:2:" "finding located on line 2"
expect_contains "$OUT" "prohibited.obscene_gambling_violence_terror" "category id"
expect_contains "$OUT" "«网络赌博»" "quoted original"
expect_status 1 "$PGD" check --json --as-of 2026-11-30 "$TMP/bad.txt"
expect_contains "$OUT" '"verdict":"block"' "block verdict"
expect_contains "$OUT" '"line":2' "json line"

# stdin
expect_status 1 "$PGD" check --json --as-of 2026-11-30 - <"$TMP/bad.txt"
expect_contains "$OUT" '"file":"-"' "stdin named -"

# bad input among good input: exit 2, one error line naming the file, the others still checked
expect_status 2 "$PGD" check --json --as-of 2026-11-30 "$TMP/clean.txt" "$TMP/missing.txt" "$TMP/bad.txt"
expect_contains "$ERR" "$TMP/missing.txt" "error names the missing file"
[ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] && ok || fail "want exactly one error line, got: $ERR"
expect_contains "$OUT" "\"file\":\"$TMP/clean.txt\",\"verdict\":\"pass\"" "good file before still checked"
expect_contains "$OUT" '"verdict":"block"' "good file after still checked"
printf '\x00\x01\x02\xff\xfe\x00binary\x00junk\x9c\x00' >"$TMP/junk.bin"
expect_status 2 "$PGD" check "$TMP/junk.bin"
expect_contains "$ERR" "junk.bin" "junk named"

# a 1 GB file (sparse: costs no disk) is refused by its size, without being read
truncate -s 1G "$TMP/huge.txt"
expect_status 2 "$PGD" check "$TMP/huge.txt" "$TMP/clean.txt"
expect_contains "$ERR" "huge.txt" "oversize file named"

# a data dir that does not exist
expect_status 2 "$PGD" check --data-dir "$TMP/nodata" "$TMP/clean.txt"
expect_contains "$ERR" "nodata" "missing data dir named"

# --stats: one JSON line on stderr; the second start hits the compiled-rule cache
expect_status 0 "$PGD" check --stats --cache-dir "$TMP/c2/not/yet/made" "$TMP/clean.txt"
expect_contains "$ERR" '"cache":"miss"' "first start compiles"
expect_status 0 "$PGD" check --stats --cache-dir "$TMP/c2/not/yet/made" "$TMP/clean.txt"
expect_contains "$ERR" '"cache":"hit"' "second start uses the cache"

# many files in parallel keep their input order
for i in 1 2 3 4 5 6; do cp "$TMP/clean.txt" "$TMP/f$i.txt"; done
expect_status 0 "$PGD" check --json --jobs 3 "$TMP"/f1.txt "$TMP"/f2.txt "$TMP"/f3.txt "$TMP"/f4.txt "$TMP"/f5.txt "$TMP"/f6.txt
order=$(printf '%s\n' "$OUT" | sed -n 's/.*"file":"[^"]*\/\(f[0-9]\).txt".*/\1/p' | tr -d '\n')
[ "$order" = "f1f2f3f4f5f6" ] && ok || fail "order $order"

finish
