#!/usr/bin/env python3
"""What the patrol benchmark's loopback server adds to its nominal latency (docs/BENCHMARKS.md, "Patrol").

Starts the server (default: bench/work/patrol-serve, built from serve.c here when missing or older
than serve.c; --server runs any program with the same command line, e.g. --server "python3 old.py")
on the cached 5,000-page site, opens CONNS keep-alive connections and has them all fetch REQUESTS
distinct real pages each (HTML and GBK .htm, ~58 KB), one after the other, at the same time: the
benchmark's shape (concurrency 10). Each connection is its own process, so the client's own work
does not queue behind one interpreter lock. Per request: from just before the request is sent to
the last byte of the body. Prints, per round and over all rounds: mean, p50, p99 and max ms per
request, the floor factor (mean / latency: what the floor requests x latency / concurrency becomes
with this server), the wall time of the round against REQUESTS x latency, the server's CPU and
(serve.c's /__stats "late") how much of the excess the server itself added, client excluded.

usage: server_overhead.py [--server CMD] [--site DIR] [--port P] [--latency MS] [--conns 10]
                          [--requests 40] [--rounds 3]
"""
import argparse
import json
import multiprocessing as mp
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "bench", "work")
DEFAULT_SERVER = os.path.join(WORK, "patrol-serve")


def build_server():
    """The same command as bench/patrol/run.sh."""
    src = os.path.join(HERE, "serve.c")
    if not os.path.exists(DEFAULT_SERVER) or os.path.getmtime(src) > os.path.getmtime(DEFAULT_SERVER):
        os.makedirs(WORK, exist_ok=True)
        print(f"server_overhead: building {DEFAULT_SERVER}", file=sys.stderr)
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-Wall", "-Wextra", "-o", DEFAULT_SERVER, src],
                       check=True)


def pages(site, n):
    """n distinct HTML pages spread over the whole site (sorted walk, evenly spaced)."""
    all_pages = []
    for root, dirs, files in os.walk(site):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".html", ".htm")):
                all_pages.append(os.path.join(root, f)[len(site):])
    if len(all_pages) < n:
        sys.exit(f"server_overhead: {site} has {len(all_pages)} pages, {n} needed")
    step = len(all_pages) / n
    return [all_pages[int(i * step)] for i in range(n)]


def get(sock, path, port, buf):
    """One keep-alive GET: returns (ms, body bytes)."""
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    t0 = time.perf_counter_ns()
    sock.sendall(req)
    have = 0
    view = memoryview(buf)
    head_end = -1
    while head_end < 0:
        k = sock.recv_into(view[have:])
        if not k:
            raise ConnectionError("closed by the server")
        have += k
        head_end = buf.find(b"\r\n\r\n", 0, have)
    head = buf[:head_end].decode("latin-1")
    status = head.split(None, 2)[1]
    length = next(int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.lower().startswith("content-length:"))
    need = head_end + 4 + length
    if need > len(buf):
        raise ValueError(f"{path}: {length} bytes, larger than the read buffer")
    while have < need:
        k = sock.recv_into(view[have:need])
        if not k:
            raise ConnectionError("closed by the server")
        have += k
    t1 = time.perf_counter_ns()
    if status != "200":
        raise ValueError(f"{path}: HTTP {status}")
    return (t1 - t0) / 1e6, length


def worker(port, paths, barrier, out):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = bytearray(8 << 20)
    barrier.wait()
    t0 = time.perf_counter()
    times, nbytes = [], 0
    for p in paths:
        ms, n = get(sock, p, port, buf)
        times.append(ms)
        nbytes += n
    out.put((times, nbytes, time.perf_counter() - t0))
    sock.close()


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=10) as r:
        return json.load(r)


def pct(sorted_ms, q):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(q * (len(sorted_ms) - 1))))]


