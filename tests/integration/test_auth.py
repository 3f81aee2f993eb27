"""Sign-in, sessions, CSRF, lockout, disabled users, timeouts, admin role separation."""

import datetime
import re
import sqlite3

from harness import PASSWORD, Client

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _new_author(ctx, username, person_name):
    city = ctx.city
    pid = city.new_person(city.unit_a, person_name)["id"]
    return city.create_user(username, person_name, ["author"], pid)


def _sets_session(r):
    """True when r sets a non-empty pgd_session cookie."""
    return any(re.match(r"\s*pgd_session=[^;\s]+", v) for v in r.header("Set-Cookie"))


def _user_row(ctx, username):
    c = ctx.city.client("sysadmin")
    r = c.get("/users", query={"page_size": 500, "search": username})
    for u in (r.json or {}).get("items", []):
        if u.get("username") == username:
            return u
    return None


def test_health(ctx):
    ck = ctx.check
    r = Client(ctx.server)
    resp = r.get("/health")
    ck.status(resp, 200, "GET /health")
    ck.ok(resp.json == {"status": "ok", "version": "0.1.0"}, "health body, got %r" % resp)
    ck.ok("nosniff" in resp.header("X-Content-Type-Options"), "X-Content-Type-Options nosniff on /api")
    ck.ok(any("no-store" in v for v in resp.header("Cache-Control")), "Cache-Control no-store on /api")
    ck.ok("DENY" in [v.upper() for v in resp.header("X-Frame-Options")], "X-Frame-Options DENY")


def test_login_cookie_me_logout(ctx):
    ck = ctx.check
    city = ctx.city
    c = Client(ctx.server, "a_author")
    r = c.login("a_author", city.passwords["a_author"])
    ck.status(r, 200, "login a_author")
    cookies = [v for v in r.header("Set-Cookie") if v.strip().startswith("pgd_session=")]
    ck.ok(len(cookies) == 1, "exactly one pgd_session Set-Cookie, got %r" % r.header("Set-Cookie"))
    if cookies:
        parts = [p.strip() for p in cookies[0].split(";")]
        ck.ok(HEX64.match(parts[0][len("pgd_session="):]) is not None, "session token is 64 hex: %r" % parts[0])
        low = [p.lower() for p in parts]
        ck.ok("httponly" in low, "cookie HttpOnly: %r" % cookies[0])
        ck.ok("samesite=strict" in low, "cookie SameSite=Strict: %r" % cookies[0])
        ck.ok("path=/" in low, "cookie Path=/: %r" % cookies[0])
    j = r.json or {}
    u = j.get("user") or {}
    ck.ok(u.get("username") == "a_author", "login answers the user: %r" % r)
    ck.ok(u.get("roles") == ["author"], "roles of a_author: %r" % u.get("roles"))
    ck.ok(u.get("unit_id") == city.unit_a and u.get("unit_name") == "测试甲街道",
          "a_author's unit is 测试甲街道: %r" % u)
    ck.ok(sorted(u.get("permissions") or []) == ["custody", "patrol.read", "registry.read"],
          "author's permissions are registry.read + custody + patrol.read: %r" % u.get("permissions"))
    ck.ok("password_hash" not in u and "password" not in u, "no password in the user object")
    ck.ok(isinstance(j.get("csrf_token"), str) and len(j["csrf_token"]) >= 32, "csrf_token given: %r" % r)
    me = c.get("/auth/me")
    ck.status(me, 200, "GET /auth/me")
    mj = me.json or {}
    ck.ok((mj.get("user") or {}).get("username") == "a_author", "/auth/me names the user: %r" % me)
    ck.ok(mj.get("csrf_token") == c.csrf, "/auth/me gives the same csrf token")
    roles = c.get("/roles")
    ck.status(roles, 200, "GET /roles")
    names = [x.get("name") for x in (roles.json or {}).get("items", [])]
    ck.ok(len(names) == 14 and "liaison" in names and "audit_admin" in names, "14 roles listed: %r" % names)
    labels = {x.get("name"): x.get("label") for x in (roles.json or {}).get("items", [])}
    ck.ok(labels.get("liaison") == "联络员", "liaison's label is 联络员: %r" % labels.get("liaison"))
    ck.status(c.get("/dashboard"), 200, "GET /dashboard as author")
    # logout needs the CSRF token
    ck.error(c.post("/auth/logout", csrf=False), 403, "csrf", "logout without X-CSRF-Token")
    ck.error(c.post("/auth/logout", csrf=False, headers={"X-CSRF-Token": "0" * 64}), 403, "csrf",
             "logout with a wrong X-CSRF-Token")
    ck.status(c.get("/auth/me"), 200, "session still valid after refused logouts")
    out = c.post("/auth/logout")
    ck.status(out, 204, "logout")
    ck.error(c.get("/auth/me"), 401, "unauthenticated", "the old cookie after logout")


