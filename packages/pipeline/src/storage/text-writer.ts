/**
 * CSV and JSONL files of stored columns, byte for byte as DuckDB's `COPY … (FORMAT csv, HEADER
 * true)` (lists as `to_json` text, see `copy-sql.ts`) and `COPY … (FORMAT json)` write them,
 * without DuckDB: the flows export's CSV and JSONL parts, written on the part writer's thread.
 *
 * Holds: `writeTextFile` and `TextFormat`.
 * - CSV: a header line (the names as text cells), then a line per row; a null cell is empty;
 *   a list is its JSON array (`[1,2]`, `[]`, a null item `null`), quoted when it has a comma.
 * - JSONL: a line per row, `{"name":value,…}` in column order; a null cell is `null`; no lines
 *   (an empty file) for no rows.
 * - Every line ends with `\n`; booleans are `true` / `false`; numbers and text as `text-cells.ts`
 *   writes them. A file with no columns is empty.
 * Does not hold: the cell formats (see `text-cells.ts`), joining parts (see `text-parts.ts`).
 * Rows are written 1,024 at a time: each column's cells rendered (cell bytes and cell ends),
 * then laid out row by row into one buffer and written.
 */
import { closeSync, openSync, writeSync } from "node:fs"
import { bitAt, isValid, type ColumnImage, type Piece } from "./parquet-leaves.js"
import { ByteSink } from "./parquet-bytes.js"
import {
  CSV_TEXT_ROOM,
  JSON_TEXT_ROOM,
  NUMBER_BYTES,
  putAscii,
  putCsvDouble,
  putCsvText,
  putInteger,
  putJsonDouble,
  putJsonText
} from "./text-cells.js"

export type TextFormat = "csv" | "jsonl"

const COMMA = 0x2c
const QUOTE = 0x22
const TWO_32 = 2 ** 32

/** One column's cells: cell `row` is `sink` bytes [row === 0 ? 0 : ends[row - 1], ends[row]). */
class Cells {
  readonly sink = new ByteSink(1 << 12)
  ends = new Int32Array(1024)

  clear(rows: number): void {
    this.sink.length = 0
    if (this.ends.length < rows) this.ends = new Int32Array(Math.max(rows, this.ends.length * 2))
  }
}

/** The int64 at `index` of `words` (two per value) as a number when exact, else undefined. */
const int64At = (words: Int32Array, index: number): number | undefined => {
  const value = words[index * 2 + 1]! * TWO_32 + (words[index * 2]! >>> 0)
  return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : undefined
}

/** A null cell: nothing in CSV, `null` in JSON. */
const putNull = (out: Uint8Array, at: number, json: boolean): number => (json ? putAscii(out, at, "null") : at)

/**
 * The cells [first, last) of a flat piece appended to `cells`, their ends from `ends[slot]` on.
 * Room for them all is made first: at most NUMBER_BYTES per number or null, 5 per boolean, the
 * format's room per text.
 */
