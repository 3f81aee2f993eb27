#!/usr/bin/env python3
"""Loopback test website and feeds for `pubguard patrol` (tests/patrol/run.py).

Starts two servers on 127.0.0.1 (port 0): MAIN, a small government site with planted problems
and four feeds, and OTHER, an "external" site (a stale home page, a gambling page, an ok page).
Prints "MAIN OTHER" on one line, then serves until killed or stdin closes.
The site's HTML pages carry an ETag and answer a matching If-None-Match with 304 (the incremental
re-crawl); /wide/ is a separate little site of WIDE_PAGES heavy article pages answered at once
(the analysis threads fall behind the fetcher there: the back-pressure test; GET /_ctl/wide_delay/MS
delays each of its answers by MS ms, for the resume test); GET /_ctl/stats returns {"if_none_match": N, "not_modified": N} (requests seen with that
header, 304s sent) and GET /_ctl/deface replaces the home page with a defaced one (defacement test).
Usage: serve.py DEAD_PORT   (a loopback port where nothing listens: the refused external link)
"""
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEAD = int(sys.argv[1])
PORTS = {}
FLAKY = {"n": 0}
STATS = {"if_none_match": 0, "not_modified": 0, "wide": 0}
WIDE_DELAY = {"ms": 0}
DEFACED = {"on": False}
DEFACED_HOME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Hacked by 某某黑客组织</title></head>
<body><h1>Hacked by 某某黑客组织</h1><p>此站已被我们接管，管理员请联系我们赎回。</p></body></html>
"""
LOCK = threading.Lock()
WIDE_PAGES = 160


def page(title, body, meta="", charset="utf-8"):
    return (f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{title}</title>\n{meta}</head>\n'
            f'<body>\n{body}\n</body></html>\n')


def column(name, ctype, items):
    lis = "\n".join(f'<li><a href="{h}">{t}</a><span>{d}</span></li>' for h, t, d in items)
    meta = f'<meta name="ColumnName" content="{name}">\n<meta name="ColumnType" content="{ctype}">\n'
    return page(name, f'<h1>{name}</h1>\n<ul class="list">\n{lis}\n</ul>\n<a href="/">返回首页</a>', meta)


def wide_routes():
    """/wide/: an index and WIDE_PAGES articles of ~120 KB of dated, linked text each."""
    r = {}
    lis = "\n".join(f'<li><a href="/wide/p{i}.html">第{i}号信息</a><span>2026-11-{1 + i % 28:02d}</span></li>'
                    for i in range(WIDE_PAGES))
    r["/wide/"] = page("信息列表", f'<ul class="list">\n{lis}\n</ul>')
    for i in range(WIDE_PAGES):
        paras = "\n".join(f'<p>2026年11月{1 + (i + k) % 28}日，第{k}段：全市各级各部门认真贯彻落实工作部署，'
                           f'推动政务公开和政务新媒体规范发展，编号{i * 1000 + k}。'
                           f'<a href="/wide/p{(i + k) % WIDE_PAGES}.html">相关信息{k}</a></p>' for k in range(600))
        r[f"/wide/p{i}.html"] = page(f"第{i}号信息", f"<h1>第{i}号信息</h1>\n{paras}",
                                     '<meta name="PubDate" content="2026-11-20">\n')
    return r


WIDE = wide_routes()


def main_routes():
    other = f"http://127.0.0.1:{PORTS['other']}"
    home = page("某市人民政府门户网站", f"""<div class="header"><nav><ul>
