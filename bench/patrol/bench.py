#!/usr/bin/env python3
"""Patrol benchmark driver (bench/patrol/run.sh runs it; docs/BENCHMARKS.md, "Patrol").

Generates the site (gen_site.py, cached in bench/work/patrol-N/), starts the loopback server
(serve.c, built by run.sh into bench/work/patrol-serve; 20 ms per request) and measures, one after the other with /usr/bin/time -v and a timeout:
pubguard patrol, linkchecker, linkinator, broken-link-checker and wget2 --spider, all at
concurrency 10. Then pubguard alone on bigger sites (memory as the site grows).

Environment: PUBGUARD (binary), PATROL_PAGES (5000), PATROL_SCALE ("20000 100000"; "" none),
PATROL_TOOLS ("pubguard linkchecker linkinator blc wget2"), PATROL_TIMEOUT (s per tool, 900),
PATROL_PORT (18090; the external server uses PORT+1), PATROL_LATENCY_MS (20),
PATROL_LINKINATOR_TIMEOUT_MS (15000: linkinator's --timeout), PATROL_SERVER (the server command,
default bench/work/patrol-serve; run.sh sets it).
"""
import csv
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(os.path.dirname(HERE), "work")
PY = sys.executable
PUBGUARD = os.environ.get("PUBGUARD", os.path.join(ROOT, "build", "pubguard"))
PAGES = int(os.environ.get("PATROL_PAGES", "5000"))
SCALE = [int(x) for x in os.environ.get("PATROL_SCALE", "20000 100000").split()]
TOOLS = os.environ.get("PATROL_TOOLS", "pubguard linkchecker linkinator blc wget2").split()
TIMEOUT = int(os.environ.get("PATROL_TIMEOUT", "900"))
PORT = int(os.environ.get("PATROL_PORT", "18090"))
LATENCY_MS = int(os.environ.get("PATROL_LATENCY_MS", "20"))
CONC = 10
NODE_BIN = os.path.join(HERE, "node_modules", ".bin")
SERVER = os.environ.get("PATROL_SERVER") or os.path.join(WORK, "patrol-serve")


def log(*a):
    print("bench-patrol:", *a, file=sys.stderr, flush=True)


def site_for(n):
    """bench/work/patrol-N/site, regenerated when gen_site.py or the port changed."""
    out = os.path.join(WORK, f"patrol-{n}")
    with open(os.path.join(HERE, "gen_site.py"), "rb") as f:
        stamp = hashlib.sha256(f.read()).hexdigest()[:16] + f" pages={n} ext={PORT + 1}"
    sf = os.path.join(out, "stamp")
    if not os.path.exists(sf) or open(sf).read() != stamp:
        log(f"generating a site of {n} pages in {out}")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        subprocess.run([PY, os.path.join(HERE, "gen_site.py"), "--out", out, "--pages", str(n),
                        "--ext-port", str(PORT + 1)], check=True, stdout=subprocess.DEVNULL)
        with open(sf, "w") as f:
            f.write(stamp)
    with open(os.path.join(out, "site.json")) as f:
        return out, json.load(f)


def stats():
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/__stats", timeout=10) as r:
        return json.load(r)


def time_v(path):
    """wall s, user+sys s, max RSS MB from /usr/bin/time -v output."""
    txt = open(path, encoding="utf-8", errors="replace").read()
    def grab(key):
        m = re.search(re.escape(key) + r":\s*(\S+)", txt)
        return m.group(1) if m else None
    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = 0.0
    for part in (wall or "0").split(":"):
        secs = secs * 60 + float(part)
    cpu = float(grab("User time (seconds)") or 0) + float(grab("System time (seconds)") or 0)
    rss = int(grab("Maximum resident set size (kbytes)") or 0) / 1024.0
    return secs, cpu, rss


# --- each tool: command line and how to count the distinct broken links in its output ---------
def cmd_pubguard(url, n, d):
    return [PUBGUARD, "patrol", "--site", url, "--concurrency", str(CONC), "--max-pages", str(n),
            "--as-of", "2026-12-01", "--json"]


