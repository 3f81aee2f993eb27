"""The audit log over HTTP and on disk: every change with actor and before/after, filters,
GET /audit/verify, and tampering found by `pubguard audit verify --db` and by the API. Runs
last: it stops the server to change the database file."""

import os
import re
import sqlite3

from harness import PASSWORD, PASSWORD2

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _entries(c, **q):
    q.setdefault("page_size", 500)
    r = c.get("/audit", query=q)
    c.must(r, 200, "GET /audit %r" % q)
    return r.json


def test_changes_audited(ctx):
    ck = ctx.check
    city = ctx.city
    office = city.client("office1")
    aud = city.client("auditadmin")
    u = city.new_unit("审计测试单位", "organ")
    r = office.put("/units/%d" % u["id"], {"name": "审计测试单位", "kind": "organ", "party_body": "中共审计测试党组",
                                           "parent_id": None, "principal_head_person_id": None})
    office.must(r, 200, "update unit")
    items = _entries(aud, actor="office1")["items"]
    mine = [e for e in items if e.get("subject") == "unit:%d" % u["id"]]
    ck.ok(len(mine) == 2, "two entries for the unit (create, update): %r" % mine)
    if len(mine) == 2:
        upd, cre = mine  # newest first
        ck.ok(set(cre) == {"seq", "at", "actor", "action", "subject", "before", "after"},
              "audit entry keys: %r" % sorted(cre))
        ck.ok(upd["seq"] > cre["seq"] and TS.match(cre.get("at") or ""), "seq order and timestamp: %r" % mine)
        ck.ok(cre.get("actor") == "office1" and "unit" in (cre.get("action") or "") and cre.get("before") is None
              and (cre.get("after") or {}).get("name") == "审计测试单位", "create entry: %r" % cre)
        ck.ok((upd.get("before") or {}).get("party_body") == "中共审计测试单位委员会"
              and (upd.get("after") or {}).get("party_body") == "中共审计测试党组" and upd.get("action") != cre.get("action"),
              "update entry has before and after: %r" % upd)
        only = _entries(aud, action=cre.get("action"))["items"]
        ck.ok(only and all(e.get("action") == cre.get("action") for e in only), "action= filter")
    seqs = [e.get("seq") for e in items]
    ck.ok(seqs == sorted(seqs, reverse=True), "newest first")
    # people, platforms, users, roles: each change has an entry naming its subject
    p = city.new_person(u["id"], "审计人员")
    ck.status(office.post("/people/%d/leave" % p["id"]), 200, "person leaves")
    subj = [e for e in _entries(aud, actor="office1")["items"] if e.get("subject") == "person:%d" % p["id"]]
    ck.ok(len(subj) == 2 and (subj[0].get("before") or {}).get("active") in (True, 1, "active") and
          (subj[0].get("after") or {}).get("active") in (False, 0, "left"),
          "person create + leave audited with before/after: %r" % subj)
    us = _entries(aud, actor="sysadmin")["items"]
    ck.ok(any(e.get("subject") == "user:%d" % city.user_ids["victim"] for e in us),
          "user changes by sysadmin audited: %r" % [e.get("action") for e in us[:5]])
    rs = _entries(aud, actor="secadmin")["items"]
    ck.ok(any((e.get("after") or {}).get("roles") is not None for e in rs), "role assignment audited with roles")
    logins = _entries(aud, action="auth.login")["items"]
    ck.ok(any(e.get("actor") == "a_author" for e in logins), "logins audited (auth.login)")
    failed = _entries(aud, action="auth.login_failed")["items"]
    ck.ok(any(e.get("actor") in ("lockme", "anonymous") or "lockme" in str(e.get("subject")) for e in failed),
          "failed logins audited (auth.login_failed)")
    everything = aud.get("/audit", query={"page_size": 500})
    for pw in (PASSWORD, PASSWORD2):
        ck.ok(pw.encode() not in everything.data, "no password in the audit log")
    ck.ok(b"argon2" not in everything.data.lower(), "no password hash in the audit log")
    ck.error(office.get("/audit"), 403, "forbidden", "office cannot read the audit log")
    ck.status(aud.request("DELETE", "/audit"), 405, "nobody deletes the audit log")
    ck.status(aud.put("/audit", {}), 405, "nobody rewrites the audit log")


