#!/usr/bin/python3
"""Benchmark driver (run by bench/run.sh, which first makes the inputs and builds hs_raw).

Runs every tool over the same bytes for each lexicon size, one process at a time, each under
/usr/bin/time (peak RSS = "Maximum resident set size", wall clock), collects each tool's own
JSON line (build/compile time, bytes, scan time, matches), writes bench/work/results.jsonl and
bench/work/results.md and prints the table.

Environment: PUBGUARD (binary, default build/pubguard), BENCH_SIZES ("1k 10k 100k"),
BENCH_TOOLS ("pubguard hs_raw py_ac mint"), BENCH_DOCS_INPUT (1: also the ~2 KB documents),
BENCH_PROFILE (1: perf profile of pubguard's cached 10k/100k runs, top functions in results.md),
BENCH_TIMEOUT (300: seconds after which one run is stopped and reported as failed).
"""
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
PUBGUARD = os.environ.get("PUBGUARD", os.path.join(ROOT, "build", "pubguard"))
SIZES = os.environ.get("BENCH_SIZES", "1k 10k 100k").split()
TOOLS = os.environ.get("BENCH_TOOLS", "pubguard hs_raw py_ac mint").split()
DOCS_INPUT = os.environ.get("BENCH_DOCS_INPUT", "1") == "1"
PROFILE = os.environ.get("BENCH_PROFILE", "1") == "1"
AS_OF = "2026-11-30"
TIME = "/usr/bin/time"
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "300"))  # seconds per run, keeps the whole run bounded
MB = 1e6  # MB/s are decimal megabytes (10^6 bytes) per second


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def timed(cmd, stdout_path=None, env=None):
    """Run cmd under /usr/bin/time. Returns (rc, stdout text or None, stderr text, rss_kb, wall_s)."""
    tfile = os.path.join(WORK, "time.out")
    full = [TIME, "-f", "rss_kb=%M wall_s=%e", "-o", tfile, "timeout", str(TIMEOUT)] + cmd
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    try:
        p = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, env=env)
    finally:
        if stdout_path:
            out.close()
    with open(tfile) as f:
        tm = f.read()
    m = re.search(r"rss_kb=(\d+) wall_s=([\d.]+)", tm)
    rss, wall = (int(m.group(1)), float(m.group(2))) if m else (None, None)
    so = None if stdout_path else p.stdout.decode("utf-8", "replace")
    se = p.stderr.decode("utf-8", "replace")
    if p.returncode == 124:
        se += "\ntimed out after %d s (BENCH_TIMEOUT)" % TIMEOUT
    return p.returncode, so, se, rss, wall