def broken_pubguard(out, err):
    s = set()
    for line in out.splitlines():
        try:
            f = json.loads(line)
        except ValueError:
            continue
        if f.get("category", "").startswith("site.broken_link"):
            s.add(f.get("target"))
    return len(s)


def cmd_linkchecker(url, n, d):
    rc = os.path.join(d, "linkcheckerrc")
    with open(rc, "w") as f:
        # maxrequestspersecond above 10 is honoured for hosts that answer with a LinkChecker
        # header (serve.c sends it); without it linkchecker waits 0.1-0.6 s between requests
        f.write(f"[checking]\nthreads={CONC}\nmaxrequestspersecond=10000\n[filtering]\ncheckextern=1\n")
    return ["linkchecker", "-f", rc, "-t", str(CONC), "--check-extern", "--no-status", "-o", "csv", url]


def broken_linkchecker(out, err):
    s = set()
    for line in out.splitlines():
        f = line.split(";")
        if len(f) > 7 and f[6] == "False":
            s.add(f[7])
    return len(s)


def cmd_linkinator(url, n, d):
    # CSV (not JSON) carries the failure details of links that got no answer
    return [os.path.join(NODE_BIN, "linkinator"), url, "--recurse", "--concurrency", str(CONC),
            "--timeout", os.environ.get("PATROL_LINKINATOR_TIMEOUT_MS", "15000"), "--format", "csv"]


def broken_linkinator(out, err):
    rows = list(csv.reader(io.StringIO(out)))
    return len({r[0] for r in rows[1:] if len(r) > 2 and r[2] == "BROKEN"})


def noanswer_linkinator(out):
    """Links linkinator calls broken without an HTTP status (its request failed)."""
    rows = list(csv.reader(io.StringIO(out)))
    return len({r[0] for r in rows[1:] if len(r) > 2 and r[2] == "BROKEN" and r[1] == "0"})


def cmd_blc(url, n, d):
    return [os.path.join(NODE_BIN, "blc"), url, "--recursive", "--requests", str(CONC),
            "--host-requests", str(CONC)]


def broken_blc(out, err):
    return len(set(re.findall(r"BROKEN─ (\S+)", out)))


def cmd_wget2(url, n, d):
    return ["wget2", "--spider", "--recursive", "--level", "inf", "--max-threads", str(CONC),
            "--no-robots", "--no-host-directories", "--directory-prefix", d, "-o", os.path.join(d, "wget2.log"), url]


def broken_wget2(out, err, d=None):
    return None  # filled from the log by run_tool


TOOLS_DEF = {
    "pubguard": (cmd_pubguard, broken_pubguard),
    "linkchecker": (cmd_linkchecker, broken_linkchecker),
    "linkinator": (cmd_linkinator, broken_linkinator),
    "blc": (cmd_blc, broken_blc),
    "wget2": (cmd_wget2, broken_wget2),
}


def run_tool(name, url, n, site_dir):
    d = os.path.join(WORK, "patrol-runs", f"{name}-{n}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    mk, count = TOOLS_DEF[name]
    cmd = mk(url, n, d)
    tv = os.path.join(d, "time.txt")
    s0 = stats()
    env = dict(os.environ, PGD_DATA_DIR=os.path.join(ROOT, "data"))
    log(f"{name} on {n} pages: {' '.join(cmd)}")
    with open(os.path.join(d, "stdout"), "wb") as o, open(os.path.join(d, "stderr"), "wb") as e:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tv, "timeout", str(TIMEOUT)] + cmd,
                           stdout=o, stderr=e, cwd=d, env=env)
    s1 = stats()
    wall, cpu, rss = time_v(tv)
    nreq = s1["requests"] - s0["requests"]
    out = open(os.path.join(d, "stdout"), encoding="utf-8", errors="replace").read()
    err = open(os.path.join(d, "stderr"), encoding="utf-8", errors="replace").read()
    if name == "wget2":
        logtxt = open(os.path.join(d, "wget2.log"), encoding="utf-8", errors="replace").read()
        broken = len(set(re.findall(r"HTTP ERROR response \d+ [^\[]*\[(\S+)\]", logtxt)))
    else:
        broken = count(out, err)
    noanswer = noanswer_linkinator(out) if name == "linkinator" else None
    r = {"tool": name, "pages": n, "wall": wall, "cpu": cpu, "rss_mb": rss,
         "requests": nreq, "server_cpu": s1["cpu"] - s0["cpu"],
         # serve.c: mean ms from a request's deadline to its answer handed to the kernel
         "server_late_ms": (s1["late"] - s0["late"]) / nreq * 1000 if "late" in s1 and nreq else None,
         "broken": broken, "noanswer": noanswer, "exit": p.returncode, "timed_out": p.returncode == 124,
         "cmd": " ".join(cmd)}
    r["floor"] = r["requests"] * LATENCY_MS / 1000.0 / CONC
    if noanswer:
        log(f"  {noanswer} of the broken links had no answer at all (the tool's request failed)")
    late = "" if r["server_late_ms"] is None else f", server {r['server_late_ms']:.3f} ms a request past the latency"
    log(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB, {r['requests']} requests, {broken} broken,"
        f" exit {p.returncode}, server CPU {r['server_cpu']:.1f} s{late}")
    return r