# Every kind of change the suite made before this module, and whether its entry must carry the
# state before (changes of an existing record) as well as after.
CHANGES = [("unit.create", False), ("unit.update", True), ("unit.retire", True), ("person.create", False),
           ("person.update", True), ("person.leave", True), ("platform.create", False),
           ("platform.update", True), ("platform.close", True), ("filing.create", False),
           ("custody.set", False), ("custody.reveal", False), ("handover.create", False),
           ("handover.confirm", True), ("handover.cancel", True), ("user.create", False), ("user.update", True),
           ("user.roles", True), ("user.unlock", True), ("user.password_reset", False),
           ("settings.password_policy", True), ("import.units", False), ("import.people", False),
           ("import.platforms", False)]


def test_every_change_kind_audited(ctx):
    ck = ctx.check
    aud = ctx.city.client("auditadmin")
    for action, needs_before in CHANGES:
        items = _entries(aud, action=action)["items"]
        ck.ok(len(items) > 0, "audit has %s entries" % action)
        ck.ok(all(e.get("actor") and e.get("actor") != "anonymous" for e in items), "%s entries name the actor" % action)
        ck.ok(all(e.get("after") is not None for e in items), "%s entries carry the state after" % action)
        if needs_before:
            ck.ok(all(e.get("before") is not None for e in items), "%s entries carry the state before" % action)


def test_verify_and_tamper(ctx):
    ck = ctx.check
    city = ctx.city
    aud = city.client("auditadmin")
    v = aud.get("/audit/verify")
    ck.status(v, 200, "GET /audit/verify")
    j = v.json or {}
    total = aud.get("/audit", query={"page_size": 1}).json.get("total")
    ck.ok(j.get("ok") is True and j.get("bad_seq") is None and j.get("count") == total and total > 10,
          "verify ok with the count of entries: %r (total %r)" % (j, total))
    srv = ctx.server
    srv.stop()
    rc, out, err = srv.cli("audit", "verify", "--db", srv.db)
    ck.ok(rc == 0, "pubguard audit verify on the untouched database exits 0: %d %s%s" % (rc, out, err))
    db = sqlite3.connect(srv.db)
    try:
        n = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        ck.ok(n == total, "audit_log rows %d == API total %d" % (n, total))
        k = n // 2
        cases = []
        actor = db.execute("SELECT actor FROM audit_log WHERE seq = ?", (k,)).fetchone()[0]
        flipped = chr(ord(actor[0]) ^ 1) + actor[1:]
        cases.append(("one byte of the actor of entry %d" % k, k,
                      ("UPDATE audit_log SET actor = ? WHERE seq = ?", (flipped, k))))
        j2 = db.execute("SELECT seq, after_json FROM audit_log WHERE after_json LIKE '%\"name\"%' "
                        "ORDER BY seq LIMIT 1").fetchone()
        if j2:
            s2, text = j2
            i = text.index('"name"') + 1
            cases.append(("one byte of the after JSON of entry %d" % s2, s2,
                          ("UPDATE audit_log SET after_json = ? WHERE seq = ?",
                           (text[:i] + chr(ord(text[i]) ^ 32) + text[i + 1:], s2))))
        cases.append(("the deletion of entry %d" % (k + 1), k + 2,
                      ("DELETE FROM audit_log WHERE seq = ?", (k + 1,))))
    finally:
        db.close()
    for what, bad_seq, (sql, args) in cases:
        copy = os.path.join(srv.tmp, "tampered.db")
        if os.path.exists(copy):
            os.unlink(copy)
        src = sqlite3.connect(srv.db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.execute(sql, args)
        dst.commit()
        dst.close()
        rc, out, err = srv.cli("audit", "verify", "--db", copy)
        ck.ok(rc == 1, "audit verify exits 1 after %s: %d" % (what, rc))
        ck.ok(re.search(r"(?<!\d)%d(?!\d)" % bad_seq, out + err) is not None,
              "audit verify names entry %d after %s: %r" % (bad_seq, what, out + err))
    # tamper with the real file, restart: the API reports it too
    db = sqlite3.connect(srv.db)
    sql, args = cases[0][2]
    db.execute(sql, args)
    db.commit()
    db.close()
    srv.start()
    v = city.fresh_login("auditadmin").get("/audit/verify")
    ck.status(v, 200, "GET /audit/verify after tampering")
    j = v.json or {}
    ck.ok(j.get("ok") is False and j.get("bad_seq") == cases[0][1]
          and re.search("[\u4e00-\u9fff]", j.get("message") or ""), "verify names the bad entry: %r" % j)
