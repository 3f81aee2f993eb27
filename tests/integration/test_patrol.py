"""The patrol over HTTP: a fake worker written here speaks the job protocol (lease, progress,
evidence upload, result, already, lease_lost after expiry, fail) against a server of its own
(--no-scheduler, so every job is one this test made), and the office / unit screens: scope
(a unit user sees only their own unit's platforms, findings and evidence; 404 otherwise),
evidence served as text/plain with CSP sandbox and nosniff, handling (a dismissal needs a note),
patrol now 202/409/422, worker tokens 401, and `pubguard patrol now` from the CLI.

Expected values are written here by hand from docs/patrol-protocol.md."""

import calendar
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

from harness import API, Client, Failure, Server, raw_request
from city import City

HEX = set("0123456789abcdef")
PAGE = ("<html><head><title>测试甲街道</title></head><body><a href='/404'>坏链接</a>"
        + "<p>正文</p>" * 200 + "</body></html>").encode("utf-8")
PAGE_SHA = hashlib.sha256(PAGE).hexdigest()
THRESHOLD_KEYS = ["weekly_min_items", "zombie_days", "news_column_days", "notice_column_days", "slow_page_ms",
                  "unavailable_timeout_ms", "probes_per_day", "unavailable_fail_pct", "unavailable_warn_pct",
                  "empty_columns_fail", "stale_columns_fail", "tls_warn_days", "deface_simhash_bits"]


class PatrolServer(Server):
    """pubguard serve with --no-scheduler (no jobs but the test's own) and the serve options in
    extra (e.g. ["--workers", "1"]: one local worker)."""

    def __init__(self, binary, tmp, extra=()):
        Server.__init__(self, binary, tmp)
        self.extra = list(extra)

    def start(self, timeout=30.0):
        orig = subprocess.Popen

        def popen(args, **kw):
            return orig(list(args) + ["--no-scheduler"] + self.extra, **kw)
        subprocess.Popen = popen
        try:
            Server.start(self, timeout)
        finally:
            subprocess.Popen = orig


class Worker:
    """The fake worker: bearer token, JSON over HTTP."""

    def __init__(self, server, token):
        self.server = server
        self.token = token

    def call(self, method, path, body=None, raw=None, headers=None):
        h = {"Authorization": "Bearer " + self.token} if self.token else {}
        data = None
        if raw is not None:
            data = raw
            h["Content-Type"] = "application/octet-stream"
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        st, resp, hdrs = raw_request(self.server.port, method, API + path, data, h)
        try:
            j = json.loads(resp.decode("utf-8")) if resp else None
        except ValueError:
            j = None
        return st, j, hdrs

    def lease(self, kinds=("patrol", "probe")):
        return self.call("POST", "/worker/lease", {"kinds": list(kinds)})


def setting(server, key, value):
    db = sqlite3.connect(server.db, timeout=10)
    db.execute("DELETE FROM settings WHERE key = ?", (key,))
    db.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, '2026-12-01T00:00:00Z')", (key, value))
    db.commit()
    db.close()


def new_token(server, name):
    rc, out, err = server.cli("workers", "add", name, "--db", server.db)
    if rc != 0:
        raise Failure("pubguard workers add %s exited %d: %s" % (name, rc, err))
    return out.strip()


class World:
    pass


def build(ctx):
    tmp = os.path.join(ctx.tmp, "patrol")
    os.makedirs(tmp, exist_ok=True)
    server = PatrolServer(ctx.binary, tmp)
    server.start()
    city = City(server, ctx.check)
    for username, display, role in [("sysadmin", "系统管理员", "system_admin"),
                                    ("office1", "网信办管理员", "office_admin")]:
        city.cli_user(username, display, role)
    w = World()
    w.server, w.city = server, city
    w.unit_a = city.new_unit("巡查甲街道", "town")["id"]
    w.unit_b = city.new_unit("巡查乙局", "department")["id"]
    pa = city.new_person(w.unit_a, "甲联络员", post="联络员")["id"]
    pb = city.new_person(w.unit_b, "乙联络员", post="联络员")["id"]
    w.site_a = city.new_platform(w.unit_a, "巡查甲门户", "website", "https://jia.example.gov.cn/", pa)["id"]
    w.site_a2 = city.new_platform(w.unit_a, "巡查甲二站", "website", "https://jia2.example.gov.cn/", pa)["id"]
    w.site_b = city.new_platform(w.unit_b, "巡查乙门户", "website", "https://yi.example.gov.cn/", pb)["id"]
    w.wechat_b = city.new_platform(w.unit_b, "巡查乙公众号", "wechat", "xuncha_yi", pb)["id"]
    city.create_user("pa_liaison", "甲联络员", ["liaison"], pa)
    city.create_user("pb_liaison", "乙联络员", ["liaison"], pb)
    w.office = city.client("office1")
    w.a = city.client("pa_liaison")
    w.b = city.client("pb_liaison")
    return w


def result_body(lease):
    return {
        "lease": lease,
        "summary": {"pages": 3, "links": 12, "feeds": 0, "pages_unchanged": 0,
                    "started_at": "2026-12-01T02:00:00Z", "finished_at": "2026-12-01T02:01:00Z"},
        "findings": [
            {"url": "https://jia.example.gov.cn/", "target": "https://jia.example.gov.cn/404",
             "category": "site.broken_link_internal", "severity": "review", "line": 1, "text": "坏链接",
             "message": "内部链接无法访问（404）", "evidence": PAGE_SHA, "screenshot": None},
            {"url": "https://jia.example.gov.cn/news/", "target": None, "category": "site.stale_column",
             "severity": "review", "line": 0, "text": "工作动态", "message": "栏目「工作动态」超过14天未更新",
             "evidence": None, "screenshot": None},
        ],
        "columns": [{"url": "https://jia.example.gov.cn/news/", "name": "工作动态", "kind": "news",
                     "newest": "2026-11-01T00:00:00Z", "items": 20, "stale": True, "empty": False},
                    {"url": "https://jia.example.gov.cn/notice/", "name": "通知公告", "kind": "notice",
                     "newest": None, "items": 0, "stale": False, "empty": True}],
        "items": [{"url": "https://jia.example.gov.cn/news/1.html", "title": "召开安全生产会议",
                   "published": "2026-11-30T08:00:00Z", "sha256": None, "simhash": "00ff00ff00ff00ff"}],
        "home": {"sha256": PAGE_SHA, "simhash": "0123456789abcdef", "title": "测试甲街道", "text_len": 600},
        "probe": None,
        "evidence": [{"sha256": PAGE_SHA, "kind": "page", "url": "https://jia.example.gov.cn/",
                      "fetched_at": "2026-12-01T02:00:30Z", "status": 200,
                      "content_type": "text/html; charset=utf-8", "headers": "Server: test\r\n",
                      "size": len(PAGE), "of": None}],
    }


def test_patrol_protocol(ctx):
    ck = ctx.check
    w = build(ctx)
    srv = w.server
    try:
        _protocol(ck, w, srv)
    finally:
        srv.stop()


test_patrol_protocol.needs_server = False


