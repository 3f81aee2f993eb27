"""POST /import/{units,people,platforms}: CSV and XLSX, dry run, bad rows (422 with rows and
nothing imported), permission, caps."""

import io
import zipfile
from xml.sax.saxutils import escape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_xlsx(rows):
    """A minimal workbook: one sheet, inline strings, cell references on every cell."""
    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s
    body = []
    for r, row in enumerate(rows, 1):
        cells = "".join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(c), r, escape(v))
                        for c, v in enumerate(row) if v != "")
        body.append('<row r="%d">%s</row>' % (r, cells))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData>%s</sheetData></worksheet>' % "".join(body))
    files = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def _total(c, path, search):
    return c.get(path, query={"search": search, "include_inactive": 1}).json.get("total")


def test_import_units_csv(ctx):
    ck = ctx.check
    office = ctx.city.client("office1")
    csv = "单位名称,单位类型,上级单位,党组织\r\n导入甲镇,乡镇街道,,中共导入甲镇委员会\r\n导入甲镇社区,企事业单位,导入甲镇,\r\n"
    r = office.post("/import/units?dry_run=1", raw=csv.encode("utf-8"), content_type="text/csv")
    ck.status(r, 200, "dry run")
    ck.ok(r.json == {"imported": 2, "dry_run": True}, "dry run answer: %r" % r)
    ck.ok(_total(office, "/units", "导入甲镇") == 0, "dry run wrote nothing")
    r = office.post("/import/units", raw=csv.encode("utf-8"), content_type="text/csv")
    ck.status(r, 200, "import units")
    ck.ok(r.json == {"imported": 2, "dry_run": False}, "import answer: %r" % r)
    items = office.get("/units", query={"search": "导入甲镇"}).json.get("items", [])
    by = {i.get("name"): i for i in items}
    ck.ok(set(by) == {"导入甲镇", "导入甲镇社区"}, "both units imported: %r" % items)
    if set(by) == {"导入甲镇", "导入甲镇社区"}:
        ck.ok(by["导入甲镇"].get("kind") == "town" and by["导入甲镇"].get("party_body") == "中共导入甲镇委员会",
              "kind and party body: %r" % by["导入甲镇"])
        ck.ok(by["导入甲镇社区"].get("parent_id") == by["导入甲镇"].get("id")
              and by["导入甲镇社区"].get("kind") == "enterprise", "parent by name: %r" % by["导入甲镇社区"])
    aud = ctx.city.client("auditadmin").get("/audit", query={"action": "import.units", "page_size": 50})
    ck.ok(any(e.get("actor") == "office1" for e in (aud.json or {}).get("items", [])), "import audited: %r" % aud)
    # GBK as Excel writes it
    gbk = "单位名称,单位类型,上级单位,党组织\r\n导入乙局,市直部门,,\r\n".encode("gbk")
    r = office.post("/import/units", raw=gbk, content_type="text/csv")
    ck.ok(r.status == 200 and (r.json or {}).get("imported") == 1, "GBK CSV imported: %r" % r)
    ck.ok(_total(office, "/units", "导入乙局") == 1, "the GBK unit's name decoded")


