/**
 * One CSV line into cells (RFC 4180 quoting: `"a,b"`, `""` for a quote), for small rule files.
 *
 * Holds: `splitCsvLine`. Does not hold: multi-line quoted cells (rule files have none; a line
 * with an unclosed quote is reported as malformed by the caller).
 */

/** Cells of one line, trimmed; undefined when a quote is left open. */
export const splitCsvLine = (line: string): Array<string> | undefined => {
  const cells: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true
      cell = ""
    } else if (ch === ",") {
      cells.push(cell.trim())
      cell = ""
    } else cell += ch
  }
  if (quoted) return undefined
  cells.push(cell.trim())
  return cells
}
