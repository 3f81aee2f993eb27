#!/usr/bin/env python3
"""End-to-end test of `pubguard patrol` against the loopback site of serve.py.

Starts serve.py (127.0.0.1 only), runs
  pubguard patrol --json --as-of 2026-11-30 --timeout 2 --site ... --feed ...
and compares the findings with expected.tsv (category, page, target; written by hand):
a missing or an unexpected finding fails. Prints "N passed, N failed"; exit 1 on any failure.
Usage: run.py --bin PATH/TO/pubguard
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there afterwards: connections are refused
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    dead = free_port()
    tmp = tempfile.TemporaryDirectory(prefix="pgd-patrol-")
    cache = os.path.join(tmp.name, "cache")
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), str(dead)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    try:
        main_port, other_port = (int(x) for x in srv.stdout.readline().split())
        names = {f"http://127.0.0.1:{main_port}": "MAIN", f"http://127.0.0.1:{other_port}": "OTHER",
                 f"http://127.0.0.1:{dead}": "DEAD"}

        def short(u):
            if not u:
                return "-"
            for k, v in names.items():
                if u.startswith(k):
                    return v + u[len(k):]
            return u

        m, o, d = (f"http://127.0.0.1:{p}" for p in (main_port, other_port, dead))
        cmd = [args.bin, "patrol", "--json", "--as-of", "2026-11-30", "--timeout", "2",
               "--site", m + "/", "--site", o + "/", "--site", d + "/",
               "--feed", m + "/feeds/weekly.xml", "--feed", m + "/feeds/zombie.atom",
               "--feed", m + "/feeds/empty.json", "--feed", m + "/feeds/malformed.xml"]
        env = dict(os.environ)
        env.setdefault("PGD_CACHE_DIR", cache)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
        check(p.returncode == 1, f"exit status {p.returncode}, want 1; stderr: {p.stderr[-2000:]}")
        got = Counter()
        for line in p.stdout.splitlines():
            try:
                f = json.loads(line)
            except ValueError:
                check(False, f"not a JSON line: {line!r}")
                continue
            for k in ("url", "category", "severity", "line", "text", "message", "evidence"):
                check(k in f, f"key {k} missing in {line}")
            check(bool(f.get("message")), f"empty message in {line}")
            check(f.get("severity") in ("info", "review", "block"), f"bad severity in {line}")
            if f["category"] == "site.hidden_link":
                check(f["severity"] == "block", f"hidden link not block: {line}")
            got[(f["category"], short(f["url"]), short(f.get("target")))] += 1
        want = Counter()
        with open(os.path.join(HERE, "expected.tsv"), encoding="utf-8") as fh:
            for raw in fh:
                raw = raw.rstrip("\n")
                if not raw or raw.startswith("#"):
                    continue
                cat, url, target = raw.split("\t")
                want[(cat, url, target)] += 1
        for k in sorted(want):
            check(got[k] == want[k], f"expected {want[k]} x {k}, got {got[k]}")
        for k in sorted(got):
            if k not in want:
                check(False, f"unexpected finding {k} x {got[k]}")
        if failed:
            print("--- stdout ---\n" + p.stdout + "--- stderr ---\n" + p.stderr[-3000:])
    finally:
        srv.stdin.close()
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
        tmp.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
