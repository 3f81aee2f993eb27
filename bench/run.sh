#!/usr/bin/env bash
# Speed benchmark of `pubguard check` against the tools a user would otherwise pick: a raw
# vectorscan literal scan (hs_raw.c), python3-ahocorasick and the npm filter mint-filter.
# See docs/BENCHMARKS.md. Run by `make bench` after build/pubguard is built; never by the tests.
#
# Inputs are generated once into bench/work/ (deterministic; regenerated when a generator or a
# size changes). Environment:
#   PUBGUARD=path          binary to measure (default build/pubguard)
#   BENCH_MB=105           size of corpus.txt in 10^6 bytes (>= 100 for the issue's figures)
#   BENCH_DOCS=5000        number of ~2 KB documents in docs/
#   BENCH_SIZES="1k 10k 100k", BENCH_TOOLS="pubguard hs_raw py_ac mint",
#   BENCH_DOCS_INPUT=1, BENCH_PROFILE=1, BENCH_TIMEOUT=300   (see bench/bench.py)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
WORK="$HERE/work"
MBS="${BENCH_MB:-105}"
NDOCS="${BENCH_DOCS:-5000}"
PY=/usr/bin/python3
mkdir -p "$WORK"

for tool in /usr/bin/time "$PY" cc pkg-config node npm; do
  command -v "$tool" >/dev/null || { echo "bench: missing $tool (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
"$PY" -c 'import ahocorasick' 2>/dev/null || { echo "bench: missing python3-ahocorasick (scripts/install-deps.sh --bench)" >&2; exit 2; }

# Inputs: regenerate only when the generators or the requested sizes changed.
stamp="$(cat "$HERE/govtext.py" "$HERE/gen_corpus.py" "$HERE/gen_lexicon.py" | sha256sum | cut -c1-16) mb=$MBS docs=$NDOCS"
if [ "$(cat "$WORK/inputs.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "bench: generating corpus ($MBS MB + $NDOCS documents) and lexicons" >&2
  rm -f "$WORK/inputs.stamp"
  "$PY" "$HERE/gen_corpus.py" --out "$WORK" --mb "$MBS" --docs "$NDOCS"
  "$PY" "$HERE/gen_lexicon.py" --out "$WORK"
  rm -rf "$WORK"/cache-*
  echo "$stamp" > "$WORK/inputs.stamp"
fi

# The raw vectorscan baseline.
if [ ! -x "$WORK/hs_raw" ] || [ "$HERE/hs_raw.c" -nt "$WORK/hs_raw" ]; then
  # shellcheck disable=SC2046
  cc -O2 -std=c11 -Wall -Wextra -o "$WORK/hs_raw" "$HERE/hs_raw.c" $(pkg-config --cflags --libs libhs)
fi

# mint-filter, pinned by bench/node/package-lock.json.
if [ ! -d "$HERE/node/node_modules/mint-filter" ]; then
  (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

export PUBGUARD="${PUBGUARD:-$ROOT/build/pubguard}"
exec "$PY" "$HERE/bench.py"
