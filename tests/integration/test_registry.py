"""Registry CRUD over HTTP: shapes, validation (400 naming the field), 404, 409, 413, 405,
malformed JSON, the error object, lists and paging, the non-formal manager rule."""

import json
import re

from harness import API, raw_request

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TYPES = ["website", "wechat", "weibo", "app", "douyin", "toutiao", "baijiahao", "yidian", "thepaper", "other"]
NONFORMAL_MSG = "临聘人员和公益性岗位人员不得担任平台管理员"


def test_units_crud(ctx):
    ck = ctx.check
    office = ctx.city.client("office1")
    r = office.post("/units", {"name": "测试丙园区", "kind": "park", "party_body": "中共测试丙园区工委",
                               "parent_id": None})
    ck.status(r, 201, "create unit")
    u = r.json or {}
    ck.ok(isinstance(u.get("id"), int) and u["id"] > 0, "unit id is a positive integer: %r" % u)
    for k, v in [("name", "测试丙园区"), ("kind", "park"), ("party_body", "中共测试丙园区工委"),
                 ("parent_id", None), ("principal_head_person_id", None), ("active", True)]:
        ck.ok(u.get(k) == v, "created unit %s == %r, got %r" % (k, v, u.get(k)))
    ck.ok(TS.match(u.get("created_at") or "") and TS.match(u.get("updated_at") or ""),
          "timestamps YYYY-MM-DDTHH:MM:SSZ: %r" % u)
    uid = u.get("id")
    g = office.get("/units/%d" % uid)
    ck.status(g, 200, "GET /units/{id}")
    ck.ok(g.json == u, "GET answers what POST answered: %r vs %r" % (g.json, u))
    child = office.post("/units", {"name": "测试丙园区管委会", "kind": "organ", "parent_id": uid})
    ck.status(child, 201, "create a child unit")
    cid = (child.json or {}).get("id")
    ck.ok((child.json or {}).get("parent_id") == uid, "child's parent_id")
    head = ctx.city.new_person(uid, "丙主任", post="主任")["id"]
    r = office.put("/units/%d" % uid, {"name": "测试丙园区", "kind": "park", "party_body": "中共测试丙园区党工委",
                                       "parent_id": None, "principal_head_person_id": head})
    ck.status(r, 200, "PUT /units/{id}")
    ck.ok((r.json or {}).get("party_body") == "中共测试丙园区党工委" and
          (r.json or {}).get("principal_head_person_id") == head, "update answered: %r" % r)
    ck.ok(office.get("/units/%d" % uid).json.get("principal_head_person_id") == head, "update stored")
    # principal head from another unit
    r = office.put("/units/%d" % uid, {"name": "测试丙园区", "kind": "park",
                                       "principal_head_person_id": ctx.city.person["b_liaison"]})
    ck.error(r, 400, "invalid", "principal head from another unit", field="principal_head_person_id")
    # a cycle: the parent becomes its own child's child
    r = office.put("/units/%d" % uid, {"name": "测试丙园区", "kind": "park", "parent_id": cid})
    ck.error(r, 400, "invalid", "parent cycle", field="parent_id")
    # lists carry parent_name, filter by search and unit (with descendants)
    lst = office.get("/units", query={"search": "测试丙园区"})
    ck.status(lst, 200, "GET /units?search=")
    items = (lst.json or {}).get("items", [])
    ck.ok(sorted(i.get("name") for i in items) == ["测试丙园区", "测试丙园区管委会"], "search finds both: %r" % items)
    kid = [i for i in items if i.get("id") == cid]
    ck.ok(kid and kid[0].get("parent_name") == "测试丙园区", "list item carries parent_name: %r" % kid)
    lst = office.get("/units", query={"unit_id": uid})
    ck.ok(sorted(i.get("id") for i in (lst.json or {}).get("items", [])) == sorted([uid, cid]),
          "unit_id= filter gives the unit and its descendants: %r" % lst)
    # retire: refused while a sub-unit is active, then child first
    ck.error(office.post("/units/%d/retire" % uid), 409, "conflict", "retire with an active sub-unit")
    r = office.post("/units/%d/retire" % cid)
    ck.status(r, 200, "retire the child")
    ck.ok((r.json or {}).get("active") is False, "retired unit active false: %r" % r)
    lst = office.get("/units", query={"search": "测试丙园区"})
    ck.ok([i.get("id") for i in (lst.json or {}).get("items", [])] == [uid], "retired units hidden by default")
    lst = office.get("/units", query={"search": "测试丙园区", "include_inactive": 1})
    ck.ok(len((lst.json or {}).get("items", [])) == 2, "include_inactive=1 shows the retired one")
    r = office.post("/people", {"unit_id": cid, "name": "退役单位人员", "staff_type": "formal"})
    ck.error(r, 400, "invalid", "a person into a retired unit", field="unit_id")


