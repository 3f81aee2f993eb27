# pubguard serve / user add / db migrate / db backup against the real binary: the server on
# port 0 with a temporary database, driven with curl. Checks sign-in, the session cookie,
# CSRF, the lockout (5 failures -> 423, still 423 with the right password), body caps, the
# web app's static files, an online backup that `pubguard audit verify` accepts, and a clean
# stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

DB="$TMP/pg.db"
WEB="$TMP/web"
mkdir -p "$WEB/assets"
printf '<!doctype html><title>pubguard-test-index</title>\n' >"$WEB/index.html"
printf 'console.log("app");\n' >"$WEB/assets/app-1234.js"
printf 'body{}\n' >"$WEB/assets/app.css"
printf '{"a":1}\n' >"$WEB/manifest.json"

# ---- db migrate / user add (before the server) ----
expect_status 2 "$PGD" db
expect_status 2 "$PGD" db migrate
expect_contains "$ERR" "--db" "missing --db named"
expect_status 0 "$PGD" db migrate --db "$DB"
v=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select max(version) from schema_migrations").fetchone()[0])' "$DB")
[ "${v:-0}" -ge 3 ] && ok || fail "migrations 0001-0003 applied, got version '$v'"
expect_contains "$OUT" "已迁移到结构版本 $v" "migrate reports the schema version"

printf 'Sys-Admin-2026\n' >"$TMP/pw-sys"
expect_status 0 "$PGD" user add --db "$DB" --username sysadm --display-name 系统管理员 \
	--role system_admin --password-file "$TMP/pw-sys"
expect_contains "$OUT" "已创建用户 sysadm" "user add reports the user"
# password from standard input
printf 'Office-Op-2026\n' | "$PGD" user add --db "$DB" --username op1 --display-name 王五 \
	--role office_operator >"$TMP/out" 2>"$TMP/err" && ok || fail "user add from stdin: $(cat "$TMP/err")"
printf 'Locked-User-2026\n' | "$PGD" user add --db "$DB" --username victim --display-name 赵六 \
	--role secrecy_office >/dev/null 2>&1 && ok || fail "user add victim"
printf 'Audit-Admin-2026\n' | "$PGD" user add --db "$DB" --username auditor --display-name 审计员 \
	--role audit_admin >/dev/null 2>&1 && ok || fail "user add auditor"
# refusals: duplicate, weak password, two admin roles, admin + unit role, unit role without a
# person, unknown role, password on the command line
printf 'Office-Op-2026\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username op1 --display-name 重复 \
	--role office_operator <"$TMP/pw"
expect_contains "$ERR" "op1" "duplicate username named"
printf 'short1A\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username weak --display-name 弱 \
	--role office_operator <"$TMP/pw"
expect_contains "$ERR" "至少需要 10 个字符" "weak password explained"
printf 'Sys-Admin-2026\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username two --display-name 二 \
	--role system_admin --role audit_admin <"$TMP/pw"
expect_contains "$ERR" "最多担任其中一个" "two admin roles refused"
printf 'Sys-Admin-2026\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username mix --display-name 混 \
	--role security_admin --role office_operator <"$TMP/pw"
expect_contains "$ERR" "不能与其他角色" "admin with another role refused"
printf 'Sys-Admin-2026\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username lia --display-name 联 \
	--role liaison <"$TMP/pw"
expect_contains "$ERR" "绑定人员" "unit role without a person refused"
printf 'Sys-Admin-2026\n' >"$TMP/pw"
expect_status 2 "$PGD" user add --db "$DB" --username x --display-name x --role root <"$TMP/pw"
expect_contains "$ERR" "root" "unknown role named"
expect_status 2 "$PGD" user add --db "$DB" --username y --display-name y --role office_operator Secret-Pass-1
expect_contains "$ERR" "命令行" "password argument refused"
expect_status 0 "$PGD" audit verify --db "$DB"
expect_contains "$OUT" "4 条记录" "four user.create entries audited"

# ---- the server ----
"$PGD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$TMP/port" --web "$WEB" --threads 2 \
	>"$TMP/serve.out" 2>"$TMP/serve.err" &
