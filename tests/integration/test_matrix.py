"""THE PERMISSION MATRIX: every role x {own unit, other unit} x every route's action.

The expected answer of each cell is computed from two tables written here by hand from
docs/api/openapi.yaml and the role table of REGULATION.md (not from the server):
  PERMS   role -> permissions
  CITY    roles that see every unit; everybody else sees only their person's unit
and, per action, the permission it needs and its scope rule:
  read   another unit's record -> 404 (its existence is not revealed)
  write  into another unit (creating there, filing for it) -> 403
  write_id  acting on another unit's record addressed by id (editing it, its custody, its
         handovers) -> 404, as for reads: the id's existence is not revealed
  none   no unit involved (run once per role)
Handler rules beyond the permission are in the action's own `expect`: custody set only by the
platform's manager or an office role; reveal only by the manager; a handover started only by the
outgoing manager (while active), confirmed only by the incoming person, cancelled by the outgoing
manager or an office role. Brief A's table plus users.read (GET /users: system and security admin),
which the lead added to routes.c/perms.c.

The unit-role users all belong to unit A (测试甲街道); "other" is unit B (测试乙局)."""

import itertools

from harness import PASSWORD

PERMS = {
    "author": {"registry.read", "custody", "patrol.read"},
    "proofreader": {"registry.read", "custody", "patrol.read"},
    "secrecy_reviewer": {"registry.read", "custody", "patrol.read"},
    "supervising_leader": {"registry.read", "custody", "patrol.read"},
    "review_responsible": {"registry.read", "custody", "filings.write", "patrol.read"},
    "liaison": {"registry.read", "records.write", "filings.write", "custody", "patrol.read"},
    "principal_head": {"registry.read", "records.write", "filings.write", "custody", "patrol.read"},
    "office_operator": {"registry.read", "units.write", "records.write", "filings.write", "custody", "import",
                        "patrol.read", "patrol.run", "patrol.handle"},
    "office_admin": {"registry.read", "units.write", "records.write", "filings.write", "custody", "import",
                     "patrol.read", "patrol.run", "patrol.handle"},
    "secrecy_office": {"registry.read"},
    "egov_centre": {"registry.read", "patrol.read"},
    "system_admin": {"users.manage", "users.read", "registry.read", "workers.manage"},
    "security_admin": {"roles.assign", "users.read"},
    "audit_admin": {"audit.read"},
}
CITY = {"office_operator", "office_admin", "secrecy_office", "egov_centre", "system_admin", "security_admin",
        "audit_admin"}
OFFICE = {"office_operator", "office_admin"}

_seq = itertools.count(1)


def uniq(prefix):
    return "%s%d" % (prefix, next(_seq))


class Action:
    def __init__(self, name, perm, scope, ok, run, setup=None, expect=None, verify=None):
        self.name = name
        self.perm = perm        # permission name, or "signed_in"
        self.scope = scope      # "read" | "write" | "write_id" | "none"
        self.ok = ok            # status when allowed
        self.run = run          # run(client, target) -> Response
        self.setup = setup      # setup(where) -> target (done by the office, before the call)
        self.expect = expect    # expect(role, where) -> status, overriding the generic rule
        self.verify = verify    # verify(target, allowed) -> (cond, what) after the call

    def expected(self, role, where):
        if self.expect is not None:
            return self.expect(role, where)
        if self.perm != "signed_in" and self.perm not in PERMS[role]:
            return 403
        if where == "other" and role not in CITY:
            return {"read": 404, "write": 403, "write_id": 404}[self.scope]
        return self.ok


def _editable(obj, keys):
    return {k: obj.get(k) for k in keys}


UNIT_KEYS = ["name", "kind", "party_body", "parent_id", "principal_head_person_id"]
PERSON_KEYS = ["unit_id", "name", "post", "staff_type", "phone"]
PLATFORM_KEYS = ["unit_id", "name", "type", "url_or_account", "site_code", "certified", "entry_point",
                 "manager_person_id"]