def last_json(text, key):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{") and key in line:
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def mbps(bytes_, ms):
    return bytes_ / MB / (ms / 1e3) if ms and ms > 0 else None


def run_baseline(tool, cmd, size, inp_name):
    rc, so, se, rss, wall = timed(cmd)
    j = last_json(so or "", '"tool"')
    if rc != 0 or not j:
        log("%s %s %s failed (rc %d): %s" % (tool, size, inp_name, rc, se.strip()[-400:]))
        return {"tool": tool, "lexicon": size, "input": inp_name, "error": se.strip()[-400:]}
    j.update({"tool": tool, "lexicon": size, "input": inp_name, "rss_kb": rss, "wall_s": wall,
              "build_ms": j.get("build_ms", j.get("compile_ms")),
              "mbps": mbps(j["bytes"], j["scan_ms"])})
    return j


def count_findings(path):
    n = files = errors = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            files += 1
            if "error" in o:
                errors += 1
            n += len(o.get("findings") or [])
    return n, files, errors


def run_pubguard(size, lex, inp, inp_name, cache, mode, jobs=1):
    out = os.path.join(WORK, "out", "pubguard-%s-%s-%s.jsonl" % (size, inp_name, mode))
    args = [PUBGUARD, "check", "--json", "--as-of", AS_OF, "--lexicon", lex, "--cache-dir", cache,
            "--stats", "--jobs", str(jobs)]
    if os.path.isdir(inp):
        args += [os.path.join(inp, n) for n in sorted(os.listdir(inp)) if n.endswith(".txt")]
    else:
        args.append(inp)
    rc, _, se, rss, wall = timed(args, stdout_path=out)
    st = last_json(se, '"phrases"')
    tool = "pubguard" if jobs == 1 else "pubguard (%d threads)" % jobs
    if rc not in (0, 1) or not st:
        err = "\n".join(l for l in se.splitlines() if not l.startswith('{"phrases"'))[-600:]
        log("pubguard %s %s %s failed (rc %d): %s" % (size, inp_name, mode, rc, err))
        return {"tool": tool, "lexicon": size, "input": inp_name, "mode": mode, "rc": rc,
                "error": err or "no --stats line"}
    nf, files, errors = count_findings(out)
    r = {"tool": tool, "lexicon": size, "input": inp_name, "mode": mode, "rc": rc,
         "phrases": st.get("phrases"), "cache": st.get("cache"), "build_ms": st.get("rules_ms"),
         "bytes": st.get("bytes"), "scan_ms": st.get("scan_ms"), "wall_ms": st.get("wall_ms"),
         "matches": nf, "files": files, "file_errors": errors, "rss_kb": rss, "wall_s": wall,
         "mbps": mbps(st.get("bytes", 0), st.get("scan_ms"))}
    if rc == 1 and errors:
        log("pubguard %s %s: %d files reported errors" % (size, inp_name, errors))
    return r


def profile_pubguard(size, lex, inp, cache):
    """perf profile of a cached pubguard run: top functions by self time."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(WORK, "perf-%s.data" % size)
    cmd = ["perf", "record", "-q", "-F", "999", "-o", data, "--", PUBGUARD, "check", "--json",
           "--as-of", AS_OF, "--lexicon", lex, "--cache-dir", cache, "--jobs", "1", inp]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                          "--sort", "dso,symbol", "--percent-limit", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = [re.sub(r"\s+", " ", l).strip() for l in rep.stdout.decode("utf-8", "replace").splitlines()
             if l.strip() and not l.startswith("#")]
    txt = "\n".join(lines[:25])
    with open(os.path.join(WORK, "profile-%s.txt" % size), "w") as f:
        f.write(txt + "\n")
    return txt


def cached_start(lex, cache):
    """hyperfine: pubguard check with a 100k lexicon from cached rules on one ~2 KB document."""
    small = os.path.join(WORK, "small.txt")
    if not shutil.which("hyperfine"):
        return None
    js = os.path.join(WORK, "hyperfine-start.json")
    cmd = "%s check --as-of %s --lexicon %s --cache-dir %s %s" % (PUBGUARD, AS_OF, lex, cache, small)
    p = subprocess.run(["hyperfine", "-N", "-i", "--warmup", "3", "--runs", "30", "--export-json",
                        js, cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        log("hyperfine failed: " + p.stderr.decode("utf-8", "replace")[-300:])
        return None
    with open(js) as f:
        res = json.load(f)["results"][0]
    return {"mean_ms": res["mean"] * 1e3, "stddev_ms": res["stddev"] * 1e3,
            "min_ms": res["min"] * 1e3, "max_ms": res["max"] * 1e3, "command": cmd}


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def ratio(a, b):
    return a / b if a and b else None


def report(results, start, profiles, meta):
    L = []
    L.append("# pubguard speed benchmark — results")
    L.append("")
    L.append("Run %s on %s (%s, %d cores); corpus %s. MB = 10^6 bytes; MB/s = bytes scanned / "
             "scan time (reading and decoding excluded for every tool); peak RSS of the whole "
             "process from /usr/bin/time." % (meta["when"], meta["host"], meta["cpu"],
                                              meta["cores"], meta["corpus"]))
    L.append("")
    L.append("| tool | lexicon | input | compile/build | MB/s | matches | peak RSS | notes |")
    L.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        if "error" in r:
            L.append("| %s | %s | %s | — | — | — | — | FAILED: %s |" % (
                r["tool"], r["lexicon"], r["input"], r["error"].replace("\n", " ")[:160]))
            continue
        notes = []
        if r.get("mode"):
            notes.append("rules cache %s" % r.get("cache"))
            if r.get("wall_ms") and r.get("build_ms") is not None:
                e2e = mbps(r["bytes"], r["wall_ms"] - r["build_ms"])
                notes.append("end-to-end incl. reading %s MB/s" % fmt(e2e, ".0f"))
            notes.append("matches = findings")
        if r.get("db_bytes"):
            notes.append("db %.1f MB" % (r["db_bytes"] / MB))
        if r["tool"] == "mint-filter":
            notes.append("per document")
        if r.get("bytes") and r["bytes"] < 50 * MB and r["input"] == "corpus":
            notes.append("prefix of %.0f MB" % (r["bytes"] / MB))
        L.append("| %s | %s | %s | %s ms | %s | %s | %s MB | %s |" % (
            r["tool"], r["lexicon"], r["input"], fmt(r.get("build_ms"), ".0f"),
            fmt(r.get("mbps"), ".1f"), fmt(r.get("matches"), "d"),
            fmt((r.get("rss_kb") or 0) / 1024 if r.get("rss_kb") else None, ".0f"),
            "; ".join(notes)))
    L.append("")
    L.append("## pubguard against the targets (issue 2)")
    L.append("")
    L.append("| lexicon | input | pubguard MB/s | raw vectorscan MB/s | pubguard/raw | target | "
             "best other | pubguard/best other | target |")
    L.append("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |")

    def get(tool, size, inp, mode=None):
        for r in results:
            if r["tool"] == tool and r["lexicon"] == size and r["input"] == inp and \
                    "error" not in r and (mode is None or r.get("mode") == mode):
                return r
        return None

    for size in SIZES:
        for inp in ("corpus", "docs"):
            pg = get("pubguard", size, inp, "hit") or get("pubguard", size, inp)
            hs = get("vectorscan-raw", size, inp)
            others = [r for r in (get("python3-ahocorasick", size, inp),
                                  get("mint-filter", size, inp)) if r and r.get("mbps")]
            if not (pg or hs):
                continue
            best = max(others, key=lambda r: r["mbps"]) if others else None
            need = 1.0 if size == "100k" else 0.5
            rr = ratio(pg and pg.get("mbps"), hs and hs.get("mbps"))
            ro = ratio(pg and pg.get("mbps"), best and best["mbps"])
            L.append("| %s | %s | %s | %s | %s | ≥ %.1f: %s | %s | %s | ≥ 10: %s |" % (
                size, inp, fmt(pg and pg.get("mbps"), ".1f"), fmt(hs and hs.get("mbps"), ".1f"),
                fmt(rr, ".2f"), need, "—" if rr is None else ("met" if rr >= need else "MISSED"),
                "—" if not best else "%.1f (%s)" % (best["mbps"], best["tool"]), fmt(ro, ".1f"),
                "—" if ro is None else ("met" if ro >= 10 else "MISSED")))
    L.append("")
    if start:
        L.append("Cached start, 100k phrases, one ~2 KB document (hyperfine, 30 runs after 3 "
                 "warm-ups): mean %.1f ms ± %.1f (min %.1f, max %.1f) — target < 100 ms: %s.  "
                 "`%s`" % (start["mean_ms"], start["stddev_ms"], start["min_ms"], start["max_ms"],
                           "met" if start["mean_ms"] < 100 else "MISSED", start["command"]))
        L.append("")
    for size, txt in profiles.items():
        if txt:
            L.append("### perf profile: pubguard, %s phrases, corpus, cached rules (self time, "
                     "top symbols)" % size)
            L.append("")
            L.append("```")
            L.append(txt)
            L.append("```")
            L.append("")
    return "\n".join(L)


def main():
    os.makedirs(os.path.join(WORK, "out"), exist_ok=True)
    corpus = os.path.join(WORK, "corpus.txt")
    docs = os.path.join(WORK, "docs")
    inputs = [("corpus", corpus)] + ([("docs", docs)] if DOCS_INPUT else [])
    have_pg = "pubguard" in TOOLS and os.access(PUBGUARD, os.X_OK)
    if "pubguard" in TOOLS and not have_pg:
        log("no pubguard binary at %s: pubguard rows skipped" % PUBGUARD)
    results, profiles, start = [], {}, None
    t_all = time.time()
    for size in SIZES:
        lex = os.path.join(WORK, "lex-%s.txt" % size)
        for inp_name, inp in inputs:
            if "hs_raw" in TOOLS:
                log("vectorscan-raw %s %s" % (size, inp_name))
                results.append(run_baseline("vectorscan-raw", [os.path.join(WORK, "hs_raw"), lex, inp],
                                            size, inp_name))
            if "py_ac" in TOOLS:
                log("python3-ahocorasick %s %s" % (size, inp_name))
                results.append(run_baseline("python3-ahocorasick",
                                            ["/usr/bin/python3", os.path.join(HERE, "py_ac.py"), lex, inp],
                                            size, inp_name))
            if "mint" in TOOLS:
                log("mint-filter %s %s" % (size, inp_name))
                results.append(run_baseline("mint-filter",
                                            ["node", "--max-old-space-size=8192",
                                             os.path.join(HERE, "node", "scan.js"), lex, inp],
                                            size, inp_name))
            if have_pg:
                cache = os.path.join(WORK, "cache-%s" % size)
                if inp_name == "corpus":
                    shutil.rmtree(cache, ignore_errors=True)
                    os.makedirs(cache)
                    log("pubguard %s %s (cold: compile rules)" % (size, inp_name))
                    results.append(run_pubguard(size, lex, inp, inp_name, cache, "miss"))
                log("pubguard %s %s (cached rules)" % (size, inp_name))
                results.append(run_pubguard(size, lex, inp, inp_name, cache, "hit"))
                if inp_name == "docs":
                    log("pubguard %s %s (2 threads)" % (size, inp_name))
                    results.append(run_pubguard(size, lex, inp, inp_name, cache, "hit", jobs=2))
        if have_pg and PROFILE and size in ("10k", "100k"):
            log("perf profile pubguard %s" % size)
            profiles[size] = profile_pubguard(size, lex, corpus, os.path.join(WORK, "cache-%s" % size))
    if have_pg and "100k" in SIZES:
        log("hyperfine cached start 100k")
        start = cached_start(os.path.join(WORK, "lex-100k.txt"), os.path.join(WORK, "cache-100k"))

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    meta = {"when": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "host": platform.node(),
            "cpu": cpu, "cores": os.cpu_count() or 0,
            "corpus": "%.1f MB in corpus.txt, %d documents in docs/ (%.1f MB)" % (
                os.path.getsize(corpus) / MB, len(os.listdir(docs)),
                sum(os.path.getsize(os.path.join(docs, n)) for n in os.listdir(docs)) / MB)}
    with open(os.path.join(WORK, "results.jsonl"), "w") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        if start:
            f.write(json.dumps({"tool": "pubguard", "cached_start": start}) + "\n")
    md = report(results, start, profiles, meta)
    with open(os.path.join(WORK, "results.md"), "w", encoding="utf-8") as f:
        f.write(md + "\n")
    print(md)
    log("done in %.0f s; results in %s" % (time.time() - t_all, os.path.join(WORK, "results.md")))


if __name__ == "__main__":
    main()
