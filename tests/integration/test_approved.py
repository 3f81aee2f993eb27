"""Approved items (Art. 14): POST/GET /approved-items (scope: another unit's platform is 404, a
unit role without records.write 403, roles without patrol.read 403), and POST
/import/approved_items (CSV and XLSX, bad rows named by row and column, nothing half-imported).
Expected values worked out by hand from the requests below."""

from test_import import XLSX, make_xlsx


def _routes_wired(ctx):
    r = ctx.city.client("office1").get("/approved-items")
    if r.status == 404:
        ctx.check.skip("GET /approved-items is not routed yet (routes.c lines from H6's report)")
        return False
    return True


def test_approved_create_list(ctx):
    ck = ctx.check
    city = ctx.city
    if not _routes_wired(ctx):
        return
    office = city.client("office1")
    pa, pb = city.platform_a, city.platform_b
    r = office.post("/approved-items", {"platform_id": pa, "title": "关于冬季防火的通知",
                                        "url": "https://jia.example.gov.cn/tz/1.html",
                                        "approved_at": "2026-11-30", "ref": "SQ-2026-101"})
    ck.status(r, 201, "office records an approved item")
    j = r.json or {}
    ck.ok(j.get("platform_id") == pa and j.get("title") == "关于冬季防火的通知" and j.get("ref") == "SQ-2026-101"
          and j.get("approved_at") == "2026-11-30" and j.get("source") == "workflow"
          and j.get("approved_by") == "office1" and j.get("platform_name") == "测试甲街道门户网站",
          "created item: %r" % j)
    aud = city.client("auditadmin").get("/audit", query={"action": "approved_item.create", "page_size": 50})
    ck.ok(any(e.get("actor") == "office1" for e in (aud.json or {}).get("items", [])), "creation audited: %r" % aud)

    # a unit's liaison: own unit's platform yes, another unit's platform reads as missing
    r = city.client("a_liaison").post("/approved-items", {"platform_id": pa, "title": "街道简报第12期",
                                                          "url": None, "approved_at": "2026-12-01"})
    ck.status(r, 201, "a liaison records one for their own unit")
    r = city.client("a_liaison").post("/approved-items", {"platform_id": pb, "title": "乙局消息",
                                                          "approved_at": "2026-12-01"})
    ck.error(r, 404, "not_found", "another unit's platform", field="platform_id")
    r = city.client("a_author").post("/approved-items", {"platform_id": pa, "title": "作者自己登记",
                                                         "approved_at": "2026-12-01"})
    ck.error(r, 403, "forbidden", "an author has no records.write")
    # bad fields
    r = office.post("/approved-items", {"platform_id": pa, "title": "日期错误", "approved_at": "2026-02-30"})
    ck.error(r, 400, "invalid", "no 30 February", field="approved_at")
    r = office.post("/approved-items", {"platform_id": pa, "title": "链接错误", "url": "ftp://x.gov.cn/a",
                                        "approved_at": "2026-11-01"})
    ck.error(r, 400, "invalid", "not an http(s) link", field="url")
    r = office.post("/approved-items", {"platform_id": pa, "approved_at": "2026-11-01"})
    ck.error(r, 400, "invalid", "title missing", field="title")

    # lists, scoped
    r = city.client("a_liaison").get("/approved-items", query={"platform_id": pa})
    ck.status(r, 200, "list of a visible platform")
    items = (r.json or {}).get("items", [])
    ck.ok((r.json or {}).get("total") == 2 and [i.get("title") for i in items] == ["街道简报第12期", "关于冬季防火的通知"],
          "two items, newest approved first: %r" % r)
    r = city.client("b_liaison").get("/approved-items", query={"platform_id": pa})
    ck.error(r, 404, "not_found", "another unit's platform's list")
    r = city.client("b_liaison").get("/approved-items")
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 0, "unit B sees none of unit A's: %r" % r)
    r = city.client("egov1").get("/approved-items", query={"platform_id": pa})
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 2, "the e-gov centre reads every unit's: %r" % r)
    r = city.client("secoff1").get("/approved-items")
    ck.error(r, 403, "forbidden", "the secrecy office has no patrol.read")


def test_approved_import(ctx):
    ck = ctx.check
    city = ctx.city
    if not _routes_wired(ctx):
        return
    office = city.client("office1")
    pa, pb = city.platform_a, city.platform_b
    before = (office.get("/approved-items", query={"platform_id": pb}).json or {}).get("total")
    bad = ("平台ID,标题,链接,审核日期,审签单号\n"
           "%d,乙局导入一,,2026-11-02,R-1\n"
           "%d,乙局导入二,,2026年13月1日,R-2\n"
           "99999,乙局导入三,javascript:alert(1),2026-11-03,\n" % (pb, pb))
    r = office.post("/import/approved_items", raw=bad.encode("utf-8"), content_type="text/csv")
    ck.error(r, 422, "format", "bad rows")
    rows = r.error().get("rows") or []
    got = sorted((x.get("row"), x.get("column")) for x in rows)
    ck.ok(got == [(3, "审核日期"), (4, "平台ID"), (4, "链接")], "rows 3 and 4 with their columns: %r" % rows)
    after = (office.get("/approved-items", query={"platform_id": pb}).json or {}).get("total")
    ck.ok(after == before, "nothing imported when any row is bad: %r -> %r" % (before, after))

    good = ("平台ID,标题,链接,审核日期,审签单号\n"
            "%d,乙局导入一,https://mp.weixin.qq.com/s/yi1,2026-11-02,R-1\n"
            "%d,乙局导入二,,2026/11/03,\n" % (pb, pb))
    r = office.post("/import/approved_items", raw=good.encode("gbk"), content_type="text/csv")
    ck.ok(r.status == 200 and (r.json or {}).get("imported") == 2, "GBK CSV imported: %r" % r)
    r = office.get("/approved-items", query={"platform_id": pb})
    items = (r.json or {}).get("items", [])
    ck.ok((r.json or {}).get("total") == (before or 0) + 2 and items and items[0].get("title") == "乙局导入二"
          and items[0].get("approved_at") == "2026-11-03" and items[0].get("source") == "import",
          "imported items listed: %r" % r)
    # XLSX by platform name
    x = make_xlsx([["平台名称", "标题", "审核日期"], ["测试甲街道门户网站", "甲街道导入", "2026-10-09"]])
    r = office.post("/import/approved_items", raw=x, content_type=XLSX)
    ck.ok(r.status == 200 and (r.json or {}).get("imported") == 1, "XLSX by platform name: %r" % r)
    r = office.get("/approved-items", query={"platform_id": pa, "search": "甲街道导入"})
    ck.ok((r.json or {}).get("total") == 1, "the XLSX item is on platform A: %r" % r)
    r = city.client("a_liaison").post("/import/approved_items", raw=good.encode("utf-8"), content_type="text/csv")
    ck.error(r, 403, "forbidden", "a unit liaison cannot import")