const renderFlat = (cells: Cells, kind: ColumnImage["kind"], json: boolean, piece: Piece, first: number, last: number, slot: number): void => {
  const { sink, ends } = cells
  const count = last - first
  const offsets = piece.valueOffsets
  const textBytes = kind === "utf8" && offsets !== null && offsets !== undefined ? offsets[last]! - offsets[first]! : 0
  const textRoom = json ? JSON_TEXT_ROOM(textBytes) + 4 * count : CSV_TEXT_ROOM(textBytes) + 2 * count
  const out = sink.room(kind === "utf8" ? textRoom : NUMBER_BYTES * count)
  let at = sink.length
  const nulls = piece.nullCount > 0
  const valid = (index: number): boolean => !nulls || isValid(piece, index)
  switch (kind) {
    case "int32": {
      const values = piece.values as Int32Array
      for (let index = first; index < last; index++) {
        at = valid(index) ? putInteger(out, at, values[index]!) : putNull(out, at, json)
        ends[slot++] = at
      }
      break
    }
    case "int64": {
      const values = piece.values as BigInt64Array
      const words = new Int32Array(values.buffer, values.byteOffset, last * 2)
      for (let index = first; index < last; index++) {
        if (valid(index)) {
          const exact = int64At(words, index)
          at = exact === undefined ? putAscii(out, at, String(values[index]!)) : putInteger(out, at, exact)
        } else at = putNull(out, at, json)
        ends[slot++] = at
      }
      break
    }
    case "float64": {
      const values = piece.values as Float64Array
      for (let index = first; index < last; index++) {
        if (!valid(index)) at = putNull(out, at, json)
        else at = json ? putJsonDouble(out, at, values[index]!) : putCsvDouble(out, at, values[index]!)
        ends[slot++] = at
      }
      break
    }
    case "bool": {
      const bits = piece.values as Uint8Array
      for (let index = first; index < last; index++) {
        at = valid(index) ? putAscii(out, at, bitAt(bits, piece.offset + index) === 1 ? "true" : "false") : putNull(out, at, json)
        ends[slot++] = at
      }
      break
    }
    case "utf8": {
      const bytes = piece.values as Uint8Array
      const starts = offsets as Int32Array
      for (let index = first; index < last; index++) {
        if (!valid(index)) at = putNull(out, at, json)
        else at = json ? putJsonText(out, at, bytes, starts[index]!, starts[index + 1]!) : putCsvText(out, at, bytes, starts[index]!, starts[index + 1]!)
        ends[slot++] = at
      }
      break
    }
    case "list_int32":
    case "list_float64":
      break
  }
  sink.length = at
}

/** One list cell of `piece` at `index` as a JSON array (`null` for a null list in JSON); in CSV, quoted when it has a comma. */
const putList = (sink: ByteSink, doubles: boolean, json: boolean, piece: Piece, index: number): void => {
  if (!isValid(piece, index)) {
    sink.length = putNull(sink.room(4), sink.length, json)
    return
  }
  const offsets = piece.valueOffsets as Int32Array
  const child = piece.children[0]!
  const from = offsets[index]!
  const to = offsets[index + 1]!
  const quoted = !json && to - from > 1
  const out = sink.room((to - from) * (NUMBER_BYTES + 1) + 4)
  let at = sink.length
  if (quoted) out[at++] = QUOTE
  out[at++] = 0x5b
  for (let item = from; item < to; item++) {
    if (item > from) out[at++] = COMMA
    if (!isValid(child, item)) at = putAscii(out, at, "null")
    else if (doubles) at = putJsonDouble(out, at, (child.values as Float64Array)[item]!)
    else at = putInteger(out, at, (child.values as Int32Array)[item]!)
  }
  out[at++] = 0x5d
  if (quoted) out[at++] = QUOTE
  sink.length = at
}

/** The cells of rows [from, to) of `column` rendered into `cells` (cell 0 is row `from`). */
const render = (cells: Cells, column: ColumnImage, json: boolean, from: number, to: number): void => {
  cells.clear(to - from)
  const { sink, ends } = cells
  const list = column.kind === "list_int32" || column.kind === "list_float64"
  let base = 0
  let slot = 0
  for (const piece of column.pieces ?? []) {
    if (base >= to) break
    const first = Math.max(from - base, 0)
    const last = Math.min(to - base, piece.length)
    base += piece.length
    if (first >= last) continue
    if (!list) {
      renderFlat(cells, column.kind, json, piece, first, last, slot)
      slot += last - first
      continue
    }
    for (let index = first; index < last; index++) {
      putList(sink, column.kind === "list_float64", json, piece, index)
      ends[slot++] = sink.length
    }
  }
  // an all-null column (no pieces), or pieces shorter than the rows: null cells
  for (; slot < to - from; slot++) {
    sink.length = putNull(sink.room(4), sink.length, json)
    ends[slot] = sink.length
  }
}