def test_units_validation(ctx):
    ck = ctx.check
    office = ctx.city.client("office1")
    ck.error(office.post("/units", {"kind": "town"}), 400, "invalid", "missing name", field="name")
    ck.error(office.post("/units", {"name": "", "kind": "town"}), 400, "invalid", "empty name", field="name")
    ck.error(office.post("/units", {"name": "坏类型单位", "kind": "village"}), 400, "invalid", "bad kind",
             field="kind")
    ck.error(office.post("/units", {"name": 42, "kind": "town"}), 400, "invalid", "name is a number",
             field="name")
    ck.error(office.post("/units", {"name": "控制\u0001字符", "kind": "town"}), 400, "invalid",
             "control character in name", field="name")
    ck.error(office.post("/units", {"name": "无上级", "kind": "town", "parent_id": 999999}), 400, "invalid",
             "parent that does not exist", field="parent_id")
    ck.error(office.post("/units", {"name": "测试甲街道", "kind": "town"}), 409, "conflict", "duplicate unit name")
    ck.error(office.get("/units/999999"), 404, "not_found", "GET a unit that does not exist")
    ck.error(office.put("/units/999999", {"name": "不存在", "kind": "town"}), 404, "not_found",
             "PUT a unit that does not exist")
    ck.error(office.post("/units/999999/retire"), 404, "not_found", "retire a unit that does not exist")
    r = office.get("/units/abc")
    ck.status(r, 404, "non-numeric id")
    ck.status(office.get("/units/0"), 404, "id 0")
    ck.error(office.get("/no-such-thing"), 404, "not_found", "unknown path")
    r = office.request("DELETE", "/units/%d" % ctx.city.unit_a)
    ck.status(r, 405, "DELETE /units/{id} is 405")
    ck.ok(r.error().get("message") and re.search("[\u4e00-\u9fff]", r.error()["message"]),
          "405 has a Chinese error message: %r" % r)
    ck.status(office.request("PATCH", "/units"), 405, "PATCH /units is 405")
    ck.status(office.get("/units/%d" % ctx.city.unit_a), 200, "the unit survived DELETE")
    # malformed bodies
    r = office.post("/units", raw=b'{"name": "x", "kind": ', content_type="application/json")
    ck.error(r, 400, "invalid", "malformed JSON")
    r = office.post("/units", raw=b'["name"]', content_type="application/json")
    ck.error(r, 400, "invalid", "a JSON array instead of an object")
    r = office.post("/units", raw=b'{"name": "\xff\xfe", "kind": "town"}', content_type="application/json")
    ck.ok(r.status == 400, "invalid UTF-8 in JSON refused: %r" % r)
    big = json.dumps({"name": "大" * 10, "kind": "town", "party_body": "x" * (1 << 20)}).encode()
    r = office.post("/units", raw=big, content_type="application/json")
    ck.error(r, 413, "too_large", "a body over 1 MiB")
    ck.ok(office.get("/units", query={"search": "大大大大大"}).json.get("total") == 0, "nothing created by it")
    # lists: paging
    r = office.get("/units", query={"page": 1, "page_size": 1})
    j = r.json or {}
    ck.ok(r.status == 200 and len(j.get("items", [])) == 1 and j.get("page") == 1 and j.get("page_size") == 1
          and j.get("total", 0) >= 2, "page_size=1 gives one item and the total: %r" % r)
    r2 = office.get("/units", query={"page": 2, "page_size": 1})
    ck.ok(r2.status == 200 and (r2.json or {}).get("items") and
          r2.json["items"][0].get("id") != j["items"][0].get("id"), "page 2 differs from page 1")
    r = office.get("/units", query={"page_size": 501})
    ck.ok(r.status == 400 or (r.status == 200 and (r.json or {}).get("page_size") == 500),
          "page_size 501: 400 or capped at 500: %r" % r)
    ck.error(office.get("/units", query={"page": "x"}), 400, "invalid", "page not a number", field="page")


