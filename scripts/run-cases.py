#!/usr/bin/env python3
"""Run the data-driven checker cases (tests/cases/<slug>/) and diff their findings.

    python3 scripts/run-cases.py --bin build/pubguard [--data-dir data] tests/cases [slug ...]

A case is a directory holding (all written by hand):
  input*          the input file(s) (input.txt, input.html, input.docx, input-2.txt, ...), passed
                  to the checker in name order; the case runs with the case directory as cwd
  files           optional: the file arguments, one per line, instead of input* (may name a file
                  that does not exist, or '-' for stdin)
  stdin           optional: bytes fed to the checker's standard input (use with '-' in files)
  args            optional: extra arguments (shell-quoted, one or more lines), e.g. --lexicon x.txt;
                  --as-of 2026-11-30 is added unless args has its own --as-of
  expected        the findings, one per line: category<TAB>line:col<TAB>text, or
                  category<TAB>line<TAB>text (column not asserted); with several input files a
                  first column names the file: file<TAB>category<TAB>line[:col]<TAB>text.
                  line '*' = any line, text '*' = any text. Empty file = no finding at all.
                  '#' lines are comments.
  exit            optional: the expected exit status (0, 1 or 2)
  stderr          optional: substrings that must each appear in standard error, one per line
  verdict         optional: file<TAB>verdict lines (or one verdict for a single input)
  suggest         optional: category<TAB>text<TAB>substring lines: some finding with that category
                  and text (any input) must have a suggestion containing substring ('!substring':
                  not containing it) -- e.g. the masked form of a number, a typo's correction
  errors          optional: files that must be reported as bad input (no JSON line, or a JSON
                  line with an "error" member), one per line
The comparison is exact multiset equality on (file, category, line[, col], text): every expected
finding must be there, and nothing else. Python 3 standard library only.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

AS_OF = "2026-11-30"
# A sanitizer exits with status 1 by default, like a run with findings: look at stderr too.
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "MemorySanitizer")


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n").rstrip("\r") for l in f]


def parse_expected(path, single):
    out = []
    for no, line in enumerate(read_lines(path), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) == 3:
            fname = single
        elif len(cols) == 4:
            fname = cols.pop(0)
        else:
            raise ValueError("%s:%d: expected [file<TAB>]category<TAB>line[:col]<TAB>text" % (path, no))
        cat, pos, text = cols
        ln, col = pos, None
        if ":" in pos:
            ln, col = pos.split(":", 1)
        if ln != "*" and not ln.isdigit():
            raise ValueError("%s:%d: bad line %r" % (path, no, pos))
        if col is not None and not col.isdigit():
            raise ValueError("%s:%d: bad column %r" % (path, no, pos))
        out.append((fname, cat, None if ln == "*" else int(ln), None if col is None else int(col), text))
    return out


def fmt_exp(e):
    f, cat, ln, col, text = e
    pos = "*" if ln is None else str(ln)
    if col is not None:
        pos += ":%d" % col
    return "%s\t%s\t%s\t%s" % (f, cat, pos, text)


def fmt_act(a):
    f, fd = a
    return "%s\t%s\t%s:%s\t%s" % (f, fd.get("category"), fd.get("line"), fd.get("column"),
                                  fd.get("text", ""))


def matches(e, a):
    f, cat, ln, col, text = e
    af, fd = a
    return (f == af and cat == fd.get("category")
            and (ln is None or ln == fd.get("line"))
            and (col is None or col == fd.get("column"))
            and (text == "*" or text == (fd.get("text") or "")))


def run_case(args, case):
    problems = []
    names = sorted(os.listdir(case))
    if "files" in names:
        files = [l for l in read_lines(os.path.join(case, "files")) if l.strip()]
    else:
        files = [n for n in names if n.startswith("input")]
    if not files:
        return ["no input file"]
    extra = []
    if "args" in names:
        with open(os.path.join(case, "args"), encoding="utf-8") as f:
            extra = shlex.split(f.read(), comments=True)
    cmd = [args.bin, "check", "--json"]
    if "--as-of" not in extra:
        cmd += ["--as-of", args.as_of]
    if args.data_dir:
        cmd += ["--data-dir", args.data_dir]
    cmd += extra + files
    stdin = b""
    if "stdin" in names:
        with open(os.path.join(case, "stdin"), "rb") as f:
            stdin = f.read()
    try:
        p = subprocess.run(cmd, cwd=case, input=stdin, capture_output=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return ["timed out after %ds" % args.timeout]
    except OSError as e:
        return ["cannot run %s: %s" % (cmd[0], e)]
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")

    if p.returncode < 0 or p.returncode > 2:
        problems.append("exit status %d (crash?)" % p.returncode)
    for marker in SANITIZER_MARKERS:
        if marker in err:
            problems.append("sanitizer report in stderr (%s)" % marker)
            break
    results, errored = {}, set()
    for line in out.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            problems.append("not a JSON line: %r" % line[:200])
            continue
        name = obj.get("file")
        if name in results or name in errored:
            problems.append("two output lines for %r" % name)
        if "error" in obj:
            errored.add(name)
        else:
            results[name] = obj
    for fname in files:
        if fname not in results:
            errored.add(fname)

    want_errors = set()
    if "errors" in names:
        want_errors = {l.strip() for l in read_lines(os.path.join(case, "errors")) if l.strip()}
    for fname in sorted(want_errors - errored):
        problems.append("%s: expected a bad-input error, it was checked" % fname)
    for fname in sorted(errored - want_errors):
        problems.append("%s: not checked (no JSON line or an error member)" % fname)

    if "exit" in names:
        want = int(read_lines(os.path.join(case, "exit"))[0].strip())
        if p.returncode != want:
            problems.append("exit status %d, expected %d" % (p.returncode, want))
    if "stderr" in names:
        for s in read_lines(os.path.join(case, "stderr")):
            if s.strip() and s not in err:
                problems.append("stderr lacks %r" % s)
    if "verdict" in names:
        for l in read_lines(os.path.join(case, "verdict")):
            if not l.strip():
                continue
            cols = l.split("\t")
            fname, v = (cols[0], cols[1]) if len(cols) == 2 else (files[0], cols[0])
            got = results.get(fname, {}).get("verdict")
            if got != v:
                problems.append("%s: verdict %r, expected %r" % (fname, got, v))

    if "suggest" in names:
        allf = [fd for f in files if f in results for fd in results[f].get("findings") or []]
        for l in read_lines(os.path.join(case, "suggest")):
            if not l.strip() or l.startswith("#"):
                continue
            cols = l.split("\t")
            if len(cols) != 3:
                problems.append("suggest: expected category<TAB>text<TAB>substring: %r" % l)
                continue
            cat, text, sub = cols
            cands = [fd for fd in allf if fd.get("category") == cat and fd.get("text") == text]
            if not cands:
                problems.append("suggest: no %s finding «%s»" % (cat, text))
                continue
            neg = sub.startswith("!")
            needle = sub[1:] if neg else sub
            sugg = [fd.get("suggestion") or "" for fd in cands]
            if not any((needle in sg) != neg for sg in sugg):
                problems.append("suggest: %s «%s»: suggestion %r %s %r" % (
                    cat, text, sugg[0], "contains" if neg else "lacks", needle))
    if "expected" not in names:
        problems.append("no expected file")
    else:
        try:
            exp = parse_expected(os.path.join(case, "expected"), files[0])
        except ValueError as e:
            return problems + [str(e)]
        act = [(f, fd) for f in files if f in results for fd in results[f].get("findings") or []]
        # Exact entries first so wildcards do not steal their findings.
        exp.sort(key=lambda e: (e[2] is None, e[4] == "*", e[3] is None))
        used = [False] * len(act)
        missing = []
        for e in exp:
            for j, a in enumerate(act):
                if not used[j] and matches(e, a):
                    used[j] = True
                    break
            else:
                missing.append(e)
        extra_f = [a for j, a in enumerate(act) if not used[j]]
        for e in missing:
            problems.append("- " + fmt_exp(e))
        for a in extra_f:
            problems.append("+ " + fmt_act(a) + "\t(" + str(a[1].get("message", "")) + ")")
    if problems:
        problems.append("command: " + " ".join(shlex.quote(c) for c in cmd))
        if err.strip() and (args.verbose or len(err) < 2000):
            problems.append("stderr: " + err.strip().replace("\n", "\n        "))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cases", nargs="?", default="tests/cases")
    ap.add_argument("only", nargs="*", help="run only these case names")
    ap.add_argument("--bin", default="build/pubguard")
    ap.add_argument("--data-dir", help="passed to the checker (default: $PGD_DATA_DIR, else ./data when it exists)")
    ap.add_argument("--as-of", default=AS_OF)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("-v", "--verbose", action="store_true", help="print long standard error too")
    args = ap.parse_args()
    if not args.data_dir and not os.environ.get("PGD_DATA_DIR") and os.path.isdir("data"):
        args.data_dir = "data"  # run from the repository root
    args.bin = os.path.abspath(args.bin) if os.path.sep in args.bin else args.bin
    if args.data_dir:
        args.data_dir = os.path.abspath(args.data_dir)

    slugs = sorted(d for d in os.listdir(args.cases)
                   if os.path.isdir(os.path.join(args.cases, d)) and not d.startswith("."))
    if args.only:
        unknown = set(args.only) - set(slugs)
        if unknown:
            print("run-cases: no such case: %s" % ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        slugs = [s for s in slugs if s in args.only]
    failed = []
    for s in slugs:
        problems = run_case(args, os.path.join(args.cases, s))
        if problems:
            failed.append(s)
            print("FAIL %s" % s)
            for pr in problems:
                print("    " + pr)
        else:
            print("ok   %s" % s)
    print("%d cases, %d passed, %d failed%s" % (len(slugs), len(slugs) - len(failed), len(failed),
                                              (": " + " ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