def table(rows, site):
    pg = next((r for r in rows if r["tool"] == "pubguard" and r["pages"] == PAGES), None)
    lines = ["| tool | wall s | CPU s | peak RSS MB | requests | floor s | broken found | wall ×pg | CPU ×pg | RSS ×pg | server CPU s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        def ratio(k):
            return f"{r[k] / pg[k]:.1f}" if pg and pg[k] > 0 else "-"
        bcell = "-" if r["broken"] is None else f"{r['broken']:,}"
        if r.get("noanswer"):
            bcell += f" ({r['noanswer']:,} without answer)"
        name = r["tool"] + ("" if r["pages"] == PAGES else f" ({r['pages']:,} pages)")
        if r["timed_out"]:
            name += f" (timed out at {TIMEOUT} s)"
        lines.append(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} | {r['requests']:,} | {r['floor']:.1f} |"
                     f" {bcell} | {ratio('wall')} | {ratio('cpu')} | {ratio('rss_mb')} |"
                     f" {r['server_cpu']:.1f} |")
    planted = site["broken_internal"] + site["broken_external"]
    head = (f"Site: {site['pages']:,} pages, {site['html_bytes'] / 1e6:.0f} MB of HTML, {site['distinct_links']:,} distinct links "
            f"({planted} broken: {site['broken_internal']} internal, {site['broken_external']} external), "
            f"{site['gbk_pages']} GBK pages; {LATENCY_MS} ms per request, concurrency {CONC}.")
    return head + "\n\n" + "\n".join(lines)


def warm(site_dir):
    """Read every file of the site once, so that the first tool measured does not pay for the disk
    reads of the server (the page cache is warm for every tool alike)."""
    n = 0
    for root, _, files in os.walk(site_dir):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                while fh.read(1 << 20):
                    pass
            n += 1
    return n


def main():
    os.makedirs(WORK, exist_ok=True)
    if not shutil.which(shlex.split(SERVER)[0]):
        sys.exit(f"bench-patrol: no server {SERVER} (bench/patrol/run.sh builds it from serve.c)")
    rows = []
    sizes = [PAGES] + [s for s in SCALE if s != PAGES]
    main_site = None
    for n in sizes:
        out, site = site_for(n)
        warm(os.path.join(out, "site"))
        if n == PAGES:
            main_site = site
        srv = subprocess.Popen(shlex.split(SERVER) + [os.path.join(out, "site"), str(PORT), str(PORT + 1),
                                                      str(LATENCY_MS)], stdout=subprocess.PIPE, text=True)
        try:
            if srv.stdout.readline().strip() != "ready":
                sys.exit("bench-patrol: the server did not start (ports in use? PATROL_PORT)")
            url = f"http://127.0.0.1:{PORT}/"
            for t in (TOOLS if n == PAGES else ["pubguard"]):
                rows.append(run_tool(t, url, n, out))
                time.sleep(1)
        finally:
            srv.terminate()
            srv.wait()
    md = table(rows, main_site)
    print(md)
    with open(os.path.join(WORK, "patrol-results.md"), "w") as f:
        f.write(md + "\n")
    with open(os.path.join(WORK, "patrol-results.json"), "w") as f:
        json.dump({"site": main_site, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