SPID=$!
for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port" 2>/dev/null)
[ -n "$PORT" ] && [ "$PORT" -gt 0 ] && ok || fail "no port file; stderr: $(cat "$TMP/serve.err")"
URL="http://127.0.0.1:$PORT"
API="$URL/api/v1"
code=000
for _ in $(seq 1 50); do
	code=$(curl -s -o "$TMP/health" -w '%{http_code}' "$API/health") && [ "$code" = 200 ] && break
	sleep 0.1
done
[ "$code" = 200 ] && ok || fail "health answered $code"
expect_contains "$(cat "$TMP/health")" '"version":"0.1.0"' "health names the version"
expect_contains "$(cat "$TMP/serve.out")" "listening on http://127.0.0.1:$PORT" "listening line"

# req METHOD PATH [BODY] [extra curl args...]: status in $CODE, body in $BODY, headers in $HDRS
req() {
	local m=$1 p=$2 d=${3-}
	shift 3 2>/dev/null || shift $#
	if [ -n "$d" ]; then
		CODE=$(curl -s -X "$m" -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' -H 'Content-Type: application/json' \
			--data-binary "$d" "$@" "$API$p")
	else
		CODE=$(curl -s -X "$m" -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$@" "$API$p")
	fi
	BODY=$(cat "$TMP/b"); HDRS=$(cat "$TMP/h")
}
want() { # WANT_CODE WHAT
	[ "$CODE" = "$1" ] && ok || fail "$2: status $CODE, want $1; body: $BODY"
}

# security headers on the API
req GET /health ""
expect_contains "$HDRS" "X-Content-Type-Options: nosniff" "nosniff"
expect_contains "$HDRS" "X-Frame-Options: DENY" "frame options"
expect_contains "$HDRS" "Cache-Control: no-store" "no-store on /api"
expect_contains "$HDRS" "Content-Security-Policy: default-src 'self'" "CSP"

# routing: unknown path 404, wrong method 405, bad id 404
req GET /nope ""; want 404 "unknown path"
expect_contains "$BODY" '"code":"not_found"' "404 code"
req DELETE /health ""; want 405 "wrong method"
req GET /users/abc "" -b "$TMP/none"; want 404 "non-numeric id"

# not signed in
req GET /auth/me ""; want 401 "me without a session"
expect_contains "$BODY" '"code":"unauthenticated"' "401 code"
req GET /users "" -b "pgd_session=$(printf 'a%.0s' $(seq 1 64))"; want 401 "made-up session"

# bad bodies: invalid JSON 400, over 1 MB 413, missing field 400
req POST /auth/login '{"username":'; want 400 "invalid JSON"
expect_contains "$BODY" '"code":"invalid"' "invalid JSON code"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$TMP/big"
CODE=$(curl -s -o "$TMP/b" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$TMP/big" \
	"$API/auth/login"); BODY=$(cat "$TMP/b")
want 413 "body over 1 MB"
expect_contains "$BODY" '"code":"too_large"' "413 code"
req POST /auth/login '{"username":"sysadm"}'; want 400 "missing password"
expect_contains "$BODY" '"field":"password"' "missing field named"

# ---- sign in ----
req POST /auth/login '{"username":"sysadm","password":"wrong-password"}'; want 401 "wrong password"
expect_contains "$BODY" "用户名或密码错误" "wrong password message"
req POST /auth/login '{"username":"nobody","password":"Sys-Admin-2026"}'; want 401 "unknown user"
expect_contains "$BODY" "用户名或密码错误" "unknown user gets the same message"
req POST /auth/login '{"username":"sysadm","password":"Sys-Admin-2026"}' -c "$TMP/jar"; want 200 "login"
expect_contains "$HDRS" "Set-Cookie: pgd_session=" "session cookie set"
expect_contains "$HDRS" "HttpOnly; SameSite=Strict; Path=/" "cookie flags"
COOKIE=$(printf '%s' "$HDRS" | sed -n 's/^Set-Cookie: pgd_session=\([0-9a-f]*\);.*/\1/p' | tr -d '\r')
[ ${#COOKIE} -eq 64 ] && ok || fail "cookie token is 64 hex, got '${COOKIE}'"
CSRF=$(printf '%s' "$BODY" | jq -r .csrf_token)
[ ${#CSRF} -eq 64 ] && ok || fail "csrf token is 64 hex, got '$CSRF'"
[ "$(printf '%s' "$BODY" | jq -r '.user.roles[0]')" = system_admin ] && ok || fail "login user roles: $BODY"
[ "$(printf '%s' "$BODY" | jq -r '.user.permissions | index("users.manage") != null')" = true ] && ok ||
	fail "login lists permissions: $BODY"

req GET /auth/me "" -b "$TMP/jar"; want 200 "me"
[ "$(printf '%s' "$BODY" | jq -r .user.username)" = sysadm ] && ok || fail "me names the user: $BODY"
[ "$(printf '%s' "$BODY" | jq -r .csrf_token)" = "$CSRF" ] && ok || fail "me returns the same csrf"

# permissions: the system admin may not read the audit log or set the policy
req GET /audit "" -b "$TMP/jar"; want 403 "system admin reading the audit log"
expect_contains "$BODY" '"code":"forbidden"' "403 code"
req GET /users "" -b "$TMP/jar"; want 200 "users list"
[ "$(printf '%s' "$BODY" | jq -r .total)" = 4 ] && ok || fail "four users listed: $BODY"

# CSRF: a change without the header is refused, with a wrong one too, with the right one allowed
NEWU='{"username":"op2","display_name":"钱七","password":"Office-Op2-2026","roles":["office_operator"]}'
req POST /users "$NEWU" -b "$TMP/jar"; want 403 "POST without CSRF"
expect_contains "$BODY" '"code":"csrf"' "csrf code"
req POST /users "$NEWU" -b "$TMP/jar" -H "X-CSRF-Token: $(printf '0%.0s' $(seq 1 64))"; want 403 "wrong CSRF"
req POST /users "$NEWU" -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"; want 201 "POST with CSRF"
[ "$(printf '%s' "$BODY" | jq -r .must_change_password)" = true ] && ok || fail "new user must change password"
NEWID=$(printf '%s' "$BODY" | jq -r .id)
req POST /users "$NEWU" -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"; want 409 "duplicate user"
req POST /users '{"username":"adm2","display_name":"审","password":"Audit-Adm-2026","roles":["audit_admin"]}' \
	-b "$TMP/jar" -H "X-CSRF-Token: $CSRF"; want 403 "system admin creating an admin"
# 三员分立: the system admin may not reset another administrator's password or disable them
req GET "/users?search=auditor" "" -b "$TMP/jar"; AUDID=$(printf '%s' "$BODY" | jq -r '.items[0].id')
req POST "/users/$AUDID/password" '{"password":"Taken-Over-2026"}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
want 403 "system admin resetting the audit admin"
req PUT "/users/$AUDID" '{"active":false}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
want 403 "system admin disabling the audit admin"
# disable op2: it can no longer sign in
req PUT "/users/$NEWID" '{"active":false}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"; want 200 "disable user"
[ "$(printf '%s' "$BODY" | jq -r .active)" = false ] && ok || fail "user disabled: $BODY"
req POST /auth/login '{"username":"op2","password":"Office-Op2-2026"}'; want 403 "disabled user login"

# ---- lockout: 5 failures lock the username; the right password stays refused ----
for i in 1 2 3 4; do
	req POST /auth/login '{"username":"victim","password":"bad-guess-'$i'"}'; want 401 "failure $i"
done
req POST /auth/login '{"username":"victim","password":"bad-guess-5"}'; want 423 "fifth failure locks"
expect_contains "$BODY" '"code":"locked"' "locked code"
expect_contains "$BODY" "30 分钟" "minutes left named"
req POST /auth/login '{"username":"victim","password":"Locked-User-2026"}'; want 423 "right password while locked"
# an operator on the server resets the password: unlocked, must change it
printf 'Fresh-Start-2026\n' >"$TMP/pw"
expect_status 0 "$PGD" user password --db "$DB" --username victim --password-file "$TMP/pw"
expect_contains "$OUT" "victim" "password reset names the user"
expect_status 2 "$PGD" user password --db "$DB" --username nobody --password-file "$TMP/pw"
req POST /auth/login '{"username":"victim","password":"Locked-User-2026"}'; want 401 "old password after reset"
req POST /auth/login '{"username":"victim","password":"Fresh-Start-2026"}'; want 200 "new password after reset"
[ "$(printf '%s' "$BODY" | jq -r .user.must_change_password)" = true ] && ok || fail "reset user must change password"
# another user is not affected
req POST /auth/login '{"username":"op1","password":"Office-Op-2026"}' -c "$TMP/jar2"; want 200 "other user still signs in"

# ---- the web app ----
CODE=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$URL/"); BODY=$(cat "$TMP/b"); HDRS=$(cat "$TMP/h")
want 200 "index"
expect_contains "$BODY" "pubguard-test-index" "index served"
expect_contains "$HDRS" "Content-Type: text/html" "index type"
expect_contains "$HDRS" "X-Frame-Options: DENY" "frame options on the app"
CODE=$(curl -s -o "$TMP/b" -w '%{http_code}' "$URL/units/12"); BODY=$(cat "$TMP/b")
want 200 "client route"
expect_contains "$BODY" "pubguard-test-index" "client route falls back to index.html"
CODE=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$URL/assets/app-1234.js"); HDRS=$(cat "$TMP/h")
want 200 "asset"
expect_contains "$HDRS" "Content-Type: text/javascript" "js type"
CODE=$(curl -s -D "$TMP/h" -o /dev/null -w '%{http_code}' "$URL/assets/app.css"); HDRS=$(cat "$TMP/h")
expect_contains "$HDRS" "Content-Type: text/css" "css type"
CODE=$(curl -s -D "$TMP/h" -o /dev/null -w '%{http_code}' "$URL/manifest.json"); HDRS=$(cat "$TMP/h")
expect_contains "$HDRS" "Content-Type: application/json" "json type"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL/assets/missing.js"); want 404 "missing asset"
CODE=$(curl -s --path-as-is -o "$TMP/b" -w '%{http_code}' "$URL/assets/../../pg.db"); BODY=$(cat "$TMP/b")
want 400 "dot-dot path"
expect_not_contains "$BODY" "SQLite" "no file outside the web root"

# ---- online backup while the server runs ----
expect_status 0 "$PGD" db backup --db "$DB" "$TMP/backup.db"
expect_contains "$OUT" "backup.db" "backup reports the file"
expect_status 0 "$PGD" audit verify --db "$TMP/backup.db"
expect_contains "$OUT" "审计日志完整" "the backup's audit chain verifies"
expect_status 2 "$PGD" db backup --db "$DB" "$TMP/backup.db"
expect_contains "$ERR" "已存在" "backup never overwrites"
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from users").fetchone()[0])' "$TMP/backup.db")
[ "$n" = 5 ] && ok || fail "backup holds the 5 users, got $n"

# logout ends the session
req POST /auth/logout "" -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"; want 204 "logout"
expect_contains "$HDRS" "Max-Age=0" "logout clears the cookie"
req GET /auth/me "" -b "$TMP/jar"; want 401 "me after logout"

# ---- session timeouts (clock moved back in the database): idle 30 min, 15 for admins; 12 h ----
age() { # USERNAME COLUMN SQLITE-MODIFIER: move that user's sessions' column back in time
	python3 - "$DB" "$1" "$2" "$3" <<'PY'
import sqlite3, sys
db, user, col, mod = sys.argv[1:]
c = sqlite3.connect(db, timeout=10)
c.execute(f"UPDATE sessions SET {col} = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?) "
          "WHERE user_id = (SELECT id FROM users WHERE username = ?)", (mod, user))
c.commit()
PY
}
age op1 last_seen_at '-16 minutes'
req GET /auth/me "" -b "$TMP/jar2"; want 200 "unit user idle 16 min"
age op1 last_seen_at '-31 minutes'
req GET /auth/me "" -b "$TMP/jar2"; want 401 "unit user idle 31 min"
req POST /auth/login '{"username":"sysadm","password":"Sys-Admin-2026"}' -c "$TMP/jar3"; want 200 "admin login again"
age sysadm last_seen_at '-16 minutes'
req GET /auth/me "" -b "$TMP/jar3"; want 401 "admin idle 16 min"
req POST /auth/login '{"username":"op1","password":"Office-Op-2026"}' -c "$TMP/jar4"; want 200 "op1 login again"
age op1 created_at '-721 minutes'
req GET /auth/me "" -b "$TMP/jar4"; want 401 "session older than 12 h"

# the audit log holds the sign-in events
expect_status 0 "$PGD" audit verify --db "$DB"
acts=$(python3 -c 'import sqlite3,sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select distinct action from audit_log order by action")))' "$DB")
for a in auth.locked auth.login auth.login_failed auth.logout user.create user.password_reset user.update; do
	expect_contains "$acts" "$a" "audit action $a"
done
leak=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit_log where after_json like ? or after_json like ?", ("%argon2%", "%Office-Op2%")).fetchone()[0])' "$DB")
[ "$leak" = 0 ] && ok || fail "a password or hash reached the audit log"

# ---- SIGTERM stops it cleanly ----
kill -TERM "$SPID"
stopped=0
for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
[ "$stopped" = 1 ] && ok || { fail "server still running after SIGTERM"; kill -KILL "$SPID"; }
wait "$SPID"; rc=$?
[ "$rc" = 0 ] && ok || fail "serve exited $rc after SIGTERM"

# ---- --workers N: local patrol workers, restarted when they die, stopped with the server ----
expect_status 2 "$PGD" serve --db "$TMP/w.db" --workers 33
expect_contains "$ERR" "--workers" "a bad --workers named"
"$PGD" serve --db "$TMP/w.db" --listen 127.0.0.1:0 --port-file "$TMP/wport" --threads 2 --workers 2 \
	--no-scheduler >"$TMP/wserve.out" 2>"$TMP/wserve.err" &
WPID=$!
for _ in $(seq 1 100); do [ -s "$TMP/wport" ] && break; sleep 0.1; done
WPORT=$(cat "$TMP/wport" 2>/dev/null)
sleep 1
kids() { pgrep -P "$WPID" | sort; }
K=$(kids)
[ "$(echo "$K" | grep -c .)" = 2 ] && ok || fail "--workers 2: want 2 child processes, got '$K'; $(cat "$TMP/wserve.err")"
for k in $K; do
	cmd=$(tr '\0' ' ' <"/proc/$k/cmdline")
	expect_contains "$cmd" "worker --server http://127.0.0.1:$WPORT --token-file $TMP/w.db.worker-token" \
		"a worker child's command line"
done
mode=$(stat -c %a "$TMP/w.db.worker-token" 2>/dev/null)
[ "$mode" = 600 ] && ok || fail "the worker token file is 0600, got '$mode'"
grep -Eq '^[0-9a-f]{64}$' "$TMP/w.db.worker-token" && ok || fail "the worker token file holds 64 hex digits"
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from workers where name = ? and revoked_at is null", ("local",)).fetchone()[0])' "$TMP/w.db")
[ "$n" = 1 ] && ok || fail "the local worker is registered, got '$n'"
# one dies: it is restarted (at most once per 10 s after its last start)
victim=$(echo "$K" | head -1)
kill -KILL "$victim"
restarted=0
for _ in $(seq 1 140); do
	K2=$(kids)
	if [ "$(echo "$K2" | grep -c .)" = 2 ] && ! echo "$K2" | grep -qx "$victim"; then restarted=1; break; fi
	sleep 0.1
done
[ "$restarted" = 1 ] && ok || fail "a killed worker was not restarted: children '$(kids)'"
K=$(kids)
kill -TERM "$WPID"
stopped=0
for _ in $(seq 1 200); do kill -0 "$WPID" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
[ "$stopped" = 1 ] && ok || { fail "server with workers still running after SIGTERM"; kill -KILL "$WPID"; }
wait "$WPID"
left=""
for k in $K; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
[ -z "$left" ] && ok || { fail "workers still running after the server stopped:$left"; kill -KILL $left; }

finish