/** Scratch kept from part to part: one `Cells` per column position, and the lines. */
const scratch: Array<Cells> = []
let lines = new Uint8Array(0)

/** Rows written at a time: the scratch holds this many rows' text. */
const BLOCK_ROWS = 1024

/** What goes around the cells of a line: `before[k]` ahead of column k's cell, `end` after the last. */
interface LineShape {
  readonly before: ReadonlyArray<Uint8Array>
  readonly end: Uint8Array
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0))

/** A name's UTF-8 bytes written by `put` (a text cell's format). */
const nameCell = (name: string, put: typeof putCsvText): Uint8Array => {
  const bytes = new TextEncoder().encode(name)
  const out = new Uint8Array(JSON_TEXT_ROOM(bytes.length))
  return out.slice(0, put(out, 0, bytes, 0, bytes.length))
}

const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** CSV: cells between commas; JSONL: `{"a":` before the first, `,"b":` before the others, `}` at the end. */
const lineShape = (columns: ReadonlyArray<ColumnImage>, json: boolean): LineShape =>
  json
    ? {
        before: columns.map((column, index) => concatBytes(ascii(index === 0 ? "{" : ","), nameCell(column.name, putJsonText), ascii(":"))),
        end: ascii("}\n")
      }
    : { before: columns.map((_, index) => ascii(index === 0 ? "" : ",")), end: ascii("\n") }

/** Rows [from, to) laid out as lines in `lines` (from the scratch's cells); their length. */
const layOut = (shape: LineShape, rows: number): number => {
  const columns = shape.before.length
  const used = scratch.slice(0, columns)
  const sources = used.map((cells) => cells.sink.bytes())
  const ends = used.map((cells) => cells.ends)
  const perLine = shape.before.reduce((sum, bytes) => sum + bytes.length, shape.end.length)
  const size = sources.reduce((sum, bytes) => sum + bytes.length, 0) + rows * perLine
  if (lines.length < size) lines = new Uint8Array(Math.max(size, lines.length * 2))
  const out = lines
  let at = 0
  for (let row = 0; row < rows; row++) {
    for (let index = 0; index < columns; index++) {
      const before = shape.before[index]!
      // a JSON key (often 10-25 bytes) is copied as a block, a comma byte by byte
      if (before.length > 8) {
        out.set(before, at)
        at += before.length
      } else for (let i = 0; i < before.length; i++) out[at++] = before[i]!
      const cellEnds = ends[index]!
      const source = sources[index]!
      const end = cellEnds[row]!
      for (let i = row === 0 ? 0 : cellEnds[row - 1]!; i < end; i++) out[at++] = source[i]!
    }
    for (let i = 0; i < shape.end.length; i++) out[at++] = shape.end[i]!
  }
  return at
}

/**
 * Write `columns` (each `rows` long) to `path` as `format` (see the module header), or append
 * them to what is there (`append`: a CSV gets no header line). Throws what the file system throws.
 */
export const writeTextFile = (path: string, format: TextFormat, columns: ReadonlyArray<ColumnImage>, rows: number, append = false): void => {
  const json = format === "jsonl"
  while (scratch.length < columns.length) scratch.push(new Cells())
  const fd = openSync(path, append ? "a" : "w")
  try {
    const write = (bytes: Uint8Array): void => {
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written)
    }
    if (columns.length === 0) return
    const shape = lineShape(columns, json)
    // the CSV header: the names as text cells, laid out as a line
    if (!json && !append) write(concatBytes(...columns.map((column, index) => concatBytes(shape.before[index]!, nameCell(column.name, putCsvText))), shape.end))
    for (let from = 0; from < rows; from += BLOCK_ROWS) {
      const to = Math.min(rows, from + BLOCK_ROWS)
      columns.forEach((column, index) => render(scratch[index]!, column, json, from, to))
      const length = layOut(shape, to - from)
      write(lines.subarray(0, length))
    }
  } finally {
    closeSync(fd)
  }
}
