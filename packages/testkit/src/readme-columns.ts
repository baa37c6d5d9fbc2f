/**
 * Does an adapter's README map every column its real exports carry? The README of a source plugin
 * has a `## Output columns` section naming, in backticks, each source column with the canonical
 * column it becomes or why it is dropped; these helpers read that section and real headers so a
 * test can list the header columns the README does not name.
 *
 * Holds: `readmeOutputNames` (the backticked names of the section), `csvHeaderNames` (the first
 * line of a CSV export, split and trimmed) and `unnamedColumns` (header columns the README does
 * not name, in first-seen order, each once).
 * Does not hold: headers of other shapes (Zeek's `#fields`, JSON keys: the caller reads those),
 * or checking that the README says something true about a column.
 */
import { readFileSync } from "node:fs"

const SECTION = "## Output columns"

/** The backticked names in the README's `## Output columns` section (empty when it has none). */
export const readmeOutputNames = (readmePath: string): ReadonlySet<string> => {
  const readme = readFileSync(readmePath, "utf8")
  const start = readme.indexOf(SECTION)
  if (start < 0) return new Set()
  const end = readme.indexOf("\n## ", start + SECTION.length)
  const section = readme.slice(start, end < 0 ? undefined : end)
  return new Set([...section.matchAll(/`([^`]+)`/g)].map((match) => match[1]!))
}

/** The column names of a CSV export's header line (`separator` between them), trimmed. */
export const csvHeaderNames = (path: string, separator = ","): ReadonlyArray<string> =>
  (readFileSync(path, "utf8").split("\n", 1)[0] ?? "").split(separator).map((name) => name.trim())

/** The `columns` the README's Output columns section does not name, each once, in order. */
export const unnamedColumns = (readmePath: string, columns: Iterable<string>): ReadonlyArray<string> => {
  const named = readmeOutputNames(readmePath)
  return [...new Set(columns)].filter((name) => !named.has(name))
}
