#!/usr/bin/env python3
"""Deterministic 1k / 10k / 100k-phrase lexicons for the speed benchmark.

Writes --out/lex-1k.txt, lex-10k.txt, lex-100k.txt in the plain import format of
`pubguard check --lexicon FILE`: one phrase per line, then `,category`. The other tools read
the same files and ignore the category column.

What is in them, like a large imported "sensitive word" list:
  - the stems the corpus generator plants (网络赌博, 非法集资, 邪教组织 ...), the everyday words
    real lists contain and government text uses (拆迁, 上访, 腐败 ...), outdated institution
    names and typo forms: these match the corpus at the rates gen_corpus.py plants them;
  - combinations built from list morphemes (prefix + core + suffix: 网络博彩网站, 代办刻章 ...),
    homophone evasions (堵博, 毒→读) and short combinations of list characters: most never match
    government text, some do (a few common bigrams), as with real lists.
Every lexicon starts with the same matching core and the larger ones contain the smaller
(1k is a prefix of 10k, 10k of 100k), so growing the list changes only the non-core share.
Phrases are 2-8 characters, unique, without commas.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import govtext as V  # noqa: E402

NAME_EVERY = 25    # one personal name per 25 phrases
PLACE_EVERY = 2000  # one place name (and one place + list word) per 2000 phrases
# Length mix (characters) of the non-core phrases, close to that of real imported lists.
LEN_SHARE = {2: 0.12, 3: 0.22, 4: 0.30, 5: 0.14, 6: 0.10, 7: 0.07, 8: 0.05}
LIST_MAX = 100000
SIZES = ((1000, "1k"), (10000, "10k"), (100000, "100k"))

# Category of each LEX_CORE entry, by its group of ten in govtext.LEX_CORE.
CORE_CAT = (["prohibited.obscene_gambling_violence_terror"] * 10 + ["prohibited.other_illegal"] * 20
            + ["prohibited.obscene_gambling_violence_terror"] * 30
            + ["prohibited.cult_superstition"] * 10 + ["prohibited.state_security"] * 10)


def build(seed):
    r = random.Random(seed)
    seen = set()
    core = []
    pools = {n: [] for n in LEN_SHARE}  # candidate phrases by length (in characters)

    def add(dst, phrase, cat):
        if not (2 <= len(phrase) <= 8) or "," in phrase or phrase in seen:
            return
        seen.add(phrase)
        dst.append((phrase, cat))

    def pool(phrase, cat):
        if 2 <= len(phrase) <= 8:
            add(pools[len(phrase)], phrase, cat)

    for p, cat in V.STEMS:
        add(core, p, cat)
    for p in V.BAIT:
        add(core, p, "prohibited.other_illegal")
    for p in V.OUTDATED:
        add(core, p, "error.outdated_institution")
    for p in V.TYPOS:
        add(core, p, "error.typo")

    assert len(V.LEX_CORE) == len(CORE_CAT), (len(V.LEX_CORE), len(CORE_CAT))
    cores = list(zip(V.LEX_CORE, CORE_CAT)) + list(V.STEMS)
    for c, cat in cores:
        for p in V.LEX_PREFIX:
            pool(p + c, cat)
        for s in V.LEX_SUFFIX:
            pool(c + s, cat)
    for c, cat in cores:
        for p in V.LEX_PREFIX:
            for s in V.LEX_SUFFIX:
                pool(p + c + s, cat)

    def evade(word):
        """A homophone evasion of word: one or two characters swapped for sound-alikes."""
        chars = list(word)
        idx = [i for i, ch in enumerate(chars) if ch in V.HOMOPHONE]
        if not idx:
            return None
        for i in r.sample(idx, min(len(idx), r.randint(1, 2))):
            chars[i] = r.choice(V.HOMOPHONE[chars[i]])
        return "".join(chars)

    for c, cat in cores * 6:
        e = evade(c)
        if e:
            pool(e, cat)
            for s in r.sample(V.LEX_SUFFIX, 3):
                pool(e + s, cat)
    # Short combinations of list characters: most never occur in government text, a few are
    # ordinary words that do.
    for n, count in ((2, 14000), (3, 24000), (4, 30000), (5, 8000)):
        for _ in range(count):
            pool("".join(r.choice(V.SENS_CHARS) for _ in range(n)), "prohibited.other_illegal")
    for lst in pools.values():
        r.shuffle(lst)

    # Draw the list so that every prefix of it has the same length mix.
    want = {n: 0.0 for n in LEN_SHARE}
    taken = {n: 0 for n in LEN_SHARE}
    rest = []
    for _ in range(LIST_MAX):
        for n in want:
            want[n] += LEN_SHARE[n]
        n = max((k for k in want if taken[k] < len(pools[k])), key=lambda k: want[k])
        want[n] -= 1.0
        rest.append(pools[n][taken[n]])
        taken[n] += 1

    # Phrases that occur in government text at low, realistic rates, spread evenly through the
    # list so that each size holds the same share: personal names (real lists hold many) and
    # place names (lists of regional incidents hold them).
    places = V.TOWNS + V.VILLAGES
    mixed = []
    for i, item in enumerate(rest):
        if i % NAME_EVERY == 0:
            name = r.choice(V.SURNAMES) + r.choice(V.GIVEN) + (
                r.choice(V.GIVEN) if r.random() < 0.5 else "")
            add(mixed, name, "prohibited.insult_defamation")
        if i % PLACE_EVERY == PLACE_EVERY - 1:
            add(mixed, r.choice(places) + r.choice(V.BAIT + V.LEX_CORE[:20]),
                "prohibited.other_illegal")
            add(mixed, r.choice(places), "prohibited.other_illegal")
        mixed.append(item)
    return core + mixed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "work"))
    ap.add_argument("--seed", type=int, default=20261130)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    allp = build(a.seed)
    if len(allp) < SIZES[-1][0]:
        sys.exit("gen_lexicon: only %d distinct phrases" % len(allp))
    for n, tag in SIZES:
        path = os.path.join(a.out, "lex-%s.txt" % tag)
        with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as f:
            for p, cat in allp[:n]:
                f.write("%s,%s\n" % (p, cat))
        os.replace(path + ".tmp", path)
    print("gen_lexicon: %d candidate phrases; wrote %s" % (
        len(allp), ", ".join("lex-%s.txt" % t for _, t in SIZES)), file=sys.stderr)


if __name__ == "__main__":
    main()
