"""Whole flows: review-group filings and 附件1, custody set/reveal, handover and confirmation,
flagged platforms whose manager left, and the dashboard counters that follow them."""

import re

from harness import Client

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class Ding:
    """Unit D (测试丁社区) with its own people and users, so these flows start from a known state."""

    def __init__(self, ctx):
        city = ctx.city
        self.city = city
        self.unit = city.new_unit("测试丁社区", "town")["id"]
        self.p = {}
        for key, name, post in [("leader", "丁分管", "副主任"), ("responsible", "丁审核", "审核负责人"),
                                ("liaison", "丁联络", "联络员"), ("member", "丁成员", "干事"),
                                ("mgr", "丁管理", "网管"), ("succ", "丁接任", "网管"), ("leaver", "丁将走", "网管")]:
            self.p[key] = city.new_person(self.unit, name, post=post)["id"]
        self.p["temp"] = city.new_person(self.unit, "丁临聘", "temporary", "临聘")["id"]
        for key, role in [("liaison", "liaison"), ("mgr", "liaison"), ("succ", "author"), ("leaver", "author")]:
            city.create_user("d_" + key, "丁" + key, [role], self.p[key])


def _dash(ctx):
    c = ctx.city.client("office1")
    return c.must(c.get("/dashboard"), 200, "dashboard")


def test_filings(ctx):
    ck = ctx.check
    d = Ding(ctx)
    ctx.ding = d
    city = ctx.city
    lia = city.client("d_liaison")
    dash0 = _dash(ctx)
    rg = lia.get("/review-groups")
    row = [i for i in (rg.json or {}).get("items", []) if i.get("unit_id") == d.unit]
    ck.ok(len(row) == 1 and row[0].get("state") == "missing" and row[0].get("filing_id") is None,
          "a unit without a filing is 'missing': %r" % row)
    good = [{"duty": "leader", "person_id": d.p["leader"]}, {"duty": "responsible", "person_id": d.p["responsible"]},
            {"duty": "liaison", "person_id": d.p["liaison"]}, {"duty": "member", "person_id": d.p["member"]}]
    bad = {
        "two leaders": good + [{"duty": "leader", "person_id": d.p["mgr"]}],
        "no liaison": [m for m in good if m["duty"] != "liaison"],
        "no responsible": [m for m in good if m["duty"] != "responsible"],
        "a person twice": good + [{"duty": "member", "person_id": d.p["leader"]}],
        "a person of another unit": good + [{"duty": "member", "person_id": city.person["author"]}],
        "a bad duty": good + [{"duty": "boss", "person_id": d.p["mgr"]}],
        "no such person": good + [{"duty": "member", "person_id": 999999}],
    }
    for what, members in bad.items():
        r = lia.post("/units/%d/filings" % d.unit, {"group_name": "丁审核小组", "note": None, "members": members})
        ck.error(r, 400, "invalid", "filing with %s" % what)
    ck.ok(lia.get("/units/%d/filings" % d.unit).json.get("items") == [], "refused filings wrote nothing")
    r = lia.post("/units/%d/filings" % d.unit, {"group_name": "丁审核小组", "note": "首次备案", "members": good})
    ck.status(r, 201, "file the review group")
    f = r.json or {}
    ck.ok(f.get("unit_id") == d.unit and f.get("unit_name") == "测试丁社区" and f.get("group_name") == "丁审核小组"
          and f.get("note") == "首次备案" and TS.match(f.get("filed_at") or "") and f.get("filed_by"),
          "filing fields: %r" % f)
    ms = f.get("members") or []
    ck.ok([(m.get("duty"), m.get("person_id")) for m in ms] == [(m["duty"], m["person_id"]) for m in good],
          "members in order with duties: %r" % ms)
    ck.ok(ms and ms[0].get("name") == "丁分管" and ms[0].get("post") == "副主任" and ms[0].get("active") is True,
          "member snapshot name/post/active: %r" % ms[:1])
    g = lia.get("/filings/%d" % f.get("id", 0))
    ck.ok(g.status == 200 and g.json == f, "GET /filings/{id} equals the created filing: %r" % g)
    pdf = lia.get("/filings/%d/pdf" % f.get("id", 0))
    ck.status(pdf, 200, "附件1 PDF")
    ck.ok(pdf.data[:5] == b"%PDF-", "PDF magic: %r" % pdf.data[:8])
    ck.ok(any("application/pdf" in v for v in pdf.header("Content-Type")), "Content-Type application/pdf")
    ck.ok(any("attachment" in v for v in pdf.header("Content-Disposition")), "Content-Disposition attachment")
    ck.error(lia.get("/filings/999999/pdf"), 404, "not_found", "PDF of a filing that does not exist")
    rg = lia.get("/review-groups", query={"unit_id": d.unit})
    row = [i for i in (rg.json or {}).get("items", []) if i.get("unit_id") == d.unit]
    ck.ok(len(row) == 1 and row[0].get("state") == "ok" and row[0].get("filing_id") == f.get("id")
          and row[0].get("problem") is None, "after filing the state is ok: %r" % row)
    # a second filing is newest first
    r2 = lia.post("/units/%d/filings" % d.unit, {"group_name": "丁审核小组", "note": "调整", "members": good[:3]})
    ck.status(r2, 201, "second filing")
    hist = [i.get("id") for i in lia.get("/units/%d/filings" % d.unit).json.get("items", [])]
    ck.ok(hist == [(r2.json or {}).get("id"), f.get("id")], "history newest first: %r" % hist)
    # the liaison leaves: outdated, naming the person
    ck.status(city.client("office1").post("/people/%d/leave" % d.p["liaison"]), 200, "the liaison leaves")
    rg = city.client("office1").get("/review-groups", query={"unit_id": d.unit})
    row = [i for i in (rg.json or {}).get("items", []) if i.get("unit_id") == d.unit]
    ck.ok(len(row) == 1 and row[0].get("state") == "outdated" and "丁联络" in (row[0].get("problem") or ""),
          "a member left: outdated naming 丁联络: %r" % row)
    dash1 = _dash(ctx)
    ck.ok(dash1.get("filings_missing") == dash0.get("filings_missing", 0) - 1,
          "dashboard filings_missing went down by one: %r -> %r" % (dash0.get("filings_missing"),
                                                                     dash1.get("filings_missing")))
    ck.ok(dash1.get("filings_outdated") == dash0.get("filings_outdated", 0) + 1,
          "dashboard filings_outdated went up by one: %r -> %r" % (dash0.get("filings_outdated"),
                                                                    dash1.get("filings_outdated")))
    # a filing naming a person who left is refused
    r = city.client("office1").post("/units/%d/filings" % d.unit,
                                    {"group_name": "丁审核小组", "note": None, "members": good})
    ck.error(r, 400, "invalid", "filing naming a person who left")


