// mint-filter (npm, Aho-Corasick, pinned in package.json) over the benchmark corpus: the npm
// sensitive-word filter a user would otherwise pick.
//
//   node scan.js LEXICON INPUT [--max-bytes N]
//
// LEXICON: one phrase per line, the optional ",category" column is ignored. INPUT: a file or a
// directory whose *.txt files are each a document. The filter is called once per document
// (a file INPUT is split into its documents at blank lines, as the corpus writes them:
// mint-filter keeps per-character arrays, one 100 MB string would not be its use).
// With --max-bytes only a prefix of a file INPUT is scanned. Input is read and split before the
// clock starts; only filter() is timed for MB/s, the constructor (trie + failure links)
// separately. Every reported word is counted. Prints one JSON line:
//   {"tool":"mint-filter","phrases":N,"build_ms":X,"files":F,"docs":D,"bytes":B,"scan_ms":Y,
//    "matches":M}
'use strict';
const fs = require('fs');
const path = require('path');
const { Mint } = require('mint-filter');

function main() {
  const args = process.argv.slice(2);
  let maxBytes = 0;
  const mi = args.indexOf('--max-bytes');
  if (mi >= 0) {
    maxBytes = Number(args[mi + 1]);
    args.splice(mi, 2);
  }
  if (args.length !== 2) {
    console.error('usage: node scan.js LEXICON INPUT [--max-bytes N]');
    process.exit(2);
  }
  const [lex, inp] = args;
  const phrases = fs.readFileSync(lex, 'utf8').split('\n')
    .map((l) => l.replace(/\r$/, '').split(',')[0]).filter((p) => p.length > 0);
  let docs = [];
  let files = 1;
  if (fs.statSync(inp).isDirectory()) {
    const names = fs.readdirSync(inp).filter((n) => n.endsWith('.txt')).sort();
    files = names.length;
    docs = names.map((n) => fs.readFileSync(path.join(inp, n), 'utf8'));
  } else {
    let buf = fs.readFileSync(inp);
    if (maxBytes && buf.length > maxBytes) buf = buf.subarray(0, maxBytes);
    // A cut prefix may end mid-character: drop the partial character.
    let text = buf.toString('utf8');
    if (text.endsWith('\uFFFD')) text = text.slice(0, -1);
    docs = text.split(/(?<=\n\n)/); // keep the separators: every byte is scanned
  }
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d, 'utf8'), 0);

  let t0 = process.hrtime.bigint();
  const mint = new Mint(phrases);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;

  let matches = 0;
  t0 = process.hrtime.bigint();
  for (const d of docs) matches += mint.filter(d, { replace: false }).words.length;
  const scanMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({
    tool: 'mint-filter', phrases: phrases.length, build_ms: Math.round(buildMs * 10) / 10,
    files, docs: docs.length, bytes, scan_ms: Math.round(scanMs * 10) / 10, matches,
  }));
}

main();