<li><a href="/">首页</a></li>
<li><a href="/news/">要闻动态</a></li>
<li><a href="/dept/">部门动态</a></li>
<li><a href="/notice/">通知公告</a></li>
<li><a href="/special/">专题专栏</a></li>
</ul></nav></div>
<ul class="list">
<li><a href="/news/a1.html">市政府召开常务会议</a><span>2026-11-28</span></li>
<li><a href="/news/a2.html">全市秋冬季农业生产工作推进会召开</a><span>2026-11-20</span></li>
</ul>
<p><a href="/missing.html">办事指南</a></p>
<p><a href="/error.html">在线访谈</a></p>
<p><a href="/loop">政务服务</a></p>
<p><a href="/slow.html">数据开放</a></p>
<p><a href="/bad.html">历史资料</a></p>
<p><a href="/forbidden.html">内部通讯录</a></p>
<p><a href="/flaky.html">互动交流</a></p>
<p><a href="/big.html">年鉴全文</a> <a href="/stream.html">统计公报</a></p>
<p><img src="/img/logo.png" alt="市徽"> <img src="/img/missing.png" alt="领导照片"></p>
<p><a href="{other}/ok.html">省政府网站</a> <a href="http://127.0.0.1:{DEAD}/">友好城市网站</a></p>
<div style="display:none"><a href="{other}/bet/">澳门赌场</a></div>
""", '<meta name="PubDate" content="2026-11-28 09:00">\n')
    r = {
        "/": home,
        "/news/": column("要闻动态", "动态", [("/news/a1.html", "市政府召开常务会议", "2026-11-28"),
                                              ("/news/a2.html", "全市秋冬季农业生产工作推进会召开", "2026-11-20")]),
        "/dept/": column("部门动态", "动态", [("/dept/b1.html", "市交通局开展安全检查", "2026-10-15"),
                                              ("/dept/b2.html", "市教育局召开工作会议", "2026-09-30")]),
        "/special/": page("专题专栏", '<meta name="ColumnName" content="专题专栏">\n<h1>专题专栏</h1>\n'
                          '<p>暂无信息</p>\n<a href="/">返回首页</a>'),
        "/flaky.html": page("互动交流", "<p>互动交流</p>"),
        "/forbidden.html": None,
    }
    for p, t in [("/news/a1.html", "市政府召开常务会议"), ("/news/a2.html", "全市秋冬季农业生产工作推进会召开"),
                 ("/dept/b1.html", "市交通局开展安全检查"), ("/dept/b2.html", "市教育局召开工作会议"),
                 ("/notice/c1.html", "关于公布行政许可事项目录的通知")]:
        r[p] = page(t, f"<h1>{t}</h1>\n<p>{t}。</p>", '<meta name="PubDate" content="2026-07-01">\n')
    return r


NOTICE_GBK = page("通知公告", """<h1>通知公告</h1>
<ul class="list">
<li><a href="/notice/c1.html">关于公布行政许可事项目录的通知</a><span>2026年07月01日</span></li>
<li><a href="/notice/c1.html">关于做好冬季防火工作的通知</a><span>2026年06月12日</span></li>
</ul>
<a href="/">返回首页</a>""", '<meta name="ColumnName" content="通知公告">\n', charset="gbk").encode("gbk")

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>某市发布</title><link>http://example.gov.cn/</link>
<item><title>本周政务要闻</title><link>http://example.gov.cn/1</link><guid>1</guid>
<pubDate>Fri, 27 Nov 2026 10:00:00 +0800</pubDate><description>本周要闻。</description></item>
<item><title>上周政务要闻</title><link>http://example.gov.cn/2</link><guid>2</guid>
<pubDate>Fri, 20 Nov 2026 10:00:00 +0800</pubDate><description>上周要闻。低保公示：王某某，身份证号 520281198805061239。</description></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>某局公众号</title><id>urn:zombie</id>
<updated>2026-10-01T10:00:00+08:00</updated>
<entry><title>国庆假期安排</title><id>urn:z1</id><link rel="alternate" href="http://example.gov.cn/z1"/>
<published>2026-10-01T10:00:00+08:00</published><updated>2026-10-01T10:00:00+08:00</updated>
<summary>假期安排。</summary></entry>
</feed>
"""
JSONFEED = """{"version": "https://jsonfeed.org/version/1.1", "title": "某街道抖音号", "items": []}
"""
MALFORMED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>坏的订阅源</title><item><title>未闭合
"""


class Main(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="text/html; charset=utf-8", extra=(), head=False):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_cond(self, body, ctype="text/html; charset=utf-8", head=False):
        """200 with an ETag, or 304 when the request's If-None-Match names it."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            with LOCK:
                STATS["if_none_match"] += 1
        if inm is not None and etag in [t.strip() for t in inm.split(",")]:
            with LOCK:
                STATS["not_modified"] += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        return self.send(200, body, ctype=ctype, extra=[("ETag", etag)], head=head)

    def route(self, head):
        p = self.path
        r = main_routes()
        if DEFACED["on"]:
            r["/"] = DEFACED_HOME
        if p == "/_ctl/stats":
            with LOCK:
                return self.send(200, json.dumps(STATS), ctype="application/json", head=head)
        if p.startswith("/_ctl/wide_delay/"):
            WIDE_DELAY["ms"] = int(p.rsplit("/", 1)[1])
            return self.send(200, "ok", ctype="text/plain", head=head)
        if p == "/_ctl/deface":
            DEFACED["on"] = True
            return self.send(200, "ok", ctype="text/plain", head=head)
        if p == "/error.html":
            return self.send(500, "<h1>500 Internal Server Error</h1>", head=head)
        if p == "/loop":
            return self.send(302, "", extra=[("Location", "/loop2")], head=head)
        if p == "/loop2":
            return self.send(302, "", extra=[("Location", "/loop")], head=head)
        if p == "/slow.html":
            time.sleep(3)
            return self.send(200, page("数据开放", "<p>数据开放</p>"), head=head)
        if p == "/bad.html":
            body = page("历史资料", "<p>历史资料</p>", charset="gbk").encode("gbk") + b"<p>\xff\xfe\xff</p>\n"
            return self.send(200, body, ctype="text/html; charset=gbk", head=head)
        if p == "/notice/":
            return self.send_cond(NOTICE_GBK, ctype="text/html", head=head)
        if p == "/forbidden.html":
            return self.send(403, "<h1>403 Forbidden</h1>", head=head)
        if p == "/flaky.html":
            with LOCK:
                FLAKY["n"] += 1
                n = FLAKY["n"]
            if n == 1:
                return self.send(429, "<h1>429 Too Many Requests</h1>", extra=[("Retry-After", "1")], head=head)
        if p == "/big.html":  # announces 9 MB: refused at the headers, never sent
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(9 << 20))
            self.end_headers()
            self.wfile.write(b"<html>")
            self.close_connection = True
            return None
        if p == "/stream.html":  # no length, streams 9 MB until the connection closes
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if not head:
                chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
                for _ in range(9 * 16):
                    self.wfile.write(chunk)
            return None
        if p == "/img/logo.png":
            if head:  # a server that mishandles HEAD: the checker must fall back to GET
                return self.send(405, "", head=True)
            return self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, ctype="image/png")
        if p == "/feeds/weekly.xml":
            return self.send(200, RSS, ctype="application/rss+xml; charset=utf-8", head=head)
        if p == "/feeds/zombie.atom":
            return self.send(200, ATOM, ctype="application/atom+xml; charset=utf-8", head=head)
        if p == "/feeds/empty.json":
            return self.send(200, JSONFEED, ctype="application/feed+json", head=head)
        if p == "/feeds/malformed.xml":
            return self.send(200, MALFORMED, ctype="application/rss+xml", head=head)
        if r.get(p):
            return self.send_cond(r[p], head=head)
        if p in WIDE:
            with LOCK:
                STATS["wide"] += 1
            time.sleep(WIDE_DELAY["ms"] / 1000.0)
            return self.send(200, WIDE[p], head=head)
        return self.send(404, "<h1>404 Not Found</h1>", head=head)

    def do_GET(self):
        self.route(False)

    def do_HEAD(self):
        self.route(True)


class Other(Main):
    def route(self, head):
        p = self.path
        if p == "/":
            return self.send(200, page("某区人民政府", """<ul class="list">
<li><a href="/ok.html">区政府召开会议</a><span>2026-10-01</span></li>
</ul>""", '<meta name="PubDate" content="2026-10-01">\n'), head=head)
        if p in ("/ok.html", "/bet/"):
            return self.send(200, page("页面", "<p>页面</p>"), head=head)
        return self.send(404, "<h1>404</h1>", head=head)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # the patrol drops connections on purpose (link checks stop at the first body byte,
        # the size cap stops /big.html): not an error of the test site
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    main_srv = Server(("127.0.0.1", 0), Main)
    other_srv = Server(("127.0.0.1", 0), Other)
    main_srv.daemon_threads = other_srv.daemon_threads = True
    PORTS["main"] = main_srv.server_address[1]
    PORTS["other"] = other_srv.server_address[1]
    for s in (main_srv, other_srv):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(PORTS["main"], PORTS["other"], flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or kills us)
    main_srv.shutdown()
    other_srv.shutdown()


if __name__ == "__main__":
    main()