def test_people(ctx):
    ck = ctx.check
    city = ctx.city
    office = city.client("office1")
    body = {"unit_id": city.unit_a, "name": "甲新人", "post": "科员", "staff_type": "formal", "phone": "13800000000"}
    r = office.post("/people", body)
    ck.status(r, 201, "create person")
    p = r.json or {}
    for k in body:
        ck.ok(p.get(k) == body[k], "person %s == %r, got %r" % (k, body[k], p.get(k)))
    ck.ok(p.get("active") is True and TS.match(p.get("created_at") or ""), "person active + timestamp: %r" % p)
    pid = p.get("id")
    ck.error(office.post("/people", dict(body, staff_type="contract")), 400, "invalid", "bad staff_type",
             field="staff_type")
    ck.error(office.post("/people", dict(body, unit_id=999999)), 400, "invalid", "unit that does not exist",
             field="unit_id")
    b2 = dict(body)
    del b2["name"]
    ck.error(office.post("/people", b2), 400, "invalid", "person without a name", field="name")
    r = office.put("/people/%d" % pid, dict(body, post="副科长"))
    ck.status(r, 200, "PUT /people/{id}")
    ck.ok((r.json or {}).get("post") == "副科长", "post updated: %r" % r)
    lst = office.get("/people", query={"search": "甲新人"})
    items = (lst.json or {}).get("items", [])
    ck.ok(len(items) == 1 and items[0].get("unit_name") == "测试甲街道", "people list item has unit_name: %r" % lst)
    lst = office.get("/people", query={"unit_id": city.unit_b, "page_size": 500})
    ck.ok(lst.status == 200 and {i.get("unit_id") for i in lst.json.get("items", [])} == {city.unit_b},
          "unit_id filter on people: %r" % lst)
    r = office.post("/people/%d/leave" % pid)
    ck.status(r, 200, "person leaves")
    ck.ok((r.json or {}).get("active") is False, "left person active false")
    ck.ok(office.get("/people", query={"search": "甲新人"}).json.get("total") == 0, "left people hidden by default")
    ck.ok(office.get("/people", query={"search": "甲新人", "include_inactive": 1}).json.get("total") == 1,
          "include_inactive=1 shows them")
    ck.error(office.get("/people/999999"), 404, "not_found", "GET a person that does not exist")
    # a manager of an open platform cannot become non-formal
    mgr = city.new_person(city.unit_a, "甲管理员", post="科员")["id"]
    city.new_platform(city.unit_a, "甲头条号", "toutiao", "jia_toutiao", mgr)
    r = office.put("/people/%d" % mgr, {"unit_id": city.unit_a, "name": "甲管理员", "post": "科员",
                                        "staff_type": "temporary", "phone": None})
    ck.error(r, 403, "forbidden", "a platform manager made temporary staff")
    ck.ok(office.get("/people/%d" % mgr).json.get("staff_type") == "formal", "staff type unchanged")


