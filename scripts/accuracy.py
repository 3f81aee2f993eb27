#!/usr/bin/env python3
"""Precision and recall of `pubguard check` on the labelled corpus (tests/corpus).

    python3 scripts/accuracy.py --bin build/pubguard [--data-dir data] [--check-floors] tests/corpus

Labels (CORPUS/labels.tsv, written by hand from reading each document):
    file<TAB>category<TAB>line<TAB>quote   one expected finding; the finding must have the same
                                           category and line, and its text must contain quote
                                           (an empty quote matches any text). line may be '*'
                                           for a finding whose line is not asserted.
    file<TAB>clean                         the document must have no finding at all.
    # comment, blank lines ignored.
Every document in CORPUS (except labels.tsv, floors.tsv and README*) must be labelled.

Matching: a finding matches at most one label and a label at most one finding. Unmatched
findings are false positives (FP) of the finding's category, unmatched labels false
negatives (FN) of the label's category. Findings on documents labelled clean are also
counted separately as false alarms on clean documents.

Floors (CORPUS/floors.tsv, `name<TAB>value`): overall.precision, overall.recall (minimums),
clean.max_findings (maximum), and optionally <category>.precision / <category>.recall.
With --check-floors the exit status is 1 when a floor is not met, 2 when the checker could
not be run or a document could not be checked. Python 3 standard library only.
"""
import argparse
import json
import os
import subprocess
import sys

CATEGORIES = [
    "repost.missing_link", "repost.missing_time", "repost.missing_source",
    "repost.unauthorized_source", "map.missing_review_number", "map.missing_source",
    "prohibited.anti_constitution", "prohibited.state_security", "prohibited.national_honour",
    "prohibited.ethnic_hatred", "prohibited.cult_superstition", "prohibited.rumour",
    "prohibited.obscene_gambling_violence_terror", "prohibited.insult_defamation",
    "prohibited.ip_infringement", "prohibited.other_illegal", "content.vulgar_irrelevant",
    "content.low_red_high_black", "secrecy.classification_mark", "pii.id_number", "pii.mobile",
    "pii.bank_card", "error.typo", "error.outdated_institution",
]
SKIP = {"labels.tsv", "floors.tsv"}
AS_OF = "2026-11-30"
# A sanitizer exits with status 1 by default, like a run with findings: look at stderr too.
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "MemorySanitizer")


class LabelError(Exception):
    pass


def read_labels(path, docs):
    labels = {}   # file -> list of (category, line or None, quote)
    clean = set()
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            where = "%s:%d" % (path, no)
            name = cols[0]
            if name not in docs:
                raise LabelError("%s: no such document %r" % (where, name))
            if len(cols) == 2 and cols[1] == "clean":
                if labels.get(name):
                    raise LabelError("%s: %s is labelled clean and has findings" % (where, name))
                clean.add(name)
                continue
            if len(cols) not in (3, 4):
                raise LabelError("%s: expected file, category, line[, quote]" % where)
            cat, ln = cols[1], cols[2]
            quote = cols[3] if len(cols) == 4 else ""
            if cat not in CATEGORIES:
                raise LabelError("%s: unknown category %r" % (where, cat))
            if ln == "*":
                lnv = None
            elif ln.isdigit() and int(ln) > 0:
                lnv = int(ln)
            else:
                raise LabelError("%s: bad line %r" % (where, ln))
            if name in clean:
                raise LabelError("%s: %s is labelled clean and has findings" % (where, name))
            labels.setdefault(name, []).append((cat, lnv, quote))
    return labels, clean