def test_import_bad_rows(ctx):
    ck = ctx.check
    office = ctx.city.client("office1")
    csv = "单位名称,单位类型,上级单位,党组织\n导入好单位,乡镇街道,,\n导入坏单位,村委会,,\n导入孤儿,园区,不存在的上级,\n"
    r = office.post("/import/units", raw=csv.encode("utf-8"), content_type="text/csv")
    ck.error(r, 422, "format", "bad rows")
    e = r.error()
    rows = e.get("rows") or []
    ck.ok(isinstance(e.get("message"), str) and e["message"].startswith("第3行"), "message names row 3: %r" % e)
    ck.ok([x.get("row") for x in rows] == [3, 4], "rows 3 and 4 reported (header is row 1): %r" % rows)
    ck.ok(rows and rows[0].get("column") == "单位类型", "row 3's column is 单位类型: %r" % rows[:1])
    ck.ok(len(rows) > 1 and rows[1].get("column") == "上级单位", "row 4's column is 上级单位: %r" % rows[1:2])
    ck.ok(_total(office, "/units", "导入好单位") == 0, "nothing imported when any row is bad")
    r = office.post("/import/units", raw=b"", content_type="text/csv")
    ck.ok(r.status in (400, 422), "empty file refused: %r" % r)
    r = office.post("/import/widgets", raw=csv.encode("utf-8"), content_type="text/csv")
    ck.ok(r.status in (400, 404), "unknown import kind refused: %r" % r)
    r = office.post("/import/units", raw=b"PK\x03\x04 this is not a zip", content_type=XLSX)
    ck.error(r, 422, "format", "corrupt xlsx")
    r = ctx.city.client("a_liaison").post("/import/units", raw=csv.encode("utf-8"), content_type="text/csv")
    ck.error(r, 403, "forbidden", "a unit liaison cannot import")
    big = b"\xe5\x8d\x95\xe4\xbd\x8d\xe5\x90\x8d\xe7\xa7\xb0\n" + b"x" * (16 << 20)
    r = office.post("/import/units", raw=big, content_type="text/csv")
    ck.error(r, 413, "too_large", "an upload over 16 MiB")


def test_import_people_platforms_xlsx(ctx):
    ck = ctx.check
    city = ctx.city
    office = city.client("office1")
    people = make_xlsx([["姓名", "单位", "职务", "人员类型", "联系电话"],
                        ["导入张三", "测试乙局", "科员", "正式", "13900000001"],
                        ["导入李四", "测试乙局", "", "临聘", ""],
                        ["导入王五", "测试乙局", "网管", "正式", "13900000003"]])
    r = office.post("/import/people", raw=people, content_type=XLSX)
    ck.status(r, 200, "import people from xlsx")
    ck.ok((r.json or {}).get("imported") == 3, "3 people: %r" % r)
    items = office.get("/people", query={"search": "导入", "unit_id": city.unit_b}).json.get("items", [])
    by = {i.get("name"): i for i in items}
    ck.ok(by.get("导入李四", {}).get("staff_type") == "temporary" and by.get("导入张三", {}).get("phone") == "13900000001",
          "people fields from xlsx: %r" % items)
    bad = make_xlsx([["平台名称", "平台类型", "网址或账号", "网站标识码", "是否认证", "采集入口", "所属单位", "管理员"],
                     ["导入乙局网站", "网站", "https://yi.example.gov.cn/", "5202810123", "是", "", "测试乙局", "导入王五"],
                     ["导入乙局微博", "微博", "yi_weibo", "", "否", "", "测试乙局", "导入李四"]])
    r = office.post("/import/platforms", raw=bad, content_type=XLSX)
    ck.error(r, 422, "format", "a temporary person as manager in an import")
    rows = r.error().get("rows") or []
    ck.ok([x.get("row") for x in rows] == [3] and rows[0].get("column") == "管理员", "row 3, column 管理员: %r" % rows)
    ck.ok(_total(office, "/platforms", "导入乙局") == 0, "no platform imported")
    good = make_xlsx([["平台名称", "平台类型", "网址或账号", "网站标识码", "是否认证", "采集入口", "所属单位", "管理员"],
                      ["导入乙局网站", "网站", "https://yi.example.gov.cn/", "5202810123", "是", "", "测试乙局", "导入王五"],
                      ["导入乙局头条", "今日头条", "yi_toutiao", "", "否", "", "测试乙局", ""]])
    r = office.post("/import/platforms", raw=good, content_type=XLSX)
    ck.ok(r.status == 200 and (r.json or {}).get("imported") == 2, "import platforms: %r" % r)
    items = office.get("/platforms", query={"search": "导入乙局"}).json.get("items", [])
    site = [i for i in items if i.get("type") == "website"]
    ck.ok(site and site[0].get("site_code") == "5202810123" and site[0].get("certified") is True
          and site[0].get("manager_name") == "导入王五", "imported website fields: %r" % site)
