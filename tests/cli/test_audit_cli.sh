# pubguard audit verify: exit codes and messages on an intact, a tampered and a bad database.
# Entries are written with the developer/test subcommand `pubguard audit append`.
. "$(dirname "$0")/lib.sh"

DB="$TMP/pg.db"

# usage and bad databases: exit 2
expect_status 2 "$PGD" audit
expect_status 2 "$PGD" audit verify
expect_contains "$ERR" "--db" "missing --db is named"
expect_status 2 "$PGD" audit nosuch --db "$DB"
expect_status 0 "$PGD" audit --help
expect_contains "$OUT" "verify --db" "help lists verify"
expect_contains "$OUT" "developer/test tool" "help documents append as a test tool"
expect_status 2 "$PGD" audit verify --db "$TMP/missing.db"
expect_contains "$ERR" "$TMP/missing.db" "missing database named"
[ ! -e "$TMP/missing.db" ] && ok || fail "verify created the missing database"
printf 'this is not a database, just text padding it out to a page or so\n%.0s' $(seq 1 100) >"$TMP/junk.db"
expect_status 2 "$PGD" audit verify --db "$TMP/junk.db"
expect_contains "$ERR" "junk.db" "junk database named"

# append needs actor and action
expect_status 2 "$PGD" audit append --db "$DB" --action unit.create
expect_contains "$ERR" "操作人" "missing actor named"

# five entries: intact
for i in 1 2 3 4 5; do
	expect_status 0 "$PGD" audit append --db "$DB" --actor "管理员$i" --action unit.update \
		--subject "unit:$i" --before '{"name":"旧"}' --after '{"name":"新"}'
	expect_contains "$OUT" "第 $i 条" "append reports its seq"
done
expect_status 0 "$PGD" audit verify --db "$DB"
expect_contains "$OUT" "审计日志完整：5 条记录" "intact message"

# edit entry 3 behind the program's back: exit 1, entry 3 named
python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE audit_log SET after_json = '{\"name\":\"改\"}' WHERE seq = 3")
c.commit()
PY
expect_status 1 "$PGD" audit verify --db "$DB"
expect_contains "$OUT" "第 3 条" "tampered entry named"
expect_not_contains "$OUT" "审计日志完整" "no intact message"

# restore by a fresh log; delete the last entry: detected through the head
rm -f "$DB" "$DB-wal" "$DB-shm"
for i in 1 2 3; do "$PGD" audit append --db "$DB" --actor a --action x >/dev/null || fail "append $i"; done
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM audit_log WHERE seq = 3"); c.commit()' "$DB"
expect_status 1 "$PGD" audit verify --db "$DB"
expect_contains "$OUT" "第 3 条" "cut tail named by the head's seq"

finish
