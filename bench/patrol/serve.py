#!/usr/bin/env python3
"""Loopback servers for the patrol benchmark: MAIN serves the pre-generated files of
gen_site.py, EXT is the "external" world (any path answers a small page, /gone/... 404).
Answers carry a "LinkChecker" header: linkchecker's documented opt-in for more than 10
requests per second to a host (its maxrequestspersecond). Every request waits LATENCY seconds (asyncio.sleep: no CPU) before its answer. HTTP/1.1
keep-alive, GET and HEAD. GET /__stats on MAIN answers at once (not counted, no latency):
{"requests": n, "main": n, "ext": n, "cpu": seconds of this process}.

usage: serve.py SITE_DIR MAIN_PORT EXT_PORT [LATENCY_MS]   (prints "ready" when listening)
"""
import asyncio
import json
import os
import sys
import urllib.parse

ROOT = os.path.realpath(sys.argv[1])
MAIN_PORT, EXT_PORT = int(sys.argv[2]), int(sys.argv[3])
LATENCY = (int(sys.argv[4]) if len(sys.argv) > 4 else 20) / 1000.0
COUNT = {"main": 0, "ext": 0}
TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=gbk", ".jpg": "image/jpeg",
         ".png": "image/png", ".pdf": "application/pdf", ".doc": "application/msword",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xls": "application/vnd.ms-excel", ".css": "text/css", ".txt": "text/plain"}
EXT_PAGE = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>外部网站</title></head><body><p>外部网站页面</p></body></html>".encode()
NOT_FOUND = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body><p>页面不存在</p></body></html>".encode()


def main_answer(path):
    if path.endswith("/"):
        path += "index.html"
    full = os.path.normpath(ROOT + path)
    if not full.startswith(ROOT + "/"):
        return 404, "text/html; charset=utf-8", NOT_FOUND
    try:
        with open(full, "rb") as f:
            data = f.read()
    except OSError:
        return 404, "text/html; charset=utf-8", NOT_FOUND
    return 200, TYPES.get(os.path.splitext(full)[1], "application/octet-stream"), data


def ext_answer(path):
    if path.startswith("/gone/"):
        return 404, "text/html; charset=utf-8", NOT_FOUND
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nDisallow:\n"
    return 200, "text/html; charset=utf-8", EXT_PAGE


def make_handler(which):
    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode("latin-1").split()
                close = len(parts) < 3 or parts[2] == "HTTP/1.0"
                while True:
                    h = await reader.readline()
                    if not h or h in (b"\r\n", b"\n"):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    if k.strip().lower() == "connection":
                        close = v.strip().lower() == "close"
                if len(parts) < 2:
                    break
                method = parts[0]
                path = urllib.parse.unquote(urllib.parse.urlsplit(parts[1]).path or "/")
                if which == "main" and path == "/__stats":
                    t = os.times()
                    body = json.dumps({"requests": COUNT["main"] + COUNT["ext"], "main": COUNT["main"],
                                       "ext": COUNT["ext"], "cpu": t.user + t.system}).encode()
                    status, ctype = 200, "application/json"
                else:
                    COUNT[which] += 1
                    await asyncio.sleep(LATENCY)
                    status, ctype, body = main_answer(path) if which == "main" else ext_answer(path)
                head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\nContent-Type: {ctype}\r\n"
                        f"Content-Length: {len(body)}\r\nServer: bench\r\nLinkChecker: bench\r\n"
                        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode()
                writer.write(head if method == "HEAD" else head + body)
                await writer.drain()
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
    return handle


async def run():
    a = await asyncio.start_server(make_handler("main"), "127.0.0.1", MAIN_PORT, backlog=512)
    b = await asyncio.start_server(make_handler("ext"), "127.0.0.1", EXT_PORT, backlog=512)
    print("ready", flush=True)
    async with a, b:
        await asyncio.gather(a.serve_forever(), b.serve_forever())


if __name__ == "__main__":
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
