# pubguard import: usage, good imports (CSV and XLSX), bad rows listed as FILE:ROW: 列「…」: …,
# nothing half-imported, --dry-run writing nothing. Expected values read off the inputs by hand.
. "$(dirname "$0")/lib.sh"

DB="$TMP/pg.db"
FIX=tests/fixtures/import
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }

# usage: exit 2
expect_status 2 "$PGD" import
expect_status 2 "$PGD" import --db "$DB" units
expect_status 2 "$PGD" import --db "$DB" persons "$FIX/units.xlsx"
expect_contains "$ERR" "persons" "unknown kind named"
expect_status 2 "$PGD" import units "$FIX/units.xlsx"
expect_contains "$ERR" "--db" "missing --db named"
expect_status 0 "$PGD" import --help
expect_contains "$OUT" "单位名称" "help lists the columns"
expect_status 2 "$PGD" import --db "$DB" units "$TMP/missing.csv"
expect_contains "$ERR" "$TMP/missing.csv" "missing file named"
expect_status 2 "$PGD" import --db "$DB" units "$FIX/bomb.xlsx"
expect_contains "$ERR" "压缩炸弹" "zip bomb refused"

expect_status 2 "$PGD" import --db "$DB" units "$FIX/basic.xlsx" --sheet 第三页
expect_contains "$ERR" "没有名为「第三页」的工作表（有：名单、第二页）" "missing sheet named"
printf '单位名称,单位类型\n城关街道,乡镇街道\n' | "$PGD" import --db "$DB" units - --dry-run >"$TMP/out" 2>&1 \
	&& ok || fail "stdin import: $(cat "$TMP/out")"
expect_contains "$(cat "$TMP/out")" "可导入 1 条" "stdin dry run"

# dry run of a good file: nothing written
expect_status 0 "$PGD" import --db "$DB" units "$FIX/units.xlsx" --dry-run
expect_contains "$OUT" "可导入 3 条" "dry run counts"
[ "$(count 'SELECT COUNT(*) FROM units')" = 0 ] && ok || fail "dry run wrote units"
[ "$(count 'SELECT COUNT(*) FROM audit_log')" = 0 ] && ok || fail "dry run wrote an audit entry"

# the real import: 3 units, 文化站 under 城关街道, one audit entry
expect_status 0 "$PGD" import --db "$DB" units "$FIX/units.xlsx"
expect_contains "$OUT" "导入 3 条" "units imported"
[ "$(count "SELECT p.name FROM units u JOIN units p ON p.id = u.parent_id WHERE u.name = '城关街道文化站'")" = 城关街道 ] \
	&& ok || fail "parent by name"
[ "$(count "SELECT action || ' ' || subject FROM audit_log")" = "import.units $FIX/units.xlsx" ] && ok || fail "audit entry"

# people from a GBK CSV, then platforms from XLSX (manager 张三)
expect_status 0 "$PGD" import --db "$DB" people "$FIX/people_gbk.csv"
expect_contains "$OUT" "导入 2 条" "people imported"
expect_status 0 "$PGD" import --db "$DB" platforms "$FIX/platforms.xlsx"
expect_contains "$OUT" "导入 2 条" "platforms imported"
[ "$(count "SELECT p.name FROM platforms f JOIN people p ON p.id = f.manager_person_id WHERE f.site_code = '3301000001'")" = 张三 ] \
	&& ok || fail "manager resolved"

# bad rows: each listed, nothing imported (row 2 is fine but not written)
cat >"$TMP/bad.csv" <<'CSV'
姓名,单位,职务,人员类型,联系电话
王五,城关街道,,正式,
赵六,东区,,正式,
钱七,城关街道,,合同工,abc
CSV
expect_status 2 "$PGD" import --db "$DB" people "$TMP/bad.csv"
expect_contains "$ERR" "$TMP/bad.csv:3: 列「单位」: 单位「东区」不存在" "row 3 error"
expect_contains "$ERR" "$TMP/bad.csv:4: 列「人员类型」: 人员类型「合同工」无效" "row 4 staff type"
expect_contains "$ERR" "$TMP/bad.csv:4: 列「联系电话」: 联系电话「abc」格式不正确" "row 4 phone"
expect_contains "$ERR" "有 3 处错误，未导入任何数据" "summary"
[ "$(count "SELECT COUNT(*) FROM people WHERE name = '王五'")" = 0 ] && ok || fail "half-imported"

# a temporary person may not manage a platform
printf '平台名称,平台类型,网址或账号,所属单位,管理员\n城关微博,微博,cgwb,城关街道,李四\n' >"$TMP/p.csv"
expect_status 2 "$PGD" import --db "$DB" platforms "$TMP/p.csv"
expect_contains "$ERR" "p.csv:2: 列「管理员」: 「李四」为临聘人员，不能担任平台管理员" "non-formal manager"
[ "$(count 'SELECT COUNT(*) FROM platforms')" = 2 ] && ok || fail "platform count changed"

expect_status 0 "$PGD" audit verify --db "$DB"
expect_contains "$OUT" "3 条记录" "three imports audited"

finish