def test_unauthenticated(ctx):
    ck = ctx.check
    anon = Client(ctx.server)
    ck.error(anon.get("/auth/me"), 401, "unauthenticated", "GET /auth/me without a cookie")
    ck.error(anon.get("/units"), 401, "unauthenticated", "GET /units without a cookie")
    ck.error(anon.post("/units", {"name": "无名", "kind": "town"}), 401, "unauthenticated",
             "POST /units without a cookie")
    anon.session = "ab" * 32
    ck.error(anon.get("/auth/me"), 401, "unauthenticated", "GET /auth/me with an unknown session token")
    anon.session = "not-hex"
    ck.error(anon.get("/auth/me"), 401, "unauthenticated", "GET /auth/me with a malformed session token")


def test_wrong_password(ctx):
    ck = ctx.check
    c = Client(ctx.server)
    r = c.login("a_proofreader", "Wrong-password-1")
    ck.error(r, 401, "unauthenticated", "wrong password")
    ck.ok(r.error().get("message") == "用户名或密码错误", "wrong password message: %r" % r)
    ck.ok(not _sets_session(r), "no session cookie after a wrong password: %r" % r.header("Set-Cookie"))
    r = c.login("nosuch_user_x", "Wrong-password-1")
    ck.error(r, 401, "unauthenticated", "unknown user")
    ck.ok(r.error().get("message") == "用户名或密码错误", "unknown user gets the same message: %r" % r)
    ck.error(c.post("/auth/login", {"username": "a_proofreader"}, csrf=False), 400, "invalid",
             "login without password", field="password")
    # a wrong password does not count for another account
    ck.status(Client(ctx.server).login("a_proofreader", ctx.city.passwords["a_proofreader"]), 200,
              "right password after one failure")


def test_lockout(ctx):
    ck = ctx.check
    city = ctx.city
    u = _new_author(ctx, "lockme", "甲锁定")
    c = Client(ctx.server)
    for i in range(1, 5):
        ck.error(c.login("lockme", "Wrong-password-%d" % i), 401, "unauthenticated", "failure %d of 5" % i)
    r5 = c.login("lockme", "Wrong-password-5")
    ck.status(r5, (401, 423), "the fifth failure")
    r = c.login("lockme", PASSWORD)
    ck.error(r, 423, "locked", "the RIGHT password after 5 failures")
    msg = r.error().get("message") or ""
    ck.ok(re.search(r"\d+\s*分钟", msg) is not None, "the locked message names the minutes left: %r" % msg)
    ck.ok(not _sets_session(r), "no session cookie while locked: %r" % r.header("Set-Cookie"))
    ck.error(c.login("lockme", PASSWORD), 423, "locked", "locked stays locked (second try, right password)")
    row = _user_row(ctx, "lockme")
    ck.ok(row is not None and row.get("locked") is True and row.get("locked_until"),
          "GET /users shows lockme locked with locked_until: %r" % row)
    # only the security admin unlocks
    ck.error(city.client("sysadmin").post("/users/%d/unlock" % u["id"]), 403, "forbidden",
             "system admin cannot unlock")
    ck.error(city.client("office1").post("/users/%d/unlock" % u["id"]), 403, "forbidden", "office cannot unlock")
    ck.error(c.login("lockme", PASSWORD), 423, "locked", "still locked after refused unlocks")
    ck.status(city.client("secadmin").post("/users/%d/unlock" % u["id"]), 204, "security admin unlocks")
    ck.status(c.login("lockme", PASSWORD), 200, "login after unlock")
    # unknown names lock the same way (no way to tell which names exist)
    g = Client(ctx.server)
    for i in range(5):
        g.login("ghost_user", "Wrong-password-%d" % i)
    ck.error(g.login("ghost_user", "Wrong-password-9"), 423, "locked", "an unknown username locks too")