def test_custody_and_handover(ctx):
    ck = ctx.check
    city = ctx.city
    d = getattr(ctx, "ding", None) or Ding(ctx)
    office = city.client("office1")
    mgr, succ = city.client("d_mgr"), city.client("d_succ")
    pid = city.new_platform(d.unit, "丁社区微博", "weibo", "ding_weibo", d.p["mgr"])["id"]
    secret = "Ding-Secret-2026!"
    ck.status(succ.put("/platforms/%d/custody" % pid, {"account": "ding_weibo", "password": "x-Other-1"}), 403,
              "a colleague who is not the manager cannot set the secret")
    ck.error(mgr.put("/platforms/%d/custody" % pid, {"account": "ding_weibo"}), 400, "invalid",
             "custody without password", field="password")
    ck.status(mgr.put("/platforms/%d/custody" % pid, {"account": "ding_weibo", "password": secret}), 204,
              "the manager sets the secret")
    lst = office.get("/custody", query={"unit_id": d.unit, "page_size": 500})
    row = [i for i in (lst.json or {}).get("items", []) if i.get("platform_id") == pid]
    ck.ok(len(row) == 1 and row[0].get("has_secret") is True and row[0].get("manager_person_id") == d.p["mgr"]
          and row[0].get("manager_name") == "丁管理" and row[0].get("flagged") is False,
          "custody row: %r" % row)
    ck.ok(secret.encode() not in lst.data, "the custody list never carries the password")
    r = mgr.post("/platforms/%d/custody/reveal" % pid)
    ck.status(r, 200, "the manager reveals")
    ck.ok(r.json == {"account": "ding_weibo", "password": secret}, "reveal answers account + password: %r" % r)
    ck.error(office.post("/platforms/%d/custody/reveal" % pid), 403, "forbidden", "office cannot reveal")
    ck.error(succ.post("/platforms/%d/custody/reveal" % pid), 403, "forbidden", "a colleague cannot reveal")
    ck.error(city.client("a_liaison").post("/platforms/%d/custody/reveal" % pid), 404, "not_found",
             "another unit's liaison cannot reveal (nor learn the platform exists)")
    # handover: only the outgoing manager while they are active
    ck.error(office.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": None}), 403,
             "forbidden", "office starts a handover while the manager is active")
    ck.error(succ.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": None}), 403,
             "forbidden", "the incoming person starts a handover")
    for what, to in [("temporary staff", d.p["temp"]), ("another unit's person", city.person["successor"]),
                     ("the current manager", d.p["mgr"]), ("nobody", 999999)]:
        r = mgr.post("/platforms/%d/handovers" % pid, {"to_person_id": to, "note": None})
        ck.ok(r.status in (400, 403) and r.error().get("field") in ("to_person_id", None),
              "handover to %s refused: %r" % (what, r))
    dash0 = _dash(ctx)
    r = mgr.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": "岗位调整"})
    ck.status(r, 201, "the manager starts a handover")
    h = r.json or {}
    ck.ok(h.get("status") == "pending" and h.get("from_person_id") == d.p["mgr"]
          and h.get("to_person_id") == d.p["succ"] and h.get("platform_id") == pid and h.get("to_name") == "丁接任"
          and h.get("confirmed_at") is None, "pending handover: %r" % h)
    hid = h.get("id", 0)
    ck.error(mgr.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": None}), 409,
             "conflict", "a second pending handover")
    ck.ok(_dash(ctx).get("handovers_pending") == dash0.get("handovers_pending", 0) + 1, "handovers_pending +1")
    lst = office.get("/custody", query={"unit_id": d.unit, "page_size": 500})
    row = [i for i in (lst.json or {}).get("items", []) if i.get("platform_id") == pid]
    ck.ok(row and row[0].get("pending_handover_id") == hid, "custody row names the pending handover: %r" % row)
    ck.error(mgr.post("/handovers/%d/confirm" % hid), 403, "forbidden", "the outgoing manager cannot confirm")
    ck.error(office.post("/handovers/%d/confirm" % hid), 403, "forbidden", "office cannot confirm")
    ck.error(succ.post("/handovers/999999/confirm"), 404, "not_found", "confirm a handover that does not exist")
    r = succ.post("/handovers/%d/confirm" % hid)
    ck.status(r, 200, "the incoming manager confirms")
    ck.ok((r.json or {}).get("status") == "confirmed" and TS.match((r.json or {}).get("confirmed_at") or "")
          and (r.json or {}).get("confirmed_by"), "confirmed handover: %r" % r)
    ck.ok(office.get("/platforms/%d" % pid).json.get("manager_person_id") == d.p["succ"],
          "confirmation made the successor the manager")
    ck.ok(succ.post("/handovers/%d/confirm" % hid).status in (400, 409), "confirming twice is refused")
    r = succ.post("/platforms/%d/custody/reveal" % pid)
    ck.ok(r.status == 200 and (r.json or {}).get("password") == secret,
          "the new manager reveals the same secret: %r" % r)
    ck.error(mgr.post("/platforms/%d/custody/reveal" % pid), 403, "forbidden", "the old manager no longer can")
    ck.ok(_dash(ctx).get("handovers_pending") == dash0.get("handovers_pending", 0), "handovers_pending back")
    hl = office.get("/handovers", query={"page_size": 500})
    mine = [x for x in (hl.json or {}).get("items", []) if x.get("id") == hid]
    ck.ok(mine and mine[0].get("status") == "confirmed", "handover list shows it confirmed: %r" % mine)
    # the secret appears in no audit entry; the reveal is audited
    aud = city.client("auditadmin").get("/audit", query={"page_size": 500})
    ck.status(aud, 200, "audit list")
    ck.ok(secret.encode() not in aud.data, "the custody password is in no audit entry")
    reveals = [e for e in (aud.json or {}).get("items", []) if e.get("action") == "custody.reveal"
               and e.get("subject") == "platform:%d" % pid]
    ck.ok({e.get("actor") for e in reveals} == {"d_mgr", "d_succ"}, "custody.reveal audited per reveal: %r" % reveals)


