/**
 * Builds larger flow exports by repeating the data rows of real ones (Zeek conn.log in TSV and
 * JSON, CICFlowMeter CSV, Argus binetflow, nfdump CSV) between their original header and
 * trailer, for the flow-export parse-speed figures.
 *
 * Holds: `splitExport` (header / body / trailer lines of one export, by its format) and
 * `writeReplicatedExport` (writes the header once, the body until a row target, the trailer).
 * Does not hold: anything that parses the rows; rows are copied verbatim, so the parse speed
 * measured is the speed on real rows. nfdump's `Summary` trailer is dropped: its totals would
 * no longer agree with the repeated rows.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs"

export type ExportFormat = "zeek-tsv" | "zeek-json" | "csv" | "nfdump-csv"

export interface ExportParts {
  readonly header: ReadonlyArray<string>
  readonly body: ReadonlyArray<string>
  readonly trailer: ReadonlyArray<string>
}

export const splitExport = (text: string, format: ExportFormat): ExportParts => {
  const lines = text.split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  switch (format) {
    case "zeek-json":
      return { header: [], body: lines, trailer: [] }
    case "csv":
      return { header: lines.slice(0, 1), body: lines.slice(1), trailer: [] }
    case "nfdump-csv": {
      const summary = lines.indexOf("Summary")
      return { header: lines.slice(0, 1), body: lines.slice(1, summary < 0 ? lines.length : summary), trailer: [] }
    }
    case "zeek-tsv": {
      let first = 0
      while (first < lines.length && lines[first]!.startsWith("#")) first++
      let last = lines.length
      while (last > first && lines[last - 1]!.startsWith("#")) last--
      return { header: lines.slice(0, first), body: lines.slice(first, last), trailer: lines.slice(last) }
    }
  }
}

export interface ExportReplica {
  readonly path: string
  readonly rows: number
  readonly bytes: number
  /** data rows of the original export */
  readonly sourceRows: number
}

/** Write `parts` to `path` with the body repeated until at least `minRows` rows. */
export const writeReplicatedExport = (path: string, parts: ExportParts, minRows: number): ExportReplica => {
  if (parts.body.length === 0) throw new Error(`${path}: the export has no data rows`)
  const body = Buffer.from(parts.body.join("\n") + "\n")
  const fd = openSync(path, "w")
  let rows = 0
  let bytes = 0
  const put = (chunk: Buffer): void => {
    let off = 0
    while (off < chunk.length) off += writeSync(fd, chunk, off)
    bytes += chunk.length
  }
  try {
    if (parts.header.length > 0) put(Buffer.from(parts.header.join("\n") + "\n"))
    while (rows < minRows) {
      put(body)
      rows += parts.body.length
    }
    if (parts.trailer.length > 0) put(Buffer.from(parts.trailer.join("\n") + "\n"))
  } finally {
    closeSync(fd)
  }
  return { path, rows, bytes, sourceRows: parts.body.length }
}

/** Read an export, split it and write a replica of at least `minRows` rows. */
export const replicateExport = (source: string, format: ExportFormat, target: string, minRows: number): ExportReplica =>
  writeReplicatedExport(target, splitExport(readFileSync(source, "utf8"), format), minRows)