def test_password_change_required(ctx):
    """A user created by the system admin must change the initial password before anything else."""
    ck = ctx.check
    _new_author(ctx, "mustchange", "甲改密")
    c = Client(ctx.server)
    r = c.login("mustchange", PASSWORD)
    ck.status(r, 200, "login with the initial password")
    ck.ok(((r.json or {}).get("user") or {}).get("must_change_password") is True,
          "login answer says must_change_password: %r" % r)
    r = c.get("/dashboard")
    ck.ok(r.status == 403 and r.error().get("code") == "password_change_required",
          "the dashboard is refused until the password is changed: %r" % r)
    ck.status(c.get("/platforms"), 403, "lists are refused until the password is changed")
    ck.status(c.get("/auth/me"), 200, "/auth/me stays open")
    ck.status(c.post("/auth/password", {"old_password": PASSWORD, "new_password": "Changed-pass-77"}), 204,
              "the user changes the initial password")
    r = c.get("/auth/me")
    ck.ok(((r.json or {}).get("user") or {}).get("must_change_password") is False,
          "must_change_password is false after the change: %r" % r)
    ck.status(c.get("/dashboard"), 200, "the dashboard opens after the change")


def test_disabled_user(ctx):
    ck = ctx.check
    city = ctx.city
    u = _new_author(ctx, "disableme", "甲停用")
    c = Client(ctx.server)
    ck.status(c.login("disableme", PASSWORD), 200, "login before disabling")
    r = city.client("sysadmin").put("/users/%d" % u["id"], {"display_name": "甲停用", "person_id": u.get("person_id"),
                                                           "active": False})
    ck.status(r, 200, "system admin disables a user")
    ck.ok((r.json or {}).get("active") is False, "user answer says active false: %r" % r)
    r = Client(ctx.server).login("disableme", PASSWORD)
    ck.ok(r.status in (401, 403) and r.error().get("code") in ("unauthenticated", "forbidden"),
          "a disabled user cannot log in: %r" % r)
    ck.status(c.get("/auth/me"), 401, "the disabled user's existing session is refused")


def test_csrf_on_changes(ctx):
    ck = ctx.check
    office = ctx.city.client("office1")
    body = {"name": "CSRF测试单位", "kind": "town"}
    ck.error(office.post("/units", body, csrf=False), 403, "csrf", "POST /units without X-CSRF-Token")
    ck.error(office.post("/units", body, csrf=False, headers={"X-CSRF-Token": "f" * 64}), 403, "csrf",
             "POST /units with a wrong X-CSRF-Token")
    other = ctx.city.client("a_liaison")
    ck.error(office.post("/units", body, csrf=False, headers={"X-CSRF-Token": other.csrf}), 403, "csrf",
             "POST /units with another session's CSRF token")
    r = office.get("/units", query={"search": "CSRF测试单位"})
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 0, "no unit was created by refused requests: %r" % r)


def test_password_change(ctx):
    ck = ctx.check
    city = ctx.city
    _new_author(ctx, "pwuser", "甲改密")
    c = city.fresh_login("pwuser")
    cur = city.passwords["pwuser"]
    r = c.post("/auth/password", {"old_password": "Not-the-old-1", "new_password": "Brand-new-pass-1"})
    ck.ok(r.status in (400, 401, 403), "wrong old password refused: %r" % r)
    r = c.post("/auth/password", {"old_password": cur, "new_password": "short1A"})
    ck.error(r, 400, "invalid", "too short new password", field="new_password")
    r = c.post("/auth/password", {"old_password": cur, "new_password": "alllowercaseletters"})
    ck.error(r, 400, "invalid", "new password of one character class", field="new_password")
    r = c.post("/auth/password", {"old_password": cur, "new_password": "Brand-new-pass-1"})
    ck.status(r, 204, "password change")
    ck.error(Client(ctx.server).login("pwuser", cur), 401, "unauthenticated", "old password no longer works")
    ck.status(Client(ctx.server).login("pwuser", "Brand-new-pass-1"), 200, "new password works")
    city.passwords["pwuser"] = "Brand-new-pass-1"
    # the security admin reads and changes the policy; nobody else
    sec = city.client("secadmin")
    r = sec.get("/settings/password-policy")
    ck.status(r, 200, "GET password policy")
    ck.ok(r.json == {"min_length": 10, "require_classes": 3, "max_age_days": 90}, "default policy: %r" % r)
    r = sec.put("/settings/password-policy", {"min_length": 12, "require_classes": 3, "max_age_days": 90})
    ck.status(r, 200, "PUT password policy")
    r = c.post("/auth/password", {"old_password": "Brand-new-pass-1", "new_password": "Elevenchr-1"})
    ck.error(r, 400, "invalid", "11 characters under min_length 12", field="new_password")
    r = sec.put("/settings/password-policy", {"min_length": 0, "require_classes": 3, "max_age_days": 90})
    ck.error(r, 400, "invalid", "min_length 0 refused", field="min_length")
    ck.status(sec.put("/settings/password-policy", {"min_length": 10, "require_classes": 3, "max_age_days": 90}),
              200, "policy back to the default")