def _protocol(ck, w, srv):
    token = new_token(srv, "fake-1")
    ck.ok(len(token) == 64 and set(token) <= HEX, "workers add prints a 64-hex token: %r" % token)
    fake = Worker(srv, token)

    # tokens: none, wrong, revoked -> 401 unauthenticated
    for what, t in [("no token", None), ("wrong token", "0" * 64), ("garbage", "xyz")]:
        st, j, _ = Worker(srv, t).lease()
        ck.ok(st == 401 and (j or {}).get("error", {}).get("code") == "unauthenticated",
              "lease with %s: want 401 unauthenticated, got %d %r" % (what, st, j))
    tok2 = new_token(srv, "fake-2")
    rc, _, _ = srv.cli("workers", "revoke", "fake-2", "--db", srv.db)
    ck.ok(rc == 0, "workers revoke exits 0")
    st, j, _ = Worker(srv, tok2).lease()
    ck.ok(st == 401, "lease with a revoked token: want 401, got %d" % st)
    rc, out, _ = srv.cli("workers", "list", "--db", srv.db)
    ck.ok(rc == 0 and "fake-1" in out and "revoked" in out and "local" in out,
          "workers list shows fake-1, the revoked fake-2 and the server's local worker: %r" % out)
    # a session cookie is not a worker credential
    st, _, _ = raw_request(srv.port, "POST", API + "/worker/lease", b"{}",
                           {"Cookie": "pgd_session=" + (w.office.session or ""), "Content-Type": "application/json"})
    ck.ok(st == 401, "lease with an office session cookie and no token: want 401, got %d" % st)

    st, j, _ = fake.lease()
    ck.ok(st == 204, "lease with no job queued: want 204, got %d %r" % (st, j))

    # patrol now: 202, 409 while queued, 422 for a wechat account without a feed, 403 for a unit role
    r = w.office.post("/platforms/%d/patrol" % w.site_a, {})
    ck.status(r, 202, "office: patrol now")
    job = (r.json or {}).get("job") or {}
    ck.ok(job.get("status") == "queued" and job.get("kind") == "patrol" and job.get("platform_id") == w.site_a
          and job.get("requested_by") == "office1", "patrol now answers the queued JOBINFO: %r" % job)
    r2 = w.office.post("/platforms/%d/patrol" % w.site_a, {})
    ck.error(r2, 409, "conflict", "patrol now while one is queued")
    ck.ok(str(job.get("id")) in (r2.error().get("message") or ""), "the 409 names the queued job %r: %r"
          % (job.get("id"), r2.error().get("message")))
    ck.error(w.office.post("/platforms/%d/patrol" % w.wechat_b, {}), 422, "invalid",
             "patrol now of a wechat account without a feed_url")
    ck.error(w.a.post("/platforms/%d/patrol" % w.site_a, {}), 403, "forbidden", "a unit liaison may not patrol now")
    ck.error(w.office.post("/platforms/999999/patrol", {}), 404, "not_found", "patrol now of no platform")

    # lease: the JOB
    st, j, _ = fake.lease(["probe"])
    ck.ok(st == 204, "a probe-only worker gets no patrol job: %d" % st)
    st, j, _ = fake.lease()
    ck.ok(st == 200, "lease: want 200, got %d %r" % (st, j))
    jj = (j or {}).get("job") or {}
    lease = jj.get("lease") or ""
    ck.ok(jj.get("id") == job.get("id") and jj.get("kind") == "patrol", "leased the queued job: %r" % jj)
    ck.ok(len(lease) == 64 and set(lease) <= HEX, "the lease is 64 hex: %r" % lease)
    ck.ok(jj.get("lease_seconds") == 300, "lease_seconds 300 by default: %r" % jj.get("lease_seconds"))
    plat = jj.get("platform") or {}
    ck.ok(plat.get("id") == w.site_a and plat.get("type") == "website" and plat.get("url") == "https://jia.example.gov.cn/"
          and plat.get("feed_url") is None, "the job's platform: %r" % plat)
    th = jj.get("thresholds") or {}
    ck.ok(sorted(th) == sorted(THRESHOLD_KEYS), "every threshold key sent: %r" % sorted(th))
    ck.ok(th.get("probes_per_day") == 20 and th.get("unavailable_fail_pct") == 5, "default thresholds: %r" % th)
    ck.ok(jj.get("home_baseline") is None, "no home baseline yet")
    opts = jj.get("options") or {}
    ck.ok(opts.get("timeout_ms") == 15000 and opts.get("max_pages") == 5000 and opts.get("screenshots") is True,
          "options: %r" % opts)
    ck.ok(isinstance(jj.get("as_of"), str) and len(jj["as_of"]) == 20 and jj["as_of"].endswith("Z"),
          "as_of is a UTC timestamp: %r" % jj.get("as_of"))
    jid = jj.get("id")

    # progress
    st, _, _ = fake.call("POST", "/worker/jobs/%d/progress" % jid, {"lease": lease, "done": 2, "total": 5})
    ck.ok(st == 204, "progress: want 204, got %d" % st)
    r = w.office.get("/patrol/jobs/%d" % jid)
    ck.ok(r.status == 200 and (r.json or {}).get("status") == "leased" and r.json.get("progress_done") == 2
          and r.json.get("progress_total") == 5, "GET /patrol/jobs/{id} shows the progress: %r" % r)
    st, j, _ = fake.call("POST", "/worker/jobs/%d/progress" % jid, {"lease": "f" * 64, "done": 3, "total": 5})
    ck.ok(st == 409 and (j or {}).get("error", {}).get("code") == "lease_lost", "progress with a wrong lease: %d %r"
          % (st, j))

    # evidence
    st, j, _ = fake.call("PUT", "/worker/jobs/%d/evidence/%s" % (jid, PAGE_SHA), raw=PAGE + b"x",
                         headers={"X-Lease": lease})
    ck.ok(st == 422 and (j or {}).get("error", {}).get("code") == "integrity",
          "evidence whose bytes do not hash to its name: want 422 integrity, got %d %r" % (st, j))
    st, j, _ = fake.call("PUT", "/worker/jobs/%d/evidence/%s" % (jid, PAGE_SHA), raw=PAGE)
    ck.ok(st == 409, "evidence without X-Lease: want 409, got %d" % st)

    # a result that cites evidence not uploaded yet, and one with a bad field
    body = result_body(lease)
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jid, body)
    err = (j or {}).get("error", {})
    ck.ok(st == 422 and err.get("code") == "evidence_missing" and PAGE_SHA in (err.get("message") or ""),
          "result before the evidence upload: want 422 evidence_missing naming the sha, got %d %r" % (st, j))
    bad = result_body(lease)
    bad["findings"][1]["severity"] = "urgent"
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jid, bad)
    ck.ok(st == 422 and (j or {}).get("error", {}).get("field") == "findings[1].severity",
          "result with a bad severity: want 422 naming findings[1].severity, got %d %r" % (st, j))
    bad = result_body(lease)
    bad["findings"][0]["message"] = "长" * 3000  # 9000 bytes
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jid, bad)
    ck.ok(st == 422 and (j or {}).get("error", {}).get("field") == "findings[0].message",
          "a string over 8 KB: want 422 naming findings[0].message, got %d %r" % (st, j))

    st, j, _ = fake.call("PUT", "/worker/jobs/%d/evidence/%s" % (jid, PAGE_SHA), raw=PAGE, headers={"X-Lease": lease})
    ck.ok(st == 201, "evidence upload: want 201, got %d %r" % (st, j))
    st, j, _ = fake.call("PUT", "/worker/jobs/%d/evidence/%s" % (jid, PAGE_SHA), raw=PAGE, headers={"X-Lease": lease})
    ck.ok(st == 200, "the same evidence again: want 200 (idempotent), got %d %r" % (st, j))

    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jid, body)
    ck.ok(st == 200 and (j or {}).get("status") == "stored", "result: want 200 stored, got %d %r" % (st, j))
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jid, body)
    ck.ok(st == 200 and (j or {}).get("status") == "already", "the same result again: want 200 already, got %d %r"
          % (st, j))
    st, j, _ = fake.call("POST", "/worker/jobs/%d/progress" % jid, {"lease": lease, "done": 5, "total": 5})
    ck.ok(st == 409, "progress after the result: want 409 lease_lost, got %d" % st)

    r = w.office.get("/patrol/jobs/%d" % jid)
    ck.ok((r.json or {}).get("status") == "done" and r.json.get("pages") == 3 and r.json.get("links") == 12
          and r.json.get("findings") == 2 and r.json.get("finished_at"), "the job is done with its counts: %r" % r)

    # the platform's patrol page
    r = w.office.get("/platforms/%d/patrol" % w.site_a)
    p = r.json or {}
    ck.status(r, 200, "GET /platforms/{id}/patrol")
    ck.ok((p.get("platform") or {}).get("unit_id") == w.unit_a, "platform block: %r" % p.get("platform"))
    cols = {c.get("name"): c for c in p.get("columns") or []}
    ck.ok(cols.get("工作动态", {}).get("stale") is True and cols.get("工作动态", {}).get("newest") == "2026-11-01T00:00:00Z"
          and cols.get("通知公告", {}).get("empty") is True and cols.get("通知公告", {}).get("newest") is None,
          "columns as reported: %r" % p.get("columns"))
    ck.ok(p.get("open_findings") == 2 and p.get("findings_by_category") == {"site.broken_link_internal": 1,
                                                                            "site.stale_column": 1},
          "open findings by category: %r %r" % (p.get("open_findings"), p.get("findings_by_category")))
    ck.ok((p.get("last_job") or {}).get("id") == jid and p.get("running_job") is None, "last_job / running_job")
    av = p.get("availability") or {}
    ck.ok(av.get("week_probes") == 0 and av.get("week_ratio") is None and av.get("probes") == [],
          "no probes yet: %r" % av)

    # findings: scope, filters
    r = w.office.get("/patrol/findings", query={"platform_id": w.site_a})
    items = (r.json or {}).get("items") or []
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 2, "office sees the 2 findings: %r" % r)
    broken = [f for f in items if f.get("category") == "site.broken_link_internal"]
    f0 = broken[0] if broken else {}
    ck.ok(f0.get("evidence_sha256") == PAGE_SHA and f0.get("status") == "open" and f0.get("times_seen") == 1
          and f0.get("target") == "https://jia.example.gov.cn/404" and f0.get("unit_name") == "巡查甲街道",
          "a FINDING: %r" % f0)
    r = w.a.get("/patrol/findings")
    ck.ok((r.json or {}).get("total") == 2, "unit A's liaison sees their 2 findings: %r" % r)
    r = w.b.get("/patrol/findings")
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 0, "unit B's liaison sees none of A's: %r" % r)
    r = w.b.get("/patrol/findings", query={"unit_id": w.unit_a})
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 0, "unit B asking for unit A's: empty: %r" % r)
    r = w.office.get("/patrol/findings", query={"category": "site.stale_column"})
    ck.ok((r.json or {}).get("total") == 1, "category filter: %r" % r)
    r = w.office.get("/patrol/findings", query={"search": "坏链"})
    ck.ok((r.json or {}).get("total") == 1, "search filter: %r" % r)
    ck.error(w.office.get("/patrol/findings", query={"status": "bogus"}), 400, "invalid", "a bad status filter")
    ck.error(w.b.get("/platforms/%d/patrol" % w.site_a), 404, "not_found", "unit B reads unit A's patrol page")
    ck.error(w.b.get("/patrol/jobs/%d" % jid), 404, "not_found", "unit B reads unit A's job")
    r = w.b.get("/patrol/jobs")
    ck.ok((r.json or {}).get("total") == 0, "unit B's job list has none of A's: %r" % r)
    r = w.a.get("/patrol/jobs", query={"platform_id": w.site_a})
    ck.ok((r.json or {}).get("total") == 1, "unit A's job list: %r" % r)

    # evidence: the raw bytes, never as HTML; scope by the finding's platform
    r = w.a.get("/evidence/" + PAGE_SHA)
    ck.ok(r.status == 200 and r.data == PAGE, "unit A reads the evidence bytes: %r" % r)
    ck.ok(r.header("Content-Type") == ["text/plain; charset=utf-8"], "evidence Content-Type: %r"
          % r.header("Content-Type"))
    ck.ok(r.header("Content-Security-Policy") == ["sandbox"], "evidence CSP: %r" % r.header("Content-Security-Policy"))
    ck.ok(r.header("X-Content-Type-Options") == ["nosniff"], "evidence nosniff")
    ck.ok(r.header("Content-Disposition") == ["inline"], "evidence inline: %r" % r.header("Content-Disposition"))
    ck.error(w.b.get("/evidence/" + PAGE_SHA), 404, "not_found", "unit B reads unit A's evidence")
    ck.error(w.office.get("/evidence/" + "0" * 64), 404, "not_found", "unknown evidence")
    r = w.office.get("/evidence/%s/meta" % PAGE_SHA)
    m = r.json or {}
    ck.ok(r.status == 200 and m.get("kind") == "page" and m.get("size") == len(PAGE) and m.get("status") == 200
          and m.get("fetched_at") == "2026-12-01T02:00:30Z" and m.get("of") is None, "evidence meta: %r" % r)
    ck.error(w.b.get("/evidence/%s/meta" % PAGE_SHA), 404, "not_found", "unit B reads unit A's evidence meta")

    # handling: a dismissal needs a note; confirm; audited; unit roles may not
    fid = f0.get("id")
    ck.error(w.office.post("/patrol/findings/%d/handle" % fid, {"status": "dismissed"}), 400, "invalid",
             "dismiss without a note", field="note")
    ck.error(w.a.post("/patrol/findings/%d/handle" % fid, {"status": "confirmed"}), 403, "forbidden",
             "a unit liaison handles a finding")
    r = w.office.post("/patrol/findings/%d/handle" % fid, {"status": "confirmed", "note": None})
    ck.ok(r.status == 200 and (r.json or {}).get("status") == "confirmed" and r.json.get("handled_by") == "office1",
          "confirm: %r" % r)
    r = w.office.post("/patrol/findings/%d/handle" % fid, {"status": "dismissed", "note": "页面已整改"})
    ck.ok(r.status == 200 and (r.json or {}).get("status") == "dismissed" and r.json.get("handle_note") == "页面已整改",
          "dismiss with a note: %r" % r)
    r = w.office.get("/patrol/findings", query={"status": "dismissed"})
    ck.ok((r.json or {}).get("total") == 1, "status=dismissed lists it: %r" % r)
    db = sqlite3.connect(srv.db, timeout=10)
    n = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'patrol.finding_handle'").fetchone()[0]
    db.close()
    ck.ok(n == 2, "two handlings audited: %d" % n)

    # the home page baseline: the first patrol's home became it; accepting the latest is audited
    r = w.office.post("/platforms/%d/patrol/baseline" % w.site_a, {})
    ck.ok(r.status == 200 and (r.json or {}).get("sha256") == PAGE_SHA, "accept the latest home page: %r" % r)
    ck.error(w.office.post("/platforms/%d/patrol/baseline" % w.site_b, {}), 409, "conflict",
             "accept a baseline of a never patrolled platform")

    # feed of a wechat account: then it can be patrolled
    ck.error(w.a.put("/platforms/%d/feed" % w.wechat_b, {"feed_url": "https://rss.example/x"}), 404, "not_found",
             "unit A sets unit B's feed")
    ck.error(w.b.put("/platforms/%d/feed" % w.wechat_b, {"feed_url": "ftp://rss.example/x"}), 400, "invalid",
             "a feed that is not http(s)")
    r = w.b.put("/platforms/%d/feed" % w.wechat_b, {"feed_url": "https://rss.example/xuncha_yi"})
    ck.ok(r.status == 200 and (r.json or {}).get("feed_url") == "https://rss.example/xuncha_yi",
          "unit B's liaison sets their account's feed: %r" % r)
    r = w.office.post("/platforms/%d/patrol" % w.wechat_b, {})
    ck.status(r, 202, "patrol now of a wechat account with a feed")
    st, j, _ = fake.lease()
    jb = (j or {}).get("job") or {}
    ck.ok(st == 200 and (jb.get("platform") or {}).get("feed_url") == "https://rss.example/xuncha_yi",
          "the job carries the feed_url: %r" % j)
    st, _, _ = fake.call("POST", "/worker/jobs/%d/fail" % jb.get("id", 0), {"lease": jb.get("lease"),
                                                                             "error": "订阅源无法访问"})
    ck.ok(st == 204, "fail: want 204, got %d" % st)
    r = w.office.get("/patrol/jobs/%d" % jb.get("id", 0))
    ck.ok((r.json or {}).get("status") == "failed" and r.json.get("error") == "订阅源无法访问", "failed job: %r" % r)

    # lease_lost after expiry: lease_seconds 1, a second worker takes the expired job
    setting(srv, "patrol.lease_seconds", "1")
    ck.status(w.office.post("/platforms/%d/patrol" % w.site_a2, {}), 202, "patrol now (site a2)")
    st, j, _ = fake.lease()
    j1 = (j or {}).get("job") or {}
    ck.ok(st == 200 and j1.get("lease_seconds") == 1, "leased with lease_seconds 1: %r" % j)
    time.sleep(2.2)
    other = Worker(srv, new_token(srv, "fake-3"))
    st, j, _ = other.lease()
    j2 = (j or {}).get("job") or {}
    ck.ok(st == 200 and j2.get("id") == j1.get("id") and j2.get("lease") != j1.get("lease"),
          "the expired job goes to another worker with a new lease: %r" % j)
    st, j, _ = fake.call("POST", "/worker/jobs/%d/progress" % j1.get("id", 0), {"lease": j1.get("lease"), "done": 1,
                                                                                 "total": 2})
    ck.ok(st == 409 and (j or {}).get("error", {}).get("code") == "lease_lost", "the first worker's progress: %d %r"
          % (st, j))
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % j1.get("id", 0),
                         {"lease": j1.get("lease"), "summary": {"pages": 1, "links": 0}, "findings": []})
    ck.ok(st == 409 and (j or {}).get("error", {}).get("code") == "lease_lost", "the first worker's result: %d %r"
          % (st, j))
    st, j, _ = other.call("POST", "/worker/jobs/%d/result" % j2.get("id", 0),
                          {"lease": j2.get("lease"), "summary": {"pages": 1, "links": 0}, "findings": []})
    ck.ok(st == 200 and (j or {}).get("status") == "stored", "the second worker's result: %d %r" % (st, j))
    setting(srv, "patrol.lease_seconds", "300")

    # pubguard patrol now: 4 when no worker takes it, 0 with the counts when one does
    rc, out, err = srv.cli("patrol", "now", str(w.site_b), "--db", srv.db, "--timeout", "1")
    ck.ok(rc == 4 and "pubguard worker" in err, "patrol now without workers exits 4 naming `pubguard worker`: %d %r"
          % (rc, err))
    rc, out, err = srv.cli("patrol", "now", "abc", "--db", srv.db)
    ck.ok(rc == 2, "patrol now with a bad id exits 2: %d" % rc)
    st, j, _ = fake.lease()  # the job left queued: take it and give it up
    jq = (j or {}).get("job") or {}
    ck.ok(st == 200 and jq.get("platform", {}).get("id") == w.site_b, "the timed-out job stayed queued: %r" % j)
    fake.call("POST", "/worker/jobs/%d/fail" % jq.get("id", 0), {"lease": jq.get("lease"), "error": "测试放弃"})
    proc = subprocess.Popen([srv.binary, "patrol", "now", str(w.site_b), "--db", srv.db, "--timeout", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    jc = {}
    for _ in range(100):
        st, j, _ = fake.lease()
        if st == 200:
            jc = j["job"]
            break
        time.sleep(0.1)
    ck.ok(jc.get("platform", {}).get("id") == w.site_b, "the CLI's job reached the worker: %r" % jc)
    st, j, _ = fake.call("POST", "/worker/jobs/%d/result" % jc.get("id", 0),
                         {"lease": jc.get("lease"), "summary": {"pages": 4, "links": 9}, "findings": []})
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    text = out.decode("utf-8", "replace")
    ck.ok(st == 200, "the result of the CLI's job: %d %r" % (st, j))
    ck.ok(proc.returncode == 0 and "页面 4" in text and "链接 9" in text,
          "patrol now exits 0 with the counts: %r %r %r" % (proc.returncode, text, err.decode("utf-8", "replace")))


def test_patrol_real_worker(ctx):
    """`pubguard serve --workers 1` and its real worker against the loopback test site
    (tests/patrol/serve.py): `pubguard patrol now` ends 0, the planted broken link and hidden
    link are findings, and their page evidence reads back as text/plain."""
    ck = ctx.check
    tmp = os.path.join(ctx.tmp, "patrol-real")
    os.makedirs(tmp, exist_ok=True)
    site = subprocess.Popen([sys.executable, os.path.join(ctx.root, "tests/patrol/serve.py"), "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    srv = None
    try:
        main_port = int(site.stdout.readline().split()[0])
        srv = PatrolServer(ctx.binary, tmp, extra=["--workers", "1"])
        srv.start()
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit("实测单位", "department")["id"]
        pid = city.new_platform(unit, "实测网站", "website", "http://127.0.0.1:%d/" % main_port)["id"]
        office = city.client("office1")
        p = subprocess.run([srv.binary, "patrol", "now", str(pid), "--db", srv.db, "--timeout", "60"],
                           capture_output=True, timeout=600)
        out = p.stdout.decode("utf-8", "replace")
        ck.ok(p.returncode == 0 and "巡查完成" in out, "patrol now with a local worker exits 0: %d %r %r"
              % (p.returncode, out, p.stderr.decode("utf-8", "replace")[-300:]))
        r = office.get("/patrol/findings", query={"platform_id": pid, "page_size": 500})
        cats = {f.get("category") for f in (r.json or {}).get("items") or []}
        ck.ok({"site.broken_link_internal", "site.hidden_link"} <= cats,
              "the planted broken link and hidden link are findings: %r" % sorted(cats))
        ev = [f["evidence_sha256"] for f in (r.json or {}).get("items") or [] if f.get("evidence_sha256")]
        ck.ok(len(ev) > 0, "findings carry evidence")
        if ev:
            e = office.get("/evidence/" + ev[0])
            ck.ok(e.status == 200 and hashlib.sha256(e.data).hexdigest() == ev[0]
                  and e.header("Content-Type") in (["text/plain; charset=utf-8"], ["image/png"]),
                  "the evidence reads back, hashing to its name: %r" % e)
        r = office.get("/platforms/%d/patrol" % pid)
        lj = (r.json or {}).get("last_job") or {}
        ck.ok(lj.get("status") == "done" and lj.get("pages", 0) > 1, "the platform's last job: %r" % lj)
        # the local worker keeps its re-crawl state beside the database; a second patrol asks
        # conditionally, re-uses unchanged pages and reports the same open findings
        cache = srv.db + ".patrol-cache"
        ck.ok(os.path.isdir(cache) and len(os.listdir(cache)) > 0, "re-crawl state in %s" % cache)
        time.sleep(1.1)  # "patrol now" jobs are keyed by the second
        p = subprocess.run([srv.binary, "patrol", "now", str(pid), "--db", srv.db, "--timeout", "60"],
                           capture_output=True, timeout=600)
        ck.ok(p.returncode == 0, "a second patrol now exits 0: %r" % p.stderr.decode("utf-8", "replace")[-300:])
        r = office.get("/patrol/findings", query={"platform_id": pid, "page_size": 500})
        cats2 = {f.get("category") for f in (r.json or {}).get("items") or []}
        ck.ok(cats2 == cats, "the re-crawl keeps the same open findings: %r vs %r" % (sorted(cats2), sorted(cats)))
    finally:
        if srv is not None:
            srv.stop()
        site.stdin.close()
        site.wait(timeout=10)


test_patrol_real_worker.needs_server = False


class WideJob:
    """A `serve` with one website platform on /wide/ of tests/patrol/serve.py (161 pages, each
    answered after delay_ms), a worker token and a "patrol now" job for it; .worker is the command
    of a one-job worker sharing a cache dir and a work dir with the others (one machine)."""

    def __init__(self, ctx, name, delay_ms):
        self.tmp = os.path.join(ctx.tmp, name)
        os.makedirs(os.path.join(self.tmp, "work"), exist_ok=True)
        self.site = subprocess.Popen([sys.executable, os.path.join(ctx.root, "tests/patrol/serve.py"), "1"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.srv = None
        self.main_port = int(self.site.stdout.readline().split()[0])
        self.ctl("wide_delay/%d" % delay_ms)
        self.srv = PatrolServer(ctx.binary, self.tmp)
        self.srv.start()
        city = City(self.srv, ctx.check)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit(name + "单位", "department")["id"]
        self.pid = city.new_platform(unit, name + "网站", "website",
                                     "http://127.0.0.1:%d/wide/" % self.main_port)["id"]
        self.office = city.client("office1")
        setting(self.srv, "patrol.lease_seconds", "3")
        self.token = new_token(self.srv, name)
        token_file = os.path.join(self.tmp, "token")
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, self.token.encode() + b"\n")
        os.close(fd)
        r = self.office.post("/platforms/%d/patrol" % self.pid, {})
        self.job = ((r.json or {}).get("job") or {}).get("id")
        ctx.check.ok(r.status == 202 and self.job, "patrol now queues a job: %r" % r)
        self.worker = [self.srv.binary, "worker", "--server", "http://127.0.0.1:%d" % self.srv.port, "--token-file",
                       token_file, "--once", "--kinds", "patrol", "--screenshots", "off",
                       "--cache-dir", os.path.join(self.tmp, "cache"), "--work-dir", os.path.join(self.tmp, "work")]

    def ctl(self, what):
        return urllib.request.urlopen("http://127.0.0.1:%d/_ctl/%s" % (self.main_port, what), timeout=10).read()

    def wide_requests(self):
        return json.loads(self.ctl("stats"))["wide"]

    def job_state(self):
        return self.office.get("/patrol/jobs/%d" % self.job).json or {}

    def wait_crawling(self, ck, done):
        """Until the job reports `done` requests finished."""
        seen = {}
        for _ in range(600):
            seen = self.job_state()
            if seen.get("status") == "leased" and seen.get("progress_done", 0) >= done:
                break
            time.sleep(0.05)
        ck.ok(seen.get("status") == "leased" and seen.get("progress_done", 0) >= done,
              "the first worker is crawling: %r" % seen)

    def close(self):
        if self.srv is not None:
            self.srv.stop()
        self.site.stdin.close()
        self.site.wait(timeout=10)


def test_patrol_killed_worker(ctx):
    """A worker killed in the middle of a patrol: its lease runs out, another worker takes the job
    (attempt 2) and finishes it — a killed patrol resumes rather than hanging or being lost. The two
    workers share a cache dir and a work dir (one machine): the second replays from the crawl's
    journal what the first fetched, and fetches only the rest."""
    ck = ctx.check
    wj = None
    w1 = None
    try:
        wj = WideJob(ctx, "patrol-killed", 150)
        w1 = subprocess.Popen(wj.worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wj.wait_crawling(ck, 20)
        w1.kill()  # SIGKILL: no goodbye, the lease just stops being renewed
        w1.wait(timeout=10)
        # a second worker asks until the lease (3 s, stored to the second) has run out: exit 3 is
        # "no job for me yet"
        deadline = time.time() + 30
        while True:
            p = subprocess.run(wj.worker, capture_output=True, timeout=300)
            if p.returncode != 3 or time.time() > deadline:
                break
            time.sleep(0.5)
        ck.ok(p.returncode == 0, "a second worker takes and finishes the job: %d %r"
              % (p.returncode, p.stderr.decode("utf-8", "replace")[-300:]))
        done = wj.job_state()
        db = sqlite3.connect(wj.srv.db)
        attempts = db.execute("SELECT attempts FROM patrol_jobs WHERE id = ?", (wj.job,)).fetchone()
        db.close()
        ck.ok(done.get("status") == "done" and done.get("pages") == 161 and attempts == (2,),
              "the job is done, whole, on its second attempt: %r, attempts %r" % (done, attempts))
        log = p.stderr.decode("utf-8", "replace")
        m = re.search(r"result stored: .* (\d+) resumed", log)
        ck.ok(m is not None and int(m.group(1)) >= 10,
              "the second attempt replayed what the first fetched: %r" % log[-400:])
        ck.ok(not os.path.exists(os.path.join(wj.tmp, "work", "pgd-job-%d" % wj.job)),
              "the job's evidence directory is gone once the job is done")
    finally:
        if w1 is not None and w1.poll() is None:
            w1.kill()
        if wj is not None:
            wj.close()


test_patrol_killed_worker.needs_server = False


def test_patrol_lost_lease(ctx):
    """A worker that loses its lease (stopped past its expiry while another worker took the job)
    stops crawling at its next progress report instead of patrolling on for nothing."""
    ck = ctx.check
    wj = None
    w1 = None
    try:
        wj = WideJob(ctx, "patrol-lost", 1000)  # the whole crawl would take 16 s
        w1 = subprocess.Popen(wj.worker, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wj.wait_crawling(ck, 10)
        w1.send_signal(signal.SIGSTOP)
        time.sleep(4.5)  # past the 3 s lease
        st, body, _ = Worker(wj.srv, wj.token).lease(("patrol",))
        ck.ok(st == 200 and ((body or {}).get("job") or {}).get("id") == wj.job,
              "another worker takes the job once the lease ran out: %r %r" % (st, body))
        t0 = time.time()
        w1.send_signal(signal.SIGCONT)
        try:
            _, err = w1.communicate(timeout=8)
        except subprocess.TimeoutExpired:
            w1.kill()
            _, err = w1.communicate()
        took = time.time() - t0
        err = err.decode("utf-8", "replace")
        ck.ok(took < 5 and "lease lost" in err and "result stored" not in err,
              "the first worker stops at once (%.1f s): %r" % (took, err[-300:]))
        n0 = wj.wide_requests()
        time.sleep(1.5)
        ck.ok(wj.wide_requests() == n0, "no request is made after the stop")
    finally:
        if w1 is not None and w1.poll() is None:
            w1.send_signal(signal.SIGCONT)
            w1.kill()
        if wj is not None:
            wj.close()


test_patrol_lost_lease.needs_server = False


def test_patrol_posts_import(ctx):
    """An account without a feed: the office uploads an export of its posts, a real worker (serve
    --workers 1) parses it and returns cadence and content findings with the export as evidence;
    the same file again is 409. Dates are relative to today, so the verdicts do not age."""
    ck = ctx.check
    tmp = os.path.join(ctx.tmp, "patrol-posts")
    os.makedirs(tmp, exist_ok=True)
    srv = None
    try:
        srv = PatrolServer(ctx.binary, tmp, extra=["--workers", "1"])
        srv.start()
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit("导入单位", "department")["id"]
        pid = city.new_platform(unit, "导入公众号", "wechat", "gh_posts_import")["id"]
        office = city.client("office1")
        day = lambda n: time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 - n * 86400))
        csv = ("发布时间,标题,链接,正文\n"
               "%s 09:00,冬季防火安全检查的通知,https://mp.weixin.qq.com/s/fire,各单位做好冬季防火工作。\n"
               "%s,读书活动预告,https://mp.weixin.qq.com/s/read,联系人：杨同志，联系电话：13985012345。\n"
               % (day(20), day(25))).encode("utf-8")
        r = office.post("/platforms/%d/posts" % pid, raw=csv, content_type="text/csv", query={"filename": "posts.csv"})
        job = ((r.json or {}).get("job") or {}).get("id")
        ck.ok(r.status == 202 and job, "the export is queued as a patrol job: %r" % r)
        done = {}
        for _ in range(600):
            done = office.get("/patrol/jobs/%d" % job).json or {}
            if done.get("status") in ("done", "failed"):
                break
            time.sleep(0.1)
        ck.ok(done.get("status") == "done", "the worker patrolled the export: %r" % done)
        r = office.get("/patrol/findings", query={"platform_id": pid, "page_size": 500})
        items = (r.json or {}).get("items") or []
        by = {(f.get("category"), f.get("url")): f for f in items}
        sha = hashlib.sha256(csv).hexdigest()
        z = by.get(("feed.zombie", "gh_posts_import"))
        ck.ok(z is not None and z.get("severity") == "block" and "已 20 天未更新" in (z.get("message") or ""),
              "no post for 20 days: feed.zombie on the account: %r" % sorted(by))
        ck.ok(("feed.not_weekly", "gh_posts_import") in by, "nothing in the last week: feed.not_weekly: %r" % sorted(by))
        m = by.get(("pii.mobile", "https://mp.weixin.qq.com/s/read"))
        ck.ok(m is not None and m.get("text") == "13985012345" and m.get("evidence_sha256") == sha,
              "the phone number in a post is a content finding on its link, proved by the export: %r" % m)
        e = office.get("/evidence/" + sha)
        ck.ok(e.status == 200 and e.data == csv, "the export reads back as the evidence: %r" % e)
        r = office.post("/platforms/%d/posts" % pid, raw=csv, content_type="text/csv")
        ck.ok(r.status == 409, "the same export again is 409: %r" % r)
        r = office.post("/platforms/%d/posts" % pid, raw=b"", content_type="text/csv")
        ck.ok(r.status == 400, "an empty upload is 400: %r" % r)
    finally:
        if srv is not None:
            srv.stop()


test_patrol_posts_import.needs_server = False


def test_patrol_settings(ctx):
    """The office sets the daily patrol time, the Art. 14 start date, the lease and thresholds over
    the API: bad values are 400 naming the field and change nothing, good ones are in force and
    audited; unit users read but may not write."""
    ck = ctx.check
    tmp = os.path.join(ctx.tmp, "patrol-settings")
    os.makedirs(tmp, exist_ok=True)
    srv = PatrolServer(ctx.binary, tmp)
    srv.start()
    try:
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit("设置单位", "department")["id"]
        person = city.new_person(unit, "设置联络员", post="联络员")["id"]
        city.cli_user("liaison1", "联络员", "liaison", person_id=person)
        office = city.client("office1")
        r = office.get("/settings/patrol")
        j = r.json or {}
        ck.ok(r.status == 200 and j.get("daily_time") == "02:00" and j.get("unreviewed_since") is None
              and j.get("lease_seconds") == 300 and (j.get("thresholds") or {}).get("zombie_days") == 14
              and (j.get("thresholds") or {}).get("unavailable_fail_pct") == 5,
              "defaults: 02:00, no Art. 14 date, 300 s, the regulation's thresholds: %r" % j)
        for body, field in (({"daily_time": "24:00"}, "daily_time"), ({"daily_time": "2:00"}, "daily_time"),
                            ({"unreviewed_since": "2026-02-30"}, "unreviewed_since"),
                            ({"lease_seconds": 0}, "lease_seconds"),
                            ({"thresholds": {"zombie_days": -1}}, "thresholds.zombie_days"),
                            ({"thresholds": {"bogus": 1}}, "thresholds.bogus"), ({"colour": "red"}, "colour"),
                            ({"daily_time": "03:00", "thresholds": {"bogus": 1}}, "thresholds.bogus")):
            r = office.put("/settings/patrol", body)
            ck.ok(r.status == 400 and ((r.json or {}).get("error") or {}).get("field") == field,
                  "%r is refused naming %s: %r" % (body, field, r))
        ck.ok((office.get("/settings/patrol").json or {}).get("daily_time") == "02:00",
              "a refused request changed nothing")
        r = office.put("/settings/patrol", {"daily_time": "03:30", "unreviewed_since": "2026-11-01",
                                            "lease_seconds": 120, "thresholds": {"zombie_days": 10}})
        j = r.json or {}
        ck.ok(r.status == 200 and j.get("daily_time") == "03:30" and j.get("unreviewed_since") == "2026-11-01"
              and j.get("lease_seconds") == 120 and (j.get("thresholds") or {}).get("zombie_days") == 10
              and (j.get("thresholds") or {}).get("news_column_days") == 14, "saved and in force: %r" % j)
        db = sqlite3.connect(srv.db)
        n = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.patrol' AND actor = 'office1'").fetchone()
        db.close()
        ck.ok(n == (1,), "the change is audited once: %r" % (n,))
        r = office.put("/settings/patrol", {"unreviewed_since": None})
        ck.ok(r.status == 200 and (r.json or {}).get("unreviewed_since") is None, "the Art. 14 date can be cleared: %r" % r)
        liaison = city.client("liaison1")
        ck.ok(liaison.get("/settings/patrol").status == 200, "a unit user reads the settings")
        r = liaison.put("/settings/patrol", {"daily_time": "04:00"})
        ck.ok(r.status == 403, "a unit user may not change them: %r" % r)
    finally:
        srv.stop()


test_patrol_settings.needs_server = False


def test_patrol_workers_api(ctx):
    """The system admin registers a remote worker over the API: its token (shown once) works on the
    worker API, is in no log or audit entry, and stops working when revoked; nobody else may."""
    ck = ctx.check
    tmp = os.path.join(ctx.tmp, "patrol-workers")
    os.makedirs(tmp, exist_ok=True)
    srv = PatrolServer(ctx.binary, tmp)
    srv.start()
    try:
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        city.cli_user("sysadmin1", "系统管理员", "system_admin")
        admin = city.client("sysadmin1")
        r = admin.post("/workers", {"name": "crawler-2"})
        j = r.json or {}
        token = j.get("token") or ""
        w = j.get("worker") or {}
        ck.ok(r.status == 201 and len(token) == 64 and w.get("name") == "crawler-2" and w.get("active") is True,
              "a worker and its token: %r" % {k: v for k, v in j.items() if k != "token"})
        ck.ok(admin.post("/workers", {"name": "crawler-2"}).status == 409, "the same name twice is 409")
        ck.ok(admin.post("/workers", {"name": ""}).status == 400, "an empty name is 400")
        st, _, _ = Worker(srv, token).lease()
        ck.ok(st == 204, "the token works on the worker API (no job: 204): %d" % st)
        names = [x.get("name") for x in (admin.get("/workers").json or {}).get("items") or []]
        ck.ok("crawler-2" in names, "listed: %r" % names)
        db = sqlite3.connect(srv.db)
        leaked = db.execute("SELECT COUNT(*) FROM audit_log WHERE COALESCE(after_json, '') LIKE ?",
                            ("%" + token + "%",)).fetchone()[0]
        added = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'worker.add'").fetchone()[0]
        db.close()
        ck.ok(added == 1 and leaked == 0, "audited once, without the token: %d %d" % (added, leaked))
        with open(srv.log_path, "rb") as f:
            ck.ok(token.encode() not in f.read(), "the token is not in the server log")
        office = city.client("office1")
        ck.ok(office.get("/workers").status == 403 and office.post("/workers", {"name": "x"}).status == 403,
              "the office may not manage workers")
        r = admin.post("/workers/%d/revoke" % w.get("id", 0), {})
        ck.ok(r.status == 200 and (r.json or {}).get("active") is False, "revoked: %r" % r)
        st, _, _ = Worker(srv, token).lease()
        ck.ok(st == 401, "a revoked token is refused: %d" % st)
        ck.ok(admin.post("/workers/999999/revoke", {}).status == 404, "an unknown worker is 404")
    finally:
        srv.stop()


test_patrol_workers_api.needs_server = False


# ---- TLS: an intranet's own CA (--ca-file), certificate expiry, certificate failures ----

def _openssl(cwd, *args):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise Failure("openssl %s failed: %s" % (args[0], p.stderr.decode("utf-8", "replace")[-300:]))
    return p.stdout.decode("utf-8", "replace")


def _make_certs(d):
    """A test CA (an intranet's own), a server certificate for 127.0.0.1 it signed that expires in
    10 days, and one it signed that expired in 2020. Returns the first's notAfter (Unix seconds),
    read back from the certificate with `openssl x509 -enddate`."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl(d, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
             "-subj", "/CN=Pubguard Test Intranet CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    with open(os.path.join(d, "site.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl(d, "req", "-new", *ec, "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=127.0.0.1")
    _openssl(d, "x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x5a17e",
             "-days", "10", "-extfile", "site.ext", "-out", "site.pem")
    # a certificate valid in January 2020 only: `openssl ca` sets both dates
    os.makedirs(os.path.join(d, "cadb"), exist_ok=True)
    open(os.path.join(d, "cadb", "index.txt"), "w").close()
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = test\n[test]\ndatabase = cadb/index.txt\nnew_certs_dir = cadb\n"
                "rand_serial = yes\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n"
                "unique_subject = no\n[any]\ncommonName = supplied\n")
    _openssl(d, "req", "-new", *ec, "-keyout", "old.key", "-out", "old.csr", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1")
    _openssl(d, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "old.csr",
             "-out", "old.pem", "-notext", "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")
    end = _openssl(d, "x509", "-in", "site.pem", "-noout", "-enddate").strip()  # notAfter=Dec 11 09:22:08 2026 GMT
    return calendar.timegm(time.strptime(end.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT"))


class TlsSite:
    """A small website over HTTPS on 127.0.0.1 (Python's ssl module, a thread of this process): a
    home page linking to a second page."""

    PAGES = {"/": "<html><head><title>内网测试站</title></head><body><p>内网自建证书的网站</p>"
                  "<a href='/about.html'>关于我们</a></body></html>",
             "/about.html": "<html><head><title>关于我们</title></head><body><p>本站简介</p></body></html>"}

    def __init__(self, cert, key):
        import http.server
        import ssl
        import threading
        pages = self.PAGES

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                data = (body or "not found").encode("utf-8")
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(data)

            do_HEAD = do_GET

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client refusing the certificate ends the handshake: expected here

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "https://127.0.0.1:%d/" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def queue_probe(server, platform_id, period):
    """A probe job, as the scheduler makes them (there is no API for probes: they are the
    scheduler's alone, and PatrolServer runs without it)."""
    db = sqlite3.connect(server.db, timeout=10)
    db.execute("INSERT INTO patrol_jobs (platform_id, kind, period, requested_by, created_at) "
               "VALUES (?, 'probe', ?, 'scheduler', ?)",
               (platform_id, period, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    db.commit()
    db.close()


def test_patrol_tls(ctx):
    """A website with a certificate of an intranet's own CA (made here with the openssl CLI,
    expiring in 10 days) served over HTTPS on loopback: a real worker given the CA (--ca-file)
    probes it, and the platform's availability shows the certificate's expiry with a
    site.tls_expiring finding (tls_warn_days 30); without the CA the probe fails with the
    certificate error; an expired certificate is named as such. `pubguard patrol --ca-file`
    crawls the site, without it the home page is site.unavailable; unreadable CA files are
    refused at start (exit 2). Expected dates come from the certificate itself."""
    ck = ctx.check
    tmp = os.path.join(ctx.tmp, "patrol-tls")
    certs = os.path.join(tmp, "certs")
    os.makedirs(certs, exist_ok=True)
    srv = site = old = None
    try:
        not_after = _make_certs(certs)
        ca = os.path.join(certs, "ca.pem")
        site = TlsSite(os.path.join(certs, "site.pem"), os.path.join(certs, "site.key"))
        old = TlsSite(os.path.join(certs, "old.pem"), os.path.join(certs, "old.key"))
        srv = PatrolServer(ctx.binary, tmp)
        srv.start()
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit("内网证书单位", "department")["id"]
        pid = city.new_platform(unit, "内网证书网站", "website", site.url)["id"]
        pid_old = city.new_platform(unit, "过期证书网站", "website", old.url)["id"]
        office = city.client("office1")
        token_file = os.path.join(tmp, "token")
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, new_token(srv, "tls-worker").encode() + b"\n")
        os.close(fd)
        os.makedirs(os.path.join(tmp, "work"), exist_ok=True)
        worker = [srv.binary, "worker", "--server", "http://127.0.0.1:%d" % srv.port, "--token-file", token_file,
                  "--once", "--kinds", "probe", "--screenshots", "off", "--work-dir", os.path.join(tmp, "work")]

        def run(args):
            p = subprocess.run(args, capture_output=True, timeout=120)
            return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

        def availability(platform, check=True):
            r = office.get("/platforms/%d/patrol" % platform)
            if check:
                ck.ok(r.status == 200, "GET /platforms/%d/patrol: %r" % (platform, r))
            return (r.json or {}).get("availability") or {}

        # 1. with the CA: the probe succeeds and sees the certificate's expiry
        queue_probe(srv, pid, "tls-1")
        rc, _, err = run(worker + ["--ca-file", ca])
        ck.ok(rc == 0 and "result stored" in err, "worker --once --ca-file runs the probe: %d %r" % (rc, err[-300:]))
        av = availability(pid)
        probes = av.get("probes") or []
        want = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(not_after))
        ck.ok(len(probes) == 1 and probes[0].get("ok") is True and probes[0].get("status") == 200
              and not probes[0].get("error"), "the probe with the CA opened the home page: %r" % probes)
        ck.ok(av.get("tls_expires") == want, "availability.tls_expires is the certificate's notAfter %s: %r"
              % (want, av.get("tls_expires")))
        r = office.get("/patrol/findings", query={"platform_id": pid, "category": "site.tls_expiring"})
        items = (r.json or {}).get("items") or []
        day = time.strftime("%Y-%m-%d", time.gmtime(not_after + 8 * 3600))  # Beijing time
        ck.ok(len(items) == 1 and items[0].get("severity") == "review"
              and items[0].get("message") == "TLS 证书将于 %s 到期" % day,
              "a certificate expiring in 10 days (< 30) is a site.tls_expiring finding for %s: %r" % (day, items))

        # 2. without the CA: the same site's certificate cannot be verified
        queue_probe(srv, pid, "tls-2")
        rc, _, err = run(worker)
        ck.ok(rc == 0, "worker --once without --ca-file: %d %r" % (rc, err[-300:]))
        av = availability(pid)
        probes = av.get("probes") or []
        last = probes[-1] if probes else {}
        ck.ok(len(probes) == 2 and last.get("ok") is False and last.get("status") == 0
              and "证书无法验证" in (last.get("error") or ""),
              "without the CA the probe fails with the certificate error: %r" % probes)
        ck.ok(av.get("tls_expires") == want, "the expiry seen before stays shown: %r" % av.get("tls_expires"))

        # 3. an expired certificate, even of a trusted CA
        queue_probe(srv, pid_old, "tls-3")
        rc, _, err = run(worker + ["--ca-file", ca])
        ck.ok(rc == 0, "worker --once, expired certificate: %d %r" % (rc, err[-300:]))
        probes = availability(pid_old).get("probes") or []
        ck.ok(len(probes) == 1 and probes[0].get("ok") is False and "证书已过期" in (probes[0].get("error") or ""),
              "an expired certificate is named in the probe's error: %r" % probes)

        # 4. CA files that cannot be used: refused at start, naming the file
        missing = os.path.join(certs, "missing.pem")
        queue_probe(srv, pid, "tls-4")
        for args, what, words in (([missing], "a missing file", ["missing.pem", "无法读取"]),
                                  ([os.path.join(certs, "site.key")], "a key, no certificate",
                                   ["site.key", "PEM"])):
            rc, _, err = run(worker + ["--ca-file"] + args)
            ck.ok(rc == 2 and all(w in err for w in words), "worker --ca-file with %s: exit 2 naming it: %d %r"
                  % (what, rc, err[-300:]))
        r = office.get("/patrol/jobs", query={"platform_id": pid, "kind": "probe", "status": "queued"})
        ck.ok((r.json or {}).get("total") == 1, "a worker refused at start took no job: %r" % r)
        rc, _, err = run([srv.binary, "serve", "--db", os.path.join(tmp, "db2"), "--listen", "127.0.0.1:0",
                          "--workers", "1", "--worker-ca-file", missing])
        ck.ok(rc == 2 and "missing.pem" in err, "serve --worker-ca-file with a missing file: exit 2: %d %r"
              % (rc, err[-300:]))

        # 5. pubguard patrol: crawls the site with the CA; without it the home page is unavailable
        patrol = [srv.binary, "patrol", "--json", "--no-content", "--site", site.url]
        rc, out, err = run(patrol + ["--ca-file", ca])
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        summary = (lines[-1] if lines else {}).get("summary") or {}
        cats = [x.get("category") for x in lines[:-1]]
        ck.ok(rc in (0, 1) and summary.get("pages", 0) >= 2 and "site.unavailable" not in cats,
              "patrol --ca-file crawls the site (2 pages): %d %r %r" % (rc, summary, cats))
        rc, out, err = run(patrol)
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        un = [x for x in lines[:-1] if x.get("category") == "site.unavailable" and x.get("url") == site.url]
        ck.ok(rc == 1 and len(un) == 1 and "证书无法验证" in (un[0].get("message") or "")
              and ((lines[-1] if lines else {}).get("summary") or {}).get("pages") == 0,
              "patrol without the CA: the home page is site.unavailable with the certificate error: %d %r"
              % (rc, lines))
        rc, out, err = run(patrol + ["--ca-file", missing])
        ck.ok(rc == 2 and "missing.pem" in err and out == "", "patrol --ca-file with a missing file: exit 2: %d %r"
              % (rc, err[-300:]))

        # 6. serve --workers 1 --worker-ca-file: the server's own worker trusts the CA
        srv.stop()
        srv = PatrolServer(ctx.binary, os.path.join(tmp, "serve"), extra=["--workers", "1", "--worker-ca-file", ca])
        os.makedirs(srv.tmp, exist_ok=True)
        srv.start()
        city = City(srv, ck)
        city.cli_user("office1", "网信办管理员", "office_admin")
        unit = city.new_unit("内网证书单位", "department")["id"]
        pid = city.new_platform(unit, "内网证书网站", "website", site.url)["id"]
        office = city.client("office1")
        queue_probe(srv, pid, "tls-serve")
        av = {}
        for _ in range(300):
            av = availability(pid, check=False)
            if av.get("probes"):
                break
            time.sleep(0.1)
        probes = av.get("probes") or []
        ck.ok(len(probes) == 1 and probes[0].get("ok") is True and av.get("tls_expires") == want,
              "serve --worker-ca-file: its local worker's probe opens the site and sees the expiry: %r" % av)
    finally:
        if srv is not None:
            srv.stop()
        for s in (site, old):
            if s is not None:
                s.close()


test_patrol_tls.needs_server = False


if __name__ == "__main__":
    import argparse
    import tempfile
    from harness import Checker

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()

    class Ctx:
        pass
    c = Ctx()
    c.binary = os.path.abspath(args.bin)
    c.tmp = tempfile.mkdtemp(prefix="pgd-it-patrol-")
    c.check = Checker()
    c.check.current = "test_patrol"
    c.root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for fn in (test_patrol_protocol, test_patrol_real_worker, test_patrol_killed_worker, test_patrol_lost_lease,
               test_patrol_posts_import, test_patrol_settings, test_patrol_workers_api, test_patrol_tls):
        try:
            fn(c)
        except Failure as e:
            c.check.ok(False, "setup failed: %s" % e)
    print("%d passed, %d failed" % (c.check.passed, c.check.failed))
    sys.exit(1 if c.check.failed else 0)