def summary(label, ms, wall, latency, requests):
    s = sorted(ms)
    mean = sum(s) / len(s)
    line = (f"{label}: {len(s)} requests, mean {mean:.3f} ms, p50 {pct(s, 0.5):.3f}, p99 {pct(s, 0.99):.3f},"
            f" max {s[-1]:.3f}")
    if latency > 0:  # --latency 0: what the transfer alone costs
        floor_wall = requests * latency / 1000.0
        line += (f"; floor factor {mean / latency:.4f}; wall {wall:.3f} s (nominal {floor_wall:.3f} s,"
                 f" x{wall / floor_wall:.4f})")
    else:
        line += f"; wall {wall:.3f} s"
    return line, mean


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", help="server command (default: bench/work/patrol-serve, built from serve.c)")
    ap.add_argument("--site", default=os.path.join(WORK, "patrol-5000", "site"))
    ap.add_argument("--port", type=int, default=18290, help="MAIN port; EXT is port+1 (default 18290)")
    ap.add_argument("--latency", type=int, default=int(os.environ.get("PATROL_LATENCY_MS", "20")))
    ap.add_argument("--conns", type=int, default=10)
    ap.add_argument("--requests", type=int, default=40, help="GETs per connection")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.server:
        cmd = shlex.split(a.server)
    else:
        build_server()
        cmd = [DEFAULT_SERVER]
    if not os.path.isdir(a.site):
        sys.exit(f"server_overhead: no site at {a.site} (bench/patrol/run.sh generates bench/work/patrol-5000)")
    paths = pages(a.site, a.conns * a.requests)
    for p in paths:  # the page cache is warm, as bench.py makes it
        with open(a.site + p, "rb") as f:
            f.read()
    srv = subprocess.Popen(cmd + [a.site, str(a.port), str(a.port + 1), str(a.latency)], stdout=subprocess.PIPE,
                           text=True)
    ctx = mp.get_context("fork")
    all_ms, all_walls, all_late = [], [], []
    try:
        if srv.stdout.readline().strip() != "ready":
            sys.exit("server_overhead: the server did not start (ports in use? --port)")
        print(f"server: {' '.join(cmd)}; {a.conns} keep-alive connections x {a.requests} GETs of distinct pages,"
              f" latency {a.latency} ms")
        for r in range(a.rounds):
            s0 = stats(a.port)
            barrier, out = ctx.Barrier(a.conns), ctx.Queue()
            procs = [ctx.Process(target=worker, args=(a.port, paths[i * a.requests:(i + 1) * a.requests], barrier, out))
                     for i in range(a.conns)]
            for p in procs:
                p.start()
            res = [out.get(timeout=600) for _ in procs]
            for p in procs:
                p.join()
            s1 = stats(a.port)
            ms = [t for times, _, _ in res for t in times]
            wall = max(w for _, _, w in res)  # all started together: the last one to finish
            mb = sum(n for _, n, _ in res) / 1e6
            line, _ = summary(f"round {r + 1}", ms, wall, a.latency, a.requests)
            nreq = s1["requests"] - s0["requests"]
            late = ""
            if "late" in s1:  # serve.c: deadline -> last byte handed to the kernel, client excluded
                late = f", {(s1['late'] - s0['late']) / max(1, nreq) * 1000:.3f} ms a request past the deadline"
                all_late.append((s1["late"] - s0["late"], nreq))
            print(f"{line}; {mb:.1f} MB; server: {nreq} requests, CPU {s1['cpu'] - s0['cpu']:.3f} s{late}")
            all_ms += ms
            all_walls.append(wall)
        line, mean = summary("all rounds", all_ms, sum(all_walls) / len(all_walls), a.latency, a.requests)
        print(line)
        if a.latency > 0:
            print(f"over the latency: {mean - a.latency:+.3f} ms a request ({(mean / a.latency - 1) * 100:+.2f} %)")
        if all_late:
            print(f"of which the server (deadline -> answer handed to the kernel):"
                  f" {sum(x for x, _ in all_late) / sum(n for _, n in all_late) * 1000:.3f} ms a request")
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