def test_flagged_after_manager_left(ctx):
    ck = ctx.check
    city = ctx.city
    d = getattr(ctx, "ding", None) or Ding(ctx)
    office = city.client("office1")
    pid = city.new_platform(d.unit, "丁社区抖音", "douyin", "ding_douyin", d.p["leaver"])["id"]
    ck.status(city.client("d_leaver").put("/platforms/%d/custody" % pid,
                                          {"account": "ding_douyin", "password": "Leaver-pw-77"}), 204,
              "the manager sets the secret")
    dash0 = _dash(ctx)
    ck.status(office.post("/people/%d/leave" % d.p["leaver"]), 200, "the manager leaves")
    row = [i for i in office.get("/custody", query={"unit_id": d.unit, "page_size": 500}).json.get("items", [])
           if i.get("platform_id") == pid]
    ck.ok(row and row[0].get("flagged") is True and row[0].get("flag_reason") == "管理员已离职且未交接"
          and row[0].get("manager_active") is False, "platform flagged: %r" % row)
    ck.ok(_dash(ctx).get("custody_flagged") == dash0.get("custody_flagged", 0) + 1, "custody_flagged +1")
    # now the office may start the handover
    r = office.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": "原管理员离职"})
    ck.status(r, 201, "office starts the handover of a manager who left")
    hid = (r.json or {}).get("id", 0)
    ck.ok((r.json or {}).get("from_person_id") == d.p["leaver"], "from the person who left: %r" % r)
    ck.status(city.client("d_succ").post("/handovers/%d/confirm" % hid), 200, "successor confirms")
    row = [i for i in office.get("/custody", query={"unit_id": d.unit, "page_size": 500}).json.get("items", [])
           if i.get("platform_id") == pid]
    ck.ok(row and row[0].get("flagged") is False and row[0].get("manager_person_id") == d.p["succ"],
          "no longer flagged after the handover: %r" % row)
    ck.ok(_dash(ctx).get("custody_flagged") == dash0.get("custody_flagged", 0), "custody_flagged back")
    r = city.client("d_succ").post("/platforms/%d/custody/reveal" % pid)
    ck.ok(r.status == 200 and (r.json or {}).get("password") == "Leaver-pw-77", "successor reveals: %r" % r)


