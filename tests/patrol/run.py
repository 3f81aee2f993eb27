#!/usr/bin/env python3
"""End-to-end test of `pubguard patrol` against the loopback site of serve.py.

Starts serve.py (127.0.0.1 only), runs
  pubguard patrol --json --as-of 2026-11-30 --timeout 2 --cache-dir C --evidence-dir E --site ... --feed ...
and compares (all written by hand):
- the findings with expected.tsv (category, page, target): a missing or an unexpected one fails;
- the summary line's columns with expected_columns.tsv and items with expected_items.tsv;
- the evidence: files in E exactly for the pages of expected_evidence.tsv, each named by the
  SHA-256 of its bytes, equal to the page as served, every finding on such a page naming it;
then runs it again (incremental re-crawl: the same findings, pages unchanged, the server saw
If-None-Match and answered 304), once more over a corrupt cache (a full crawl, the same findings),
and checks defacement of MAIN's home page against a baseline (same page: none; a shrunk text:
site.defaced; the home page replaced: site.defaced naming both titles), and back-pressure: on
/wide/ (heavy pages answered at once) no more bodies wait for analysis than the analysis threads'
bound plus the requests in flight; and resuming: a --resume crawl of /wide/ killed (SIGKILL) or
stopped (SIGTERM) part-way goes on where it stopped when run again with its key: every page is
then either replayed from the journal or fetched, none both, and the result is the full one.
Prints "N passed, N failed"; exit 1 on any failure.
Usage: run.py --bin PATH/TO/pubguard
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import hashlib
import urllib.request
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there afterwards: connections are refused
    return port


def read_tsv(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        for raw in fh:
            raw = raw.rstrip("\n")
            if raw and not raw.startswith("#"):
                rows.append(raw.split("\t"))
    return rows


def beijing_day(ts):
    """'2026-06-30T16:00:00Z' -> '2026-07-01' (the day in Beijing time)."""
    if ts is None:
        return "-"
    import datetime
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=8)
    return t.strftime("%Y-%m-%d")


# the feed each entry link comes from (serve.py's RSS): content findings on an entry carry the
# feed's body as their evidence
FEED_OF = {"http://example.gov.cn/1": "MAIN/feeds/weekly.xml", "http://example.gov.cn/2": "MAIN/feeds/weekly.xml"}
# the feeds' entry contents (serve.py's RSS / ATOM), hashed as items' sha256
FEED_CONTENT = {"http://example.gov.cn/1": "本周要闻。", "http://example.gov.cn/2": "上周要闻。低保公示：王某某，身份证号 520281198805061239。",
                "http://example.gov.cn/z1": "假期安排。"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    dead = free_port()
    tmp = tempfile.TemporaryDirectory(prefix="pgd-patrol-")
    cache = os.path.join(tmp.name, "cache")
    crawl = os.path.join(tmp.name, "crawl")
    evdir = os.path.join(tmp.name, "evidence")
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), str(dead)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    passed = failed = 0
    outputs = []

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

        def long(u):
            for k, v in names.items():
                if u.startswith(v + "/"):
                    return k + u[len(v):]
            return u

        def get(u):
            with urllib.request.urlopen(u, timeout=10) as r:
                return r.read()

        m, o, d = (f"http://127.0.0.1:{p}" for p in (main_port, other_port, dead))
        env = dict(os.environ)
        env.setdefault("PGD_CACHE_DIR", cache)

        def patrol(extra, targets, want_status=1):
            cmd = [args.bin, "patrol", "--json", "--as-of", "2026-11-30"] + extra + targets
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
            outputs.append(p)
            check(p.returncode == want_status,
                  f"exit status {p.returncode}, want {want_status}; stderr: {p.stderr[-2000:]}")
            findings, summary = [], None
            for line in p.stdout.splitlines():
                try:
                    f = json.loads(line)
                except ValueError:
                    check(False, f"not a JSON line: {line!r}")
                    continue
                if "summary" in f:
                    check(summary is None, "two summary lines")
                    summary = f
                    continue
                check(summary is None, f"a finding after the summary line: {line}")
                findings.append(f)
            check(summary is not None, "no summary line")
            return findings, summary or {"summary": {}, "columns": [], "items": [], "home": None, "evidence": []}

        def counted(findings):
            got = Counter()
            for f in findings:
                got[(f["category"], short(f["url"]), short(f.get("target")))] += 1
            return got

        all_targets = ["--site", m + "/", "--site", o + "/", "--site", d + "/",
                       "--feed", m + "/feeds/weekly.xml", "--feed", m + "/feeds/zombie.atom",
                       "--feed", m + "/feeds/empty.json", "--feed", m + "/feeds/malformed.xml"]
        full = ["--timeout", "2", "--cache-dir", crawl, "--evidence-dir", evdir]

        # ---- 1. the full patrol: findings, columns, items, evidence
        findings, summary = patrol(full, all_targets)
        for f in findings:
            line = json.dumps(f, ensure_ascii=False)
            for k in ("url", "category", "severity", "line", "text", "message", "evidence"):
                check(k in f, f"key {k} missing in {line}")
            check(bool(f.get("message")), f"empty message in {line}")
            check(f.get("severity") in ("info", "review", "block"), f"bad severity in {line}")
            if f["category"] == "site.hidden_link":
                check(f["severity"] == "block", f"hidden link not block: {line}")
        got = counted(findings)
        want = Counter()
        for cat, url, target in read_tsv("expected.tsv"):
            want[(cat, url, target)] += 1
        for k in sorted(want):
            check(got[k] == want[k], f"expected {want[k]} x {k}, got {got[k]}")
        for k in sorted(got):
            if k not in want:
                check(False, f"unexpected finding {k} x {got[k]}")

        cols = {short(c["url"]): c for c in summary["columns"]}
        want_cols = read_tsv("expected_columns.tsv")
        check(len(cols) == len(summary["columns"]), f"a column reported twice: {summary['columns']}")
        check(sorted(cols) == sorted(r[0] for r in want_cols),
              f"columns {sorted(cols)}, want {sorted(r[0] for r in want_cols)}")
        for url, name, kind, newest, items, stale, empty in want_cols:
            c = cols.get(url)
            if not c:
                continue
            got_c = (c["name"], c["kind"], beijing_day(c["newest"]), c["items"], c["stale"], c["empty"])
            want_c = (name, kind, newest, int(items), stale == "1", empty == "1")
            check(got_c == want_c, f"column {url}: {got_c}, want {want_c}")

        items = {short(i["url"]): i for i in summary["items"]}
        want_items = read_tsv("expected_items.tsv")
        check(sorted(items) == sorted(r[0] for r in want_items),
              f"items {sorted(items)}, want {sorted(r[0] for r in want_items)}")
        for url, title, published, hashed in want_items:
            it = items.get(url)
            if not it:
                continue
            check((it["title"], beijing_day(it["published"])) == (title, published), f"item {url}: {it}")
            if hashed == "page":
                body = get(long(url))
                check(it["sha256"] == hashlib.sha256(body).hexdigest(), f"item {url}: sha256 is not the page's")
            else:
                check(it["sha256"] == hashlib.sha256(FEED_CONTENT[url].encode()).hexdigest(),
                      f"item {url}: sha256 is not the entry content's")
            check(isinstance(it["simhash"], str) and len(it["simhash"]) == 16, f"item {url}: simhash {it}")

        def check_evidence(findings, summary, what):
            want_ev = {r[0] for r in read_tsv("expected_evidence.tsv")}
            files = sorted(n for n in os.listdir(evdir))
            ev = {e["sha256"]: e for e in summary["evidence"]}
            check(sorted(ev) == files, f"{what}: evidence listed {sorted(ev)} != files {files}")
            check(len(ev) == len(summary["evidence"]), f"{what}: evidence listed twice")
            pages = {}
            for sha in files:
                with open(os.path.join(evdir, sha), "rb") as fh:
                    data = fh.read()
                check(hashlib.sha256(data).hexdigest() == sha, f"{what}: file {sha} is not its bytes' SHA-256")
                e = ev.get(sha)
                if not e:
                    continue
                pages[short(e["url"])] = sha
                check(e["kind"] == "page" and e["size"] == len(data) and e["status"] == 200,
                      f"{what}: evidence meta {e}")
                check(e["headers"] and e["headers"].startswith("HTTP/1.1 200") and "\r\n" in e["headers"],
                      f"{what}: evidence headers {e['headers']!r}")
                check(data == get(e["url"]), f"{what}: evidence of {short(e['url'])} differs from the page served")
            check(sorted(pages) == sorted(want_ev), f"{what}: evidence for {sorted(pages)}, want {sorted(want_ev)}")
            for f in findings:
                # a finding on a feed entry (its link) is proved by the feed it was read from
                u = FEED_OF.get(f["url"], short(f["url"]))
                if u in want_ev:
                    check(f["evidence"] == pages.get(u), f"{what}: finding without its page's evidence: {f}")
                else:
                    check(f["evidence"] is None, f"{what}: evidence on a page without a body: {f}")

        check_evidence(findings, summary, "first run")
        check(summary["summary"].get("pages_unchanged") == 0, f"first run: {summary['summary']}")

        # ---- 2. again with the crawl state: the same findings, unchanged pages re-used
        stats0 = json.loads(get(m + "/_ctl/stats"))
        findings2, summary2 = patrol(full, all_targets)
        stats1 = json.loads(get(m + "/_ctl/stats"))
        check(counted(findings2) == got, f"re-crawl findings differ: {counted(findings2) - got} / {got - counted(findings2)}")
        check(summary2["summary"].get("pages_unchanged", 0) >= 5, f"re-crawl: {summary2['summary']}")
        check(stats1["if_none_match"] > stats0["if_none_match"], f"no conditional request: {stats0} -> {stats1}")
        check(stats1["not_modified"] > stats0["not_modified"], f"no 304: {stats0} -> {stats1}")
        check(sorted(summary2["columns"], key=lambda c: c["url"]) == sorted(summary["columns"], key=lambda c: c["url"]),
              "re-crawl columns differ")
        check(sorted(summary2["items"], key=lambda c: c["url"]) == sorted(summary["items"], key=lambda c: c["url"]),
              "re-crawl items differ")
        check_evidence(findings2, summary2, "re-crawl")

        # ---- 3. a corrupt state is ignored: a full crawl, the same findings
        states = [n for n in os.listdir(crawl) if n.endswith(".crawl")]
        check(len(states) == 3, f"want one state file per site (MAIN, OTHER, DEAD): {os.listdir(crawl)}")
        check(all(not n.startswith(".") and ".crawl." not in n for n in os.listdir(crawl)),
              f"temporary files left: {os.listdir(crawl)}")
        for n in states:
            path = os.path.join(crawl, n)
            with open(path, "rb") as fh:
                data = fh.read()
            with open(path, "wb") as fh:
                fh.write(data[: len(data) // 2])
        findings3, summary3 = patrol(full, all_targets)
        check(counted(findings3) == got, "findings over a corrupt state differ")
        check(summary3["summary"].get("pages_unchanged") == 0, f"corrupt state re-used: {summary3['summary']}")

        # ---- 4. defacement of MAIN's home page against a baseline
        quick = ["--timeout", "1", "--no-content", "--max-pages", "1", "--site", m + "/"]
        _, s0 = patrol([], quick)
        home = s0["home"] or {}
        body = get(m + "/")
        check(home.get("sha256") == hashlib.sha256(body).hexdigest(), f"home sha256: {home}")
        check(home.get("title") == "某市人民政府门户网站", f"home title: {home}")
        check(isinstance(home.get("text_len"), int) and home["text_len"] > 100, f"home text_len: {home}")
        base = os.path.join(tmp.name, "baseline.json")

        def defaced(b, content=False):
            with open(base, "w", encoding="utf-8") as fh:
                json.dump(b, fh, ensure_ascii=False)
            flags = [x for x in quick if x != "--no-content"] if content else quick
            fs, _ = patrol(["--baseline-file", base], flags)
            return [f for f in fs if f["category"] == "site.defaced"]

        check(defaced(home) == [], "the accepted home page itself: no site.defaced")
        # bytes changed, title and text the same: no defacement ...
        check(defaced(dict(home, sha256="0" * 64)) == [], "same title and text: no site.defaced")
        # ... unless the page hides a link off the site and carries block-severity content (暗链)
        dd = defaced(dict(home, sha256="0" * 64), content=True)
        check(len(dd) == 1 and f"隐藏链接（{o}/bet/）" in dd[0]["message"], f"hidden link injection: {dd}")
        shrunk = dict(home, sha256="0" * 64, text_len=home["text_len"] * 5)
        dd = defaced(shrunk)
        check(len(dd) == 1 and dd[0]["severity"] == "block" and "减少到" in dd[0]["message"],
              f"text shrunk below a quarter: {dd}")
        get(m + "/_ctl/deface")
        dd = defaced(home)
        check(len(dd) == 1 and short(dd[0]["url"]) == "MAIN/" and dd[0]["severity"] == "block",
              f"defaced home page: {dd}")
        if dd:
            check("首页标题由“某市人民政府门户网站”变为“Hacked by 某某黑客组织”" in dd[0]["message"],
                  f"defaced message: {dd[0]['message']}")
        with open(base, "w", encoding="utf-8") as fh:
            fh.write('{"sha256": "x", "simhash": 12}')
        p = subprocess.run([args.bin, "patrol", "--baseline-file", base] + quick, capture_output=True, text=True,
                           timeout=60, env=env)
        check(p.returncode == 2 and "首页基准文件" in p.stderr, f"bad baseline file: {p.returncode} {p.stderr}")
        # ---- 5. back-pressure: the fetcher outruns the analysis threads on /wide/; the bodies
        # waiting for them stay within 2 per thread (at most 4 threads) and a round of answers
        # (concurrency), plus those in flight (concurrency)
        wev = os.path.join(tmp.name, "wide-evidence")
        _, sw = patrol(["--concurrency", "10", "--max-pages", "1000", "--timeout", "30", "--evidence-dir", wev],
                       ["--site", m + "/wide/"], want_status=0)
        sm = sw["summary"]
        # ... and the bodies kept on disk as evidence go once no finding can come to their page
        # (the site is 160 x 121 KB = 19 MB): at most the backlog's pages and the index
        wide_bytes = sum(len(get(m + "/wide/p%d.html" % i)) for i in range(3)) // 3 * 160
        check(isinstance(sm.get("evidence_spool_peak"), int) and 0 < sm["evidence_spool_peak"] < wide_bytes // 3,
              f"evidence kept at once: {sm.get('evidence_spool_peak')} bytes of the site's {wide_bytes}")
        check(os.listdir(wev) == [], f"no evidence left without a finding: {os.listdir(wev)[:5]}")
        check(sm.get("pages") == 161 and len(sw["items"]) == 160, f"wide site: {sm}, {len(sw['items'])} items")
        check(isinstance(sm.get("peak_backlog"), int) and 1 <= sm["peak_backlog"] <= 2 * 4 + 2 * 10,
              f"bodies waiting for analysis: {sm.get('peak_backlog')} (bound {2 * 4 + 2 * 10})")
        # ---- 6. resuming an interrupted crawl
        def wide_count():
            return json.loads(get(m + "/_ctl/stats"))["wide"]

        get(m + "/_ctl/wide_delay/40")
        rcache = os.path.join(tmp.name, "resume-cache")
        wide = ["--json", "--as-of", "2026-11-30", "--cache-dir", rcache, "--concurrency", "2", "--max-pages", "1000",
                "--timeout", "30", "--site", m + "/wide/"]
        for key, sig in (("k-kill", signal.SIGKILL), ("k-term", signal.SIGTERM)):
            n0 = wide_count()
            p = subprocess.Popen([args.bin, "patrol", "--resume", key] + wide, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env)
            deadline = time.time() + 60
            while wide_count() - n0 < 40 and p.poll() is None and time.time() < deadline:
                time.sleep(0.01)
            p.send_signal(sig)
            out, errs = p.communicate(timeout=60)
            if sig == signal.SIGKILL:
                check(p.returncode == -signal.SIGKILL, f"{key}: killed part-way: {p.returncode}")
            else:
                check(p.returncode == 2 and "--resume k-term" in errs,
                      f"{key}: a stopped crawl says how to go on: {p.returncode} {errs[-500:]}")
            check("summary" not in out, f"{key}: no summary from an interrupted crawl")
            n1 = wide_count()
            _, sr = patrol(["--resume", key, "--cache-dir", rcache, "--concurrency", "2", "--max-pages", "1000",
                            "--timeout", "30"], ["--site", m + "/wide/"], want_status=0)
            fetched, resumed = wide_count() - n1, sr["summary"].get("resumed", 0)
            check(resumed >= 20 and fetched + resumed == 161,
                  f"{key}: resumed {resumed} from the journal and fetched {fetched}: want >= 20 and 161 in all")
            check(sr["summary"].get("pages") == 161 and len(sr["items"]) == 160,
                  f"{key}: the resumed crawl's result is whole: {sr['summary']}, {len(sr['items'])} items")
            check(not [f for f in os.listdir(rcache) if f.endswith("." + key)],
                  f"{key}: the journal is gone once the crawl is done: {os.listdir(rcache)}")
        get(m + "/_ctl/wide_delay/0")
        if failed:
            for p in outputs[:1]:
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
