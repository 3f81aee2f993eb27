#!/usr/bin/env python3
"""A fake of the pubguard worker API (/api/v1/worker) for tests/cli/test_worker_cli.sh.

Listens on 127.0.0.1 (port from the OS), prints the port on one line, then serves until its
stdin is closed. Hands out the jobs of a queue (a website patrol of SITE_URL, a probe of
PROBE_URL), checks the bearer token, the lease of every call, the SHA-256 of every evidence
upload and that a result names only uploaded evidence, and records every call in RECORD (JSON,
rewritten after each call) for the test to inspect.
Modes: normal (as the protocol says), unauth (401 for everything), lease_lost (every call
after the lease answers 409 lease_lost), empty (no jobs), badjob (one job whose thresholds lack
tls_warn_days: the worker must fail it through /fail).
Usage: fake_server.py MODE TOKEN RECORD SITE_URL PROBE_URL
"""
import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE, TOKEN, RECORD, SITE_URL, PROBE_URL = sys.argv[1:6]
LOCK = threading.Lock()
CALLS = []
UPLOADED = set()
THRESHOLDS = {"weekly_min_items": 1, "zombie_days": 14, "news_column_days": 14, "notice_column_days": 180,
              "slow_page_ms": 10000, "unavailable_timeout_ms": 3000, "probes_per_day": 20,
              "unavailable_fail_pct": 5, "unavailable_warn_pct": 3, "empty_columns_fail": 5,
              "stale_columns_fail": 5, "tls_warn_days": 30, "deface_simhash_bits": 24}


def job(jid, kind, url, screenshots):
    return {"id": jid, "lease": hashlib.sha256(b"lease-%d" % jid).hexdigest(), "lease_seconds": 300,
            "kind": kind,
            "platform": {"id": 100 + jid, "name": "测试网站", "type": "website", "url": url, "feed_url": None},
            "as_of": "2026-11-30T15:59:59Z",
            "options": {"timeout_ms": 2000, "concurrency": 10, "per_host": 6, "max_pages": 100,
                        "max_bytes": 8388608, "max_redirects": 10, "content_checks": True,
                        "screenshots": screenshots},
            "thresholds": dict(THRESHOLDS), "home_baseline": None, "posts": None}


QUEUE = [] if MODE == "empty" else [job(1, "patrol", SITE_URL, MODE == "normal"), job(2, "probe", PROBE_URL, False)]
if MODE == "badjob":
    del QUEUE[1]
    del QUEUE[0]["thresholds"]["tls_warn_days"]
LEASES = {}


def save():
    tmp = RECORD + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"calls": CALLS}, f, ensure_ascii=False)
    os.replace(tmp, RECORD)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj=None):
        body = b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.reply(status, {"error": {"code": code, "message": message}})

    def handle_call(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 16 << 20:
            return self.error(413, "too_large", "请求体过大")
        body = self.rfile.read(n) if n else b""
        path = self.path
        call = {"method": method, "path": path, "size": len(body)}
        with LOCK:
            CALLS.append(call)
            try:
                self.route(method, path, body, call)
            finally:
                save()

    def route(self, method, path, body, call):
        auth = self.headers.get("Authorization", "")
        call["auth_ok"] = auth == "Bearer " + TOKEN
        if MODE == "unauth" or not call["auth_ok"]:
            return self.error(401, "unauthenticated", "未认证")
        prefix = "/api/v1/worker"
        if not path.startswith(prefix):
            return self.error(404, "not_found", "无此接口")
        path = path[len(prefix):]
        if method == "POST" and path == "/lease":
            req = json.loads(body)
            call["kinds"] = req.get("kinds")
            for j in QUEUE:
                if j["kind"] in req.get("kinds", []):
                    QUEUE.remove(j)
                    LEASES[j["id"]] = j["lease"]
                    call["job"] = j["id"]
                    return self.reply(200, {"job": j})
            return self.reply(204)
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "jobs" or not parts[1].isdigit():
            return self.error(404, "not_found", "无此接口")
        jid = int(parts[1])
        what = parts[2]
        call["job"] = jid
        if method == "PUT" and what == "evidence" and len(parts) == 4:
            lease = self.headers.get("X-Lease", "")
            call["lease_ok"] = lease == LEASES.get(jid)
            call["sha256"] = parts[3]
            call["actual"] = hashlib.sha256(body).hexdigest()
            if MODE == "lease_lost" or not call["lease_ok"]:
                return self.error(409, "lease_lost", "租约已失效")
            if call["actual"] != parts[3]:
                return self.error(422, "integrity", "SHA-256 不符")
            new = parts[3] not in UPLOADED
            UPLOADED.add(parts[3])
            return self.reply(201 if new else 200, {"sha256": parts[3]})
        if method != "POST":
            return self.error(405, "method", "方法不允许")
        try:
            req = json.loads(body)
        except ValueError:
            return self.error(400, "invalid", "不是 JSON")
        call["body"] = req
        call["lease_ok"] = req.get("lease") == LEASES.get(jid)
        if MODE == "lease_lost" or not call["lease_ok"]:
            return self.error(409, "lease_lost", "租约已失效")
        if what == "progress":
            return self.reply(204)
        if what == "fail":
            return self.reply(204)
        if what == "result":
            for e in req.get("evidence", []):
                if e["sha256"] not in UPLOADED:
                    return self.error(422, "evidence_missing", "证据未上传：" + e["sha256"])
            return self.reply(200, {"status": "stored"})
        return self.error(404, "not_found", "无此接口")

    def do_POST(self):
        self.handle_call("POST")

    def do_PUT(self):
        self.handle_call("PUT")

    def do_GET(self):
        self.handle_call("GET")


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    save()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
