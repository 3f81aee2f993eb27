// The evidence viewer's text handling: the raw page is shown as text, split around the line of
// the finding so that line can be marked and scrolled to.

export interface LineSplit {
  before: string
  hit: string
  after: string
  /** the 1-based line marked, 0 when none (line 0, or past the end) */
  line: number
  lines: number
}

/** Splits text at its 1-based line (\n, \r\n or \r end a line). */
export function splitAtLine(text: string, line: number): LineSplit {
  const parts = text.split(/\r\n|\n|\r/)
  const lines = text === '' ? 0 : parts.length
  if (!Number.isInteger(line) || line < 1 || line > lines) {
    return { before: text, hit: '', after: '', line: 0, lines }
  }
  // offsets in the original text, so line endings survive as they were
  let start = 0
  let n = 1
  const re = /\r\n|\n|\r/g
  let m: RegExpExecArray | null
  while (n < line && (m = re.exec(text)) !== null) {
    start = m.index + m[0].length
    n++
  }
  re.lastIndex = start
  m = re.exec(text)
  const end = m ? m.index : text.length
  return { before: text.slice(0, start), hit: text.slice(start, end), after: text.slice(end), line, lines }
}

/** Human-readable byte size: "532 B", "12.3 KB", "4.1 MB". */
export function formatSize(n: number | null | undefined): string {
  if (n === null || n === undefined || n < 0) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