def build_actions(ctx):
    city = ctx.city
    office = city.client("office1")
    unit = {"own": city.unit_a, "other": city.unit_b}
    P = city.person
    members = {
        "own": [{"duty": "leader", "person_id": P["supervising_leader"]},
                {"duty": "responsible", "person_id": P["review_responsible"]},
                {"duty": "liaison", "person_id": P["liaison"]},
                {"duty": "member", "person_id": P["author"]}],
        "other": [{"duty": "leader", "person_id": P["b_leader"]},
                  {"duty": "responsible", "person_id": P["b_responsible"]},
                  {"duty": "liaison", "person_id": P["b_liaison"]}],
    }
    # fixed records to read and to PUT unchanged
    editable_person = {w: city.new_person(unit[w], uniq("可改人员"))["id"] for w in unit}
    platform = {"own": city.platform_a, "other": city.platform_b}
    filing = {}
    for w in unit:
        filing[w] = office.must(office.post("/units/%d/filings" % unit[w],
                                            {"group_name": "审核小组", "note": "矩阵测试", "members": members[w]}),
                                201, "filing for %s unit" % w)["id"]
    # a custody secret on both platforms, so reveal has something to reveal
    for w in unit:
        office.must(office.put("/platforms/%d/custody" % platform[w],
                               {"account": "acct-%s" % w, "password": "Secret-%s-1" % w}), 204,
                    "office sets the custody secret of the %s platform" % w)
    victim = city.create_user("victim", "受试用户", [])
    csv = ("单位名称,单位类型,上级单位,党组织\n%s,乡镇街道,,中共试导入委员会\n" % "矩阵导入单位").encode("utf-8")

    def get_json(path):
        return office.must(office.get(path), 200, "office GET %s" % path)

    def put_unit(c, w):
        return c.put("/units/%d" % unit[w], _editable(get_json("/units/%d" % unit[w]), UNIT_KEYS))

    def put_person(c, w):
        pid = editable_person[w]
        return c.put("/people/%d" % pid, _editable(get_json("/people/%d" % pid), PERSON_KEYS))

    def put_platform(c, w):
        return c.put("/platforms/%d" % platform[w], _editable(get_json("/platforms/%d" % platform[w]), PLATFORM_KEYS))

    def new_unit_setup(w):
        return city.new_unit(uniq("待撤销单位"), "organ", unit[w])["id"]

    def new_person_setup(w):
        return city.new_person(unit[w], uniq("待离职"))["id"]

    def new_platform_setup(w):
        return city.new_platform(unit[w], uniq("待关闭平台"), "weibo", uniq("weibo-close-"), None)["id"]

    def still_active(path):
        def v(target, allowed):
            active = get_json(path % target).get("active")
            return (active is (not allowed)), "%s active is %r after the call" % (path % target, active)
        return v

    def custody_set_expect(role, w):
        if "custody" not in PERMS[role]:
            return 403
        if role in OFFICE:
            return 204
        if w == "other":
            return 404   # another unit's platform, addressed by id
        return 204 if role == "liaison" else 403   # a_liaison manages platform A

    def reveal_expect(role, w):
        if "custody" not in PERMS[role]:
            return 403
        if w == "other" and role not in CITY:
            return 404
        return 200 if (w == "own" and role == "liaison") else 403

    # handovers: platform A is managed by a_liaison's person, platform B by b_liaison's
    manager = {"own": P["liaison"], "other": P["b_liaison"]}
    manager_user = {"own": "a_liaison", "other": "b_liaison"}
    incoming = {"own": P["author"], "other": P["b_responsible"]}

    def managed_platform(w):
        return city.new_platform(unit[w], uniq("交接矩阵平台"), "thepaper", uniq("mx-paper-"), manager[w])["id"]

    def pending_handover(w):
        c = city.client(manager_user[w])
        return c.must(c.post("/platforms/%d/handovers" % managed_platform(w),
                             {"to_person_id": incoming[w], "note": None}), 201, "pending handover")["id"]

    def handover_expect(allowed_roles, ok):
        def expect(role, w):
            if "custody" not in PERMS[role]:
                return 403
            if role in allowed_roles.get(w, ()):
                return ok
            if w == "other" and role not in CITY:
                return 404
            return 403
        return expect

    def patrol_job():
        """A patrol job of platform A (made by the office once)."""
        if not jobs:
            office.post("/platforms/%d/patrol" % platform["own"], {})
            r = office.get("/patrol/jobs", query={"platform_id": platform["own"]})
            items = (r.json or {}).get("items") or []
            jobs.append(items[0]["id"] if items else 999999)
        return jobs[0]

    jobs = []

    def new_user(c, w):
        return c.post("/users", {"username": uniq("mx_user_"), "display_name": "矩阵用户", "person_id": None,
                                 "password": PASSWORD, "roles": []})

    acts = [
        Action("GET /auth/me", "signed_in", "none", 200, lambda c, w: c.get("/auth/me")),
        Action("GET /roles", "signed_in", "none", 200, lambda c, w: c.get("/roles")),
        Action("GET /dashboard", "signed_in", "none", 200, lambda c, w: c.get("/dashboard")),
        # units
        Action("GET /units/{id}", "registry.read", "read", 200, lambda c, w: c.get("/units/%d" % unit[w])),
        Action("PUT /units/{id}", "units.write", "write", 200, put_unit),
        Action("POST /units", "units.write", "write", 201,
               lambda c, w: c.post("/units", {"name": uniq("矩阵新单位"), "kind": "organ", "parent_id": unit[w]})),
        Action("POST /units/{id}/retire", "units.write", "write", 200,
               lambda c, t: c.post("/units/%d/retire" % t), setup=new_unit_setup,
               expect=lambda role, w: 200 if "units.write" in PERMS[role] else 403,
               verify=still_active("/units/%d")),
        # people
        Action("GET /people/{id}", "registry.read", "read", 200,
               lambda c, w: c.get("/people/%d" % editable_person[w])),
        Action("POST /people", "records.write", "write", 201,
               lambda c, w: c.post("/people", {"unit_id": unit[w], "name": uniq("矩阵新人"), "post": "科员",
                                               "staff_type": "formal", "phone": None})),
        Action("PUT /people/{id}", "records.write", "write_id", 200, put_person),
        Action("POST /people/{id}/leave", "records.write", "write_id", 200,
               lambda c, t: c.post("/people/%d/leave" % t), setup=new_person_setup,
               verify=still_active("/people/%d")),
        # platforms
        Action("GET /platforms/{id}", "registry.read", "read", 200,
               lambda c, w: c.get("/platforms/%d" % platform[w])),
        Action("POST /platforms", "records.write", "write", 201,
               lambda c, w: c.post("/platforms", {"unit_id": unit[w], "name": uniq("矩阵平台"), "type": "douyin",
                                                  "url_or_account": uniq("mx-douyin-"), "certified": False,
                                                  "manager_person_id": None})),
        Action("PUT /platforms/{id}", "records.write", "write_id", 200, put_platform),
        Action("POST /platforms/{id}/close", "records.write", "write_id", 200,
               lambda c, t: c.post("/platforms/%d/close" % t), setup=new_platform_setup,
               verify=still_active("/platforms/%d")),
        # review groups and filings
        Action("GET /units/{id}/filings", "registry.read", "read", 200,
               lambda c, w: c.get("/units/%d/filings" % unit[w])),
        Action("POST /units/{id}/filings", "filings.write", "write", 201,
               lambda c, w: c.post("/units/%d/filings" % unit[w],
                                   {"group_name": "审核小组", "note": None, "members": members[w]})),
        Action("GET /filings/{id}", "registry.read", "read", 200, lambda c, w: c.get("/filings/%d" % filing[w])),
        Action("GET /filings/{id}/pdf", "registry.read", "read", 200,
               lambda c, w: c.get("/filings/%d/pdf" % filing[w])),
        # custody
        Action("PUT /platforms/{id}/custody", "custody", "write_id", 204,
               lambda c, w: c.put("/platforms/%d/custody" % platform[w],
                                  {"account": "acct-%s" % w, "password": "Secret-%s-1" % w}),
               expect=custody_set_expect),
        Action("POST /platforms/{id}/custody/reveal", "custody", "write_id", 200,
               lambda c, w: c.post("/platforms/%d/custody/reveal" % platform[w]), expect=reveal_expect),
        Action("POST /platforms/{id}/handovers", "custody", "write_id", 201,
               lambda c, t: c.post("/platforms/%d/handovers" % t[0], {"to_person_id": t[1], "note": None}),
               setup=lambda w: (managed_platform(w), P["successor"] if w == "own" else P["b_responsible"]),
               expect=handover_expect({"own": {"liaison"}}, 201)),   # the outgoing manager only
        Action("POST /handovers/{id}/confirm", "custody", "write_id", 200,
               lambda c, t: c.post("/handovers/%d/confirm" % t), setup=pending_handover,
               expect=handover_expect({"own": {"author"}}, 200)),    # only the incoming person
        Action("POST /handovers/{id}/cancel", "custody", "write_id", 200,
               lambda c, t: c.post("/handovers/%d/cancel" % t), setup=pending_handover,
               expect=handover_expect({"own": {"liaison"} | OFFICE, "other": OFFICE}, 200)),
        # users and roles (no unit involved)
        Action("GET /users", "users.read", "none", 200, lambda c, w: c.get("/users")),
        Action("POST /users", "users.manage", "none", 201, new_user),
        Action("PUT /users/{id}", "users.manage", "none", 200,
               lambda c, w: c.put("/users/%d" % victim["id"], {"display_name": "受试用户", "person_id": None,
                                                                "active": True})),
        Action("POST /users/{id}/password", "users.manage", "none", 204,
               lambda c, w: c.post("/users/%d/password" % victim["id"], {"password": PASSWORD})),
        Action("PUT /users/{id}/roles", "roles.assign", "none", 200,
               lambda c, w: c.put("/users/%d/roles" % victim["id"], {"roles": ["egov_centre"]})),
        Action("POST /users/{id}/unlock", "roles.assign", "none", 204,
               lambda c, w: c.post("/users/%d/unlock" % victim["id"])),
        Action("GET /settings/password-policy", "roles.assign", "none", 200,
               lambda c, w: c.get("/settings/password-policy")),
        Action("PUT /settings/password-policy", "roles.assign", "none", 200,
               lambda c, w: c.put("/settings/password-policy",
                                  {"min_length": 10, "require_classes": 3, "max_age_days": 90})),
        # audit, import
        Action("GET /audit", "audit.read", "none", 200, lambda c, w: c.get("/audit")),
        Action("GET /audit/verify", "audit.read", "none", 200, lambda c, w: c.get("/audit/verify")),
        Action("POST /import/units?dry_run=1", "import", "none", 200,
               lambda c, w: c.post("/import/units?dry_run=1", raw=csv, content_type="text/csv")),
        # patrol (issue 4). Platform A is a website, platform B a wechat account without a feed.
        Action("GET /platforms/{id}/patrol", "patrol.read", "read", 200,
               lambda c, w: c.get("/platforms/%d/patrol" % platform[w])),
        Action("GET /patrol/findings", "patrol.read", "none", 200, lambda c, w: c.get("/patrol/findings")),
        Action("GET /patrol/jobs", "patrol.read", "none", 200, lambda c, w: c.get("/patrol/jobs")),
        Action("GET /patrol/jobs/{id}", "patrol.read", "none", 200,
               lambda c, t: c.get("/patrol/jobs/%d" % t), setup=lambda w: patrol_job()),
        # patrol now: a website answers 202 (then 409 while queued); the wechat account 422
        Action("POST /platforms/{id}/patrol", "patrol.run", "write_id", 202,
               lambda c, w: c.post("/platforms/%d/patrol" % platform[w], {}),
               expect=lambda role, w: 403 if "patrol.run" not in PERMS[role] else
               ((202, 409) if w == "own" else 422)),
        Action("PUT /platforms/{id}/feed", "records.write", "write_id", 200,
               lambda c, w: c.put("/platforms/%d/feed" % platform[w], {"feed_url": None})),
        # no finding, no patrolled home page in this city: the permission decides 403, else 404 / 409
        Action("POST /patrol/findings/{id}/handle", "patrol.handle", "none", 404,
               lambda c, w: c.post("/patrol/findings/999999/handle", {"status": "confirmed"})),
        Action("POST /platforms/{id}/patrol/baseline", "patrol.handle", "write_id", 409,
               lambda c, w: c.post("/platforms/%d/patrol/baseline" % platform[w], {})),
        Action("GET /evidence/{sha256}", "patrol.read", "none", 404, lambda c, w: c.get("/evidence/" + "ab" * 32)),
        Action("GET /evidence/{sha256}/meta", "patrol.read", "none", 404,
               lambda c, w: c.get("/evidence/%s/meta" % ("ab" * 32))),
    ]
    return acts


