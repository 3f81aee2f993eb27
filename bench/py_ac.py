#!/usr/bin/python3
"""python3-ahocorasick (Debian) over the benchmark corpus: what a user scripting a phrase scan
would pick.

    py_ac.py LEXICON INPUT [--max-bytes N]

LEXICON: one phrase per line, the optional ",category" column is ignored. INPUT: a file,
scanned as one string, or a directory whose *.txt files are each scanned on their own.
With --max-bytes only a prefix of a file INPUT is scanned (whole characters; reported).
Input is read and decoded before the clock starts; only the automaton walk is timed for MB/s,
the build (add_word + make_automaton) separately. Every match is counted. Prints one JSON line:
  {"tool":"python3-ahocorasick","phrases":N,"build_ms":X,"files":F,"bytes":B,"scan_ms":Y,
   "matches":M}
"""
import json
import os
import sys
import time

import ahocorasick


def main():
    args = sys.argv[1:]
    max_bytes = 0
    if "--max-bytes" in args:
        i = args.index("--max-bytes")
        max_bytes = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit("usage: py_ac.py LEXICON INPUT [--max-bytes N]")
    lex, inp = args
    phrases = []
    with open(lex, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\r\n").split(",", 1)[0]
            if p:
                phrases.append(p)
    if os.path.isdir(inp):
        names = sorted(n for n in os.listdir(inp) if n.endswith(".txt"))
        raw = []
        for n in names:
            with open(os.path.join(inp, n), "rb") as f:
                raw.append(f.read())
    else:
        with open(inp, "rb") as f:
            data = f.read(max_bytes) if max_bytes else f.read()
        raw = [data]
    texts = [b.decode("utf-8", "ignore") for b in raw]  # a cut prefix may end mid-character
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    del raw

    t0 = time.perf_counter()
    a = ahocorasick.Automaton()
    for i, p in enumerate(phrases):
        a.add_word(p, i)
    a.make_automaton()
    build_ms = (time.perf_counter() - t0) * 1e3

    matches = 0
    t0 = time.perf_counter()
    for t in texts:
        for _ in a.iter(t):
            matches += 1
    scan_ms = (time.perf_counter() - t0) * 1e3
    print(json.dumps({"tool": "python3-ahocorasick", "phrases": len(phrases),
                      "build_ms": round(build_ms, 1), "files": len(texts), "bytes": nbytes,
                      "scan_ms": round(scan_ms, 1), "matches": matches}))


if __name__ == "__main__":
    main()