def test_dashboard_shape(ctx):
    ck = ctx.check
    j = _dash(ctx)
    for k in ("units", "people", "platforms", "filings_missing", "filings_outdated", "custody_flagged",
              "handovers_pending"):
        ck.ok(isinstance(j.get(k), int), "dashboard %s is an integer: %r" % (k, j.get(k)))
    bt = j.get("platforms_by_type") or {}
    ck.ok(set(bt) >= {"website", "wechat", "weibo", "douyin"} and all(isinstance(v, int) for v in bt.values()),
          "platforms_by_type: %r" % bt)
    bs = j.get("platforms_by_status") or {}
    ck.ok(set(bs) == {"open", "closed"} and bs.get("closed", 0) >= 1, "platforms_by_status: %r" % bs)
    ck.ok(sum(bs.values()) == sum(bt.values()) or j.get("platforms") in (bs.get("open"), sum(bs.values())),
          "by-status and by-type agree with platforms: %r" % j)
    bu = j.get("platforms_by_unit") or []
    ck.ok(0 < len(bu) <= 10 and all({"unit_id", "unit_name", "count"} <= set(x) for x in bu),
          "platforms_by_unit top 10: %r" % bu)
    counts = [x.get("count") for x in bu]
    ck.ok(counts == sorted(counts, reverse=True), "platforms_by_unit in descending order: %r" % counts)
    anon = Client(ctx.server)
    ck.error(anon.get("/dashboard"), 401, "unauthenticated", "dashboard without a session")


def test_handover_cancel(ctx):
    ck = ctx.check
    city = ctx.city
    d = getattr(ctx, "ding", None) or Ding(ctx)
    office = city.client("office1")
    mgr, succ = city.client("d_mgr"), city.client("d_succ")
    pid = city.new_platform(d.unit, "丁社区百家号", "baijiahao", "ding_bjh", d.p["mgr"])["id"]
    h = mgr.must(mgr.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": None}), 201,
                 "start a handover")
    ck.error(succ.post("/handovers/%d/cancel" % h["id"]), 403, "forbidden", "the incoming person cannot cancel")
    r = city.client("a_liaison").post("/handovers/%d/cancel" % h["id"])
    ck.ok(r.status in (403, 404), "another unit's liaison cannot cancel (403, or 404 hiding it): %r" % r)
    ck.error(city.client("secoff1").post("/handovers/%d/cancel" % h["id"]), 403, "forbidden",
             "the secrecy office (no custody permission) cannot cancel")
    r = mgr.post("/handovers/%d/cancel" % h["id"])
    ck.status(r, 200, "the outgoing manager cancels")
    ck.ok((r.json or {}).get("status") == "cancelled", "status cancelled: %r" % r)
    ck.ok(succ.post("/handovers/%d/confirm" % h["id"]).status in (400, 409), "a cancelled handover cannot be confirmed")
    ck.ok(mgr.post("/handovers/%d/cancel" % h["id"]).status in (400, 409), "cancelling twice is refused")
    ck.ok(office.get("/platforms/%d" % pid).json.get("manager_person_id") == d.p["mgr"], "manager unchanged")
    h2 = mgr.post("/platforms/%d/handovers" % pid, {"to_person_id": d.p["succ"], "note": "再次交接"})
    ck.status(h2, 201, "a new handover after the cancelled one")
    r = office.post("/handovers/%d/cancel" % (h2.json or {}).get("id", 0))
    ck.ok(r.status == 200 and (r.json or {}).get("status") == "cancelled", "an office role cancels: %r" % r)
    ck.error(office.post("/handovers/999999/cancel"), 404, "not_found", "cancel a handover that does not exist")