def test_platforms(ctx):
    ck = ctx.check
    city = ctx.city
    office = city.client("office1")
    made = []
    for i, t in enumerate(TYPES):
        body = {"unit_id": city.unit_a, "name": "甲平台%d" % i, "type": t, "url_or_account": "jia-acct-%d" % i,
                "site_code": "5202810%03d" % i if t == "website" else None, "certified": i % 2 == 0,
                "entry_point": None, "manager_person_id": city.person["liaison"]}
        r = office.post("/platforms", body)
        ck.status(r, 201, "create a %s platform" % t)
        p = r.json or {}
        for k in body:
            ck.ok(p.get(k) == body[k], "%s platform %s == %r, got %r" % (t, k, body[k], p.get(k)))
        ck.ok(p.get("active") is True, "new platform open")
        made.append(p.get("id"))
    base = {"unit_id": city.unit_a, "name": "甲重复", "type": "wechat", "url_or_account": "jia-acct-1",
            "certified": False, "manager_person_id": None}
    ck.error(office.post("/platforms", base), 409, "conflict", "duplicate type + account")
    ck.status(office.post("/platforms", dict(base, type="weibo", url_or_account="jia-acct-1-weibo")), 201,
              "same account on another type is fine")
    ck.error(office.post("/platforms", dict(base, type="myspace", url_or_account="x1")), 400, "invalid",
             "bad platform type", field="type")
    ck.error(office.post("/platforms", dict(base, url_or_account="x2", certified="yes")), 400, "invalid",
             "certified not a bool", field="certified")
    b = dict(base)
    del b["url_or_account"]
    ck.error(office.post("/platforms", b), 400, "invalid", "missing url_or_account", field="url_or_account")
    for key in ("temporary", "welfare"):
        r = office.post("/platforms", dict(base, url_or_account="nf-" + key, manager_person_id=city.person[key]))
        ck.error(r, 403, "forbidden", "%s person as manager" % key, field="manager_person_id")
        ck.ok(r.error().get("message") == NONFORMAL_MSG, "non-formal manager message: %r" % r)
    r = city.client("a_liaison").post("/platforms", dict(base, url_or_account="nf-liaison",
                                                         manager_person_id=city.person["welfare"]))
    ck.error(r, 403, "forbidden", "a unit liaison naming a public-welfare person as manager", field="manager_person_id")
    ck.ok(office.get("/platforms", query={"search": "nf-"}).json.get("total") == 0, "no non-formal-managed platform")
    pid = made[0]
    cur = office.get("/platforms/%d" % pid).json
    r = office.put("/platforms/%d" % pid, dict(cur, manager_person_id=city.person["temporary"]))
    ck.error(r, 403, "forbidden", "PUT: temporary person as manager", field="manager_person_id")
    ck.ok(office.get("/platforms/%d" % pid).json.get("manager_person_id") == city.person["liaison"],
          "manager unchanged after the refused PUT")
    r = office.put("/platforms/%d" % pid, dict(cur, name="甲平台0改名"))
    ck.status(r, 200, "PUT /platforms/{id}")
    ck.ok((r.json or {}).get("name") == "甲平台0改名", "platform renamed")
    left = city.new_person(city.unit_a, "甲将离职")["id"]
    ck.status(office.post("/people/%d/leave" % left), 200, "a person leaves")
    ck.error(office.post("/platforms", dict(base, url_or_account="mgr-left", manager_person_id=left)), 400,
             "invalid", "a manager who left", field="manager_person_id")
    lst = office.get("/platforms", query={"search": "甲平台", "page_size": 500})
    items = (lst.json or {}).get("items", [])
    ck.ok(len(items) == 10, "search finds the 10 platforms: %r" % len(items))
    ck.ok(all(i.get("unit_name") == "测试甲街道" and i.get("manager_name") == "甲联络" for i in items),
          "platform list items carry unit_name and manager_name: %r" % items[:1])
    r = office.post("/platforms/%d/close" % made[-1])
    ck.status(r, 200, "close a platform")
    ck.ok((r.json or {}).get("active") is False, "closed platform active false")
    ck.ok(office.get("/platforms", query={"search": "甲平台"}).json.get("total") == 9, "closed hidden by default")
    ck.error(office.post("/units/%d/retire" % city.unit_a), 409, "conflict", "retire a unit with open platforms")
    # the raw error object is exactly {"error":{"code","message","field"}} (+ rows for imports)
    st, data, _ = raw_request(ctx.server.port, "GET", API + "/units/999999",
                              headers={"Cookie": "pgd_session=" + office.session})
    obj = json.loads(data)
    ck.ok(list(obj.keys()) == ["error"] and set(obj["error"].keys()) == {"code", "message", "field"},
          "error JSON shape: %r" % obj)