def run_checker(args, corpus, docs):
    """Returns ({file: result dict or None}, {file: error text}, stderr)."""
    cmd = [os.path.abspath(args.bin) if os.path.sep in args.bin else args.bin,
           "check", "--json", "--as-of", args.as_of]
    if args.data_dir:
        cmd += ["--data-dir", os.path.abspath(args.data_dir)]
    results, errors, stderr_all = {}, {}, []
    batch = 64
    for i in range(0, len(docs), batch):
        part = docs[i:i + batch]
        try:
            p = subprocess.run(cmd + part, cwd=corpus, capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SystemExit("accuracy: cannot run %s: %s" % (cmd[0], e))
        err = p.stderr.decode("utf-8", "replace")
        stderr_all.append(err)
        for marker in SANITIZER_MARKERS:
            if marker in err:
                raise SystemExit("accuracy: sanitizer report from %s\n%s" % (cmd[0], err))
        if p.returncode not in (0, 1, 2):
            raise SystemExit("accuracy: %s exited with status %d\n%s" % (cmd[0], p.returncode, err))
        for ln in p.stdout.decode("utf-8", "replace").splitlines():
            if not ln.strip():
                continue
            try:
                obj = json.loads(ln)
            except ValueError:
                raise SystemExit("accuracy: not a JSON line in the output: %r" % ln[:200])
            name = obj.get("file")
            if name not in part:
                raise SystemExit("accuracy: output for an unknown file %r" % name)
            if "error" in obj:
                e = obj["error"]
                errors[name] = e.get("message", str(e)) if isinstance(e, dict) else str(e)
            else:
                results[name] = obj
        for name in part:
            if name not in results and name not in errors:
                msg = [l for l in err.splitlines() if name in l]
                errors[name] = msg[0] if msg else "no output for this file"
    return results, errors, "".join(stderr_all)


def match(labels, findings):
    """Greedy matching; labels with a line and a quote first. Returns (tp, fn, fp) lists."""
    order = sorted(range(len(labels)),
                   key=lambda i: (labels[i][1] is None, labels[i][2] == "", -len(labels[i][2])))
    used = [False] * len(findings)
    tp, fn = [], []
    for i in order:
        cat, ln, quote = labels[i]
        hit = None
        for j, fd in enumerate(findings):
            if used[j] or fd.get("category") != cat:
                continue
            if ln is not None and fd.get("line") != ln:
                continue
            if quote and quote not in (fd.get("text") or ""):
                continue
            hit = j
            break
        if hit is None:
            fn.append(labels[i])
        else:
            used[hit] = True
            tp.append((labels[i], findings[hit]))
    fp = [fd for j, fd in enumerate(findings) if not used[j]]
    return tp, fn, fp


def ratio(a, b):
    return a / b if b else 1.0


def read_floors(path):
    floors = {}
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 2:
                raise SystemExit("accuracy: %s:%d: expected name<TAB>value" % (path, no))
            try:
                floors[cols[0]] = float(cols[1])
            except ValueError:
                raise SystemExit("accuracy: %s:%d: bad value %r" % (path, no, cols[1]))
    return floors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default="tests/corpus")
    ap.add_argument("--bin", default="build/pubguard")
    ap.add_argument("--data-dir", help="passed to the checker (default: $PGD_DATA_DIR, else ./data when it exists)")
    ap.add_argument("--as-of", default=AS_OF)
    ap.add_argument("--check-floors", action="store_true")
    ap.add_argument("--floors", help="floors file (default CORPUS/floors.tsv)")
    ap.add_argument("--only", action="append", help="only this document (repeatable)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no per-finding lists")
    args = ap.parse_args()

    if not args.data_dir and not os.environ.get("PGD_DATA_DIR") and os.path.isdir("data"):
        args.data_dir = "data"  # run from the repository root
    corpus = args.corpus
    docs = sorted(n for n in os.listdir(corpus)
                  if os.path.isfile(os.path.join(corpus, n)) and n not in SKIP
                  and not n.startswith("README") and not n.startswith("."))
    try:
        labels, clean = read_labels(os.path.join(corpus, "labels.tsv"), set(docs))
    except LabelError as e:
        print("accuracy: %s" % e, file=sys.stderr)
        return 2
    unlabelled = [d for d in docs if d not in labels and d not in clean]
    if unlabelled:
        print("accuracy: documents without labels: %s" % ", ".join(unlabelled), file=sys.stderr)
        return 2
    if args.only:
        docs = [d for d in docs if d in args.only]

    results, errors, _ = run_checker(args, corpus, docs)

    stats = {c: [0, 0, 0] for c in CATEGORIES}  # tp, fp, fn
    fps, fns, clean_alarms = [], [], []
    for d in docs:
        exp = labels.get(d, [])
        if d in errors:
            for lab in exp:
                stats[lab[0]][2] += 1
                fns.append((d, lab, "document not checked"))
            continue
        findings = results[d].get("findings") or []
        tp, fn, fp = match(exp, findings)
        for lab, _ in tp:
            stats[lab[0]][0] += 1
        for lab in fn:
            stats[lab[0]][2] += 1
            fns.append((d, lab, ""))
        for fd in fp:
            stats.setdefault(fd.get("category", "?"), [0, 0, 0])[1] += 1
            fps.append((d, fd))
            if d in clean:
                clean_alarms.append((d, fd))

    print("%-44s %4s %4s %4s %9s %7s" % ("category", "TP", "FP", "FN", "precision", "recall"))
    tot = [0, 0, 0]
    for c in sorted(stats):
        tp, fp, fn = stats[c]
        tot = [tot[0] + tp, tot[1] + fp, tot[2] + fn]
        if tp + fp + fn == 0:
            continue
        print("%-44s %4d %4d %4d %9.3f %7.3f" % (c, tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn)))
    prec, rec = ratio(tot[0], tot[0] + tot[1]), ratio(tot[0], tot[0] + tot[2])
    print("%-44s %4d %4d %4d %9.3f %7.3f" % ("TOTAL", tot[0], tot[1], tot[2], prec, rec))
    ndocs_clean = len([d for d in docs if d in clean])
    alarmed = sorted({d for d, _ in clean_alarms})
    print("documents: %d checked, %d labelled clean, %d clean with false alarms (%d findings), "
          "%d not checked" % (len(docs), ndocs_clean, len(alarmed), len(clean_alarms), len(errors)))

    if not args.quiet:
        for d, e in sorted(errors.items()):
            print("ERROR %s: %s" % (d, e))
        for d, fd in fps:
            print("FP %s:%s:%s %s «%s» %s" % (d, fd.get("line"), fd.get("column"), fd.get("category"),
                                          fd.get("text", ""), fd.get("message", "")))
        for d, (cat, ln, quote), why in fns:
            print("FN %s:%s %s «%s»%s" % (d, ln if ln is not None else "*", cat, quote,
                                          " (" + why + ")" if why else ""))

    if not args.check_floors:
        return 0
    failed = []
    if errors:
        failed.append("%d document(s) could not be checked" % len(errors))
    floors = read_floors(args.floors or os.path.join(corpus, "floors.tsv"))
    for name, val in sorted(floors.items()):
        if name == "overall.precision":
            got, ok = prec, prec >= val
        elif name == "overall.recall":
            got, ok = rec, rec >= val
        elif name == "clean.max_findings":
            got, ok = len(clean_alarms), len(clean_alarms) <= val
        elif name.endswith(".precision") or name.endswith(".recall"):
            cat, _, kind = name.rpartition(".")
            if cat not in stats:
                print("accuracy: floor for unknown category %r" % cat, file=sys.stderr)
                return 2
            tp, fp, fn = stats[cat]
            got = ratio(tp, tp + fp) if kind == "precision" else ratio(tp, tp + fn)
            ok = got >= val
        else:
            print("accuracy: unknown floor %r" % name, file=sys.stderr)
            return 2
        if not ok:
            failed.append("%s = %.3f, floor %g" % (name, got, val))
    for f in failed:
        print("FLOOR NOT MET: %s" % f)
    if failed:
        return 2 if errors and len(failed) == 1 else 1
    print("all floors met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