def test_admin_role_separation(ctx):
    ck = ctx.check
    city = ctx.city
    sec = city.client("secadmin")
    sysid = city.user_ids["sysadmin"]
    for roles in (["system_admin", "audit_admin"], ["system_admin", "security_admin"],
                  ["system_admin", "liaison"]):
        r = sec.put("/users/%d/roles" % sysid, {"roles": roles})
        ck.ok(r.status in (400, 403, 409) and r.error().get("code") in ("invalid", "forbidden", "conflict"),
              "refuse roles %r for one user: %r" % (roles, r))
    row = _user_row(ctx, "sysadmin")
    ck.ok(row is not None and row.get("roles") == ["system_admin"], "sysadmin still only system_admin: %r" % row)
    # the system admin may not hand out admin roles
    r = city.client("sysadmin").post("/users", {"username": "sneaky", "display_name": "越权", "person_id": None,
                                                "password": PASSWORD, "roles": ["audit_admin"]})
    ck.error(r, 403, "forbidden", "system admin creating an audit admin")
    ck.ok(_user_row(ctx, "sneaky") is None, "no user 'sneaky' was created")
    # the system admin cannot give itself roles
    ck.error(city.client("sysadmin").put("/users/%d/roles" % sysid, {"roles": ["system_admin", "liaison"]}),
             403, "forbidden", "system admin assigning roles")
    # the CLI refuses two admin roles too
    with open(city.pw_file, "w") as f:
        f.write(PASSWORD + "\n")
    rc, out, err = ctx.server.cli("user", "add", "--db", ctx.server.db, "--username", "twohats",
                                  "--display-name", "两个管理员", "--role", "system_admin", "--role", "audit_admin",
                                  "--password-file", city.pw_file)
    ck.ok(rc != 0, "pubguard user add with two admin roles fails (exit %d)" % rc)
    ck.ok(re.search("[\u4e00-\u9fff]", err + out) is not None, "the CLI says why in Chinese: %r" % (err + out))
    ck.ok(_user_row(ctx, "twohats") is None, "no user 'twohats' was created")


def _sessions_db(ctx):
    return sqlite3.connect(ctx.server.db, timeout=10)


def _shift(ts_text, minutes):
    """A timestamp `minutes` before now in the format of ts_text (ISO text or epoch number)."""
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes)
    if isinstance(ts_text, (int, float)):
        return int(now.timestamp())
    if ts_text.endswith("Z"):
        return now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return now.strftime("%Y-%m-%d %H:%M:%S")


def _age_sessions(ctx, user_id, idle_min, created_min):
    db = _sessions_db(ctx)
    try:
        row = db.execute("SELECT last_seen_at FROM sessions WHERE user_id = ?", (user_id,)).fetchone()
        if row is None:
            return False
        db.execute("UPDATE sessions SET last_seen_at = ?, created_at = ? WHERE user_id = ?",
                   (_shift(row[0], idle_min), _shift(row[0], created_min), user_id))
        db.commit()
        return True
    finally:
        db.close()


def test_session_timeouts(ctx):
    """Deterministic: the test ages the user's session rows in the database (WAL lets it
    write while the server runs), then asks again."""
    ck = ctx.check
    city = ctx.city
    u = _new_author(ctx, "idler", "甲闲置")
    uid = u["id"]
    c = city.fresh_login("idler")
    ck.ok(_age_sessions(ctx, uid, 29, 29), "session row of idler found")
    ck.status(c.get("/auth/me"), 200, "29 min idle: a unit user's session is still valid")
    c = city.fresh_login("idler")
    _age_sessions(ctx, uid, 31, 31)
    ck.error(c.get("/auth/me"), 401, "unauthenticated", "31 min idle: a unit user's session has expired")
    c = city.fresh_login("idler")
    _age_sessions(ctx, uid, 1, 12 * 60 + 1)
    ck.error(c.get("/auth/me"), 401, "unauthenticated", "12 h 1 min old (active a minute ago): absolute timeout")
    c = city.fresh_login("idler")
    _age_sessions(ctx, uid, 1, 11 * 60 + 50)
    ck.status(c.get("/auth/me"), 200, "11 h 50 min old and active: still valid")
    # an administrator: 15 minutes. A second audit admin, so the suite's own stays signed in.
    admin = city.create_user("audit2", "审计管理员二", ["audit_admin"])
    a = city.fresh_login("audit2")
    _age_sessions(ctx, admin["id"], 14, 14)
    ck.status(a.get("/auth/me"), 200, "14 min idle: an admin's session is still valid")
    a = city.fresh_login("audit2")
    _age_sessions(ctx, admin["id"], 16, 16)
    ck.error(a.get("/auth/me"), 401, "unauthenticated", "16 min idle: an admin's session has expired")