def test_permission_matrix(ctx):
    ck = ctx.check
    city = ctx.city
    actions = build_actions(ctx)
    cells = 0
    for role in PERMS:
        c = city.client(city.role_user[role])
        for act in actions:
            for where in (("own",) if act.scope == "none" else ("own", "other")):
                target = act.setup(where) if act.setup else where
                want = act.expected(role, where)
                r = act.run(c, target)
                cells += 1
                wants = want if isinstance(want, tuple) else (want,)
                ok = ck.ok(r.status in wants, "%s as %s on the %s unit: want HTTP %s, got %r"
                           % (act.name, role, where, "/".join(map(str, wants)), r))
                if ok and r.status in (403, 404):
                    e = r.error()
                    ck.ok(e.get("code") == ("forbidden" if r.status == 403 else "not_found"),
                          "%s as %s (%s): error code %r" % (act.name, role, where, e.get("code")))
                if act.verify is not None:
                    cond, what = act.verify(target, r.status < 300)
                    ck.ok(cond, "%s as %s (%s): %s" % (act.name, role, where, what))
    ck.ok(cells >= 14 * 40, "matrix has %d cells" % cells)


def test_scoped_lists(ctx):
    """Every list as every role: unit users see only unit A's rows, city roles see both units."""
    ck = ctx.check
    city = ctx.city
    a, b = city.unit_a, city.unit_b
    office = city.client("office1")
    # a pending handover in each unit, so the handover list has something in unit B
    hb = city.new_platform(b, uniq("乙交接平台"), "yidian", uniq("yi-yidian-"), city.person["b_liaison"])["id"]
    city.client("b_liaison").must(city.client("b_liaison").post(
        "/platforms/%d/handovers" % hb, {"to_person_id": city.person["b_responsible"], "note": "矩阵"}), 201,
        "b_liaison starts a handover")
    ha = city.new_platform(a, uniq("甲交接平台"), "yidian", uniq("jia-yidian-"), city.person["liaison"])["id"]
    city.client("a_liaison").must(city.client("a_liaison").post(
        "/platforms/%d/handovers" % ha, {"to_person_id": city.person["successor"], "note": "矩阵"}), 201,
        "a_liaison starts a handover")
    b_platforms = {p["id"] for p in office.get("/platforms", query={"unit_id": b, "page_size": 500,
                                                                    "include_inactive": 1}).json["items"]}
    lists = [("/units", "id"), ("/people", "unit_id"), ("/platforms", "unit_id"), ("/review-groups", "unit_id"),
             ("/custody", "unit_id"), ("/handovers", None)]
    for role in PERMS:
        c = city.client(city.role_user[role])
        for path, key in lists:
            r = c.get(path, query={"page_size": 500, "include_inactive": 1})
            if "registry.read" not in PERMS[role]:
                ck.error(r, 403, "forbidden", "GET %s as %s" % (path, role))
                continue
            if not ck.status(r, 200, "GET %s as %s" % (path, role)):
                continue
            j = r.json or {}
            items = j.get("items", [])
            ck.ok(isinstance(j.get("total"), int) and j.get("page") == 1 and j.get("page_size") == 500,
                  "GET %s as %s: page envelope %r" % (path, role, {k: j.get(k) for k in ("total", "page", "page_size")}))
            if key is None:
                units = {"B" if i.get("platform_id") in b_platforms else "A" for i in items}
            else:
                units = {"B" if i.get(key) == b else ("A" if i.get(key) == a else "X") for i in items}
            if role in CITY:
                ck.ok({"A", "B"} <= units, "GET %s as %s (city scope) shows units A and B: %r" % (path, role, units))
            else:
                ck.ok(units == {"A"}, "GET %s as %s shows only unit A: %r" % (path, role, units))
            # asking for unit B explicitly does not leak it
            if role not in CITY:
                r = c.get(path, query={"unit_id": b, "page_size": 500})
                leaked = [i for i in (r.json or {}).get("items", []) if (i.get(key) == b if key else
                                                                           i.get("platform_id") in b_platforms)]
                ck.ok(r.status in (200, 403, 404) and not leaked,
                      "GET %s?unit_id=B as %s leaks nothing: %r" % (path, role, r))
                # ... and is an empty page, not the user's own unit passed off as unit B
                ck.ok(r.status == 200 and (r.json or {}).get("total") == 0,
                      "GET %s?unit_id=B as %s is an empty page: %r" % (path, role, r))
        d = c.get("/dashboard")
        if ck.status(d, 200, "GET /dashboard as %s" % role):
            n = (d.json or {}).get("units")
            if role in CITY:
                ck.ok(isinstance(n, int) and n >= 2, "dashboard as %s counts every unit: %r" % (role, n))
            else:
                ck.ok(n == 1, "dashboard as %s counts only its own unit: %r" % (role, n))


def test_role_permissions(ctx):
    """What the server says each role may do (/auth/me, /roles) is the hand-written table."""
    ck = ctx.check
    city = ctx.city
    roles = city.client("office1").get("/roles")
    table = {x.get("name"): sorted(x.get("permissions") or []) for x in (roles.json or {}).get("items", [])}
    for role in PERMS:
        ck.ok(table.get(role) == sorted(PERMS[role]), "GET /roles: %s has %r, want %r"
              % (role, table.get(role), sorted(PERMS[role])))
        me = city.client(city.role_user[role]).get("/auth/me")
        u = (me.json or {}).get("user") or {}
        ck.ok(u.get("roles") == [role], "%s user holds only %s: %r" % (role, role, u.get("roles")))
        ck.ok(sorted(u.get("permissions") or []) == sorted(PERMS[role]), "/auth/me as %s: permissions %r, want %r"
              % (role, u.get("permissions"), sorted(PERMS[role])))
        if role in CITY:
            ck.ok(u.get("unit_id") is None, "%s user is bound to no unit: %r" % (role, u.get("unit_id")))
        else:
            ck.ok(u.get("unit_id") == city.unit_a, "%s user belongs to unit A: %r" % (role, u.get("unit_id")))
