/**
 * CSV text of stored columns, byte for byte as DuckDB's `COPY … (FORMAT csv, HEADER true)`
 * writes them with lists as `to_json` text (see `copy-sql.ts`), without DuckDB: the flows
 * export's CSV parts, written on the part writer's thread.
 *
 * Holds: `writeCsvFile` (a header line and `rows` lines, `\n` after each) and the cell formats:
 * - a null cell is empty; a text cell is quoted (`"`, inner quotes doubled) when it is empty
 *   or holds `,` `"` `\n` `\r` or `#` (DuckDB's comment character); header names likewise;
 * - integers in decimal; booleans `true` / `false`;
 * - doubles as DuckDB casts them to text: the shortest digits that read back as the same
 *   double, in fixed notation with at least one decimal (`1.0`, `0.0001`) when the decimal
 *   exponent is in [-4, 16), else in scientific with a signed exponent of at least two digits
 *   (`1e-05`, `1.2345678901234568e+16`); `nan`, `inf`, `-inf`;
 * - lists as JSON arrays (`[1,2]`, `[]`; a null item is `null`), their doubles as DuckDB's
 *   JSON writer gives them: JavaScript's shortest text, `.0` after a whole number below 1e21
 *   and `e300` for `e+300` (`NaN`, `Infinity` as they are); quoted when they hold a comma.
 * Does not hold: joining parts (see `csv-parts.ts`) or the other formats.
 * Rows are written 1,024 at a time: each column's cells rendered (cell bytes and cell ends),
 * then laid out row by row into one buffer and written.
 */
import { closeSync, openSync, writeSync } from "node:fs"
import type { ColumnImage, Piece } from "./parquet-leaves.js"
import { ByteSink } from "./parquet-bytes.js"

const COMMA = 0x2c
const QUOTE = 0x22
const NEWLINE = 0x0a
const RETURN = 0x0d
/** DuckDB's CSV writer also quotes text with its default comment character in it */
const HASH = 0x23
const TWO_32 = 2 ** 32
/** the longest text a double or an int64 takes: "-2.2250738585072014e-308" */
const NUMBER_BYTES = 32

/** One column's cells: cell `row` is `sink` bytes [row === 0 ? 0 : ends[row - 1], ends[row]). */
class Cells {
  readonly sink = new ByteSink(1 << 12)
  ends = new Int32Array(1024)

  clear(rows: number): void {
    this.sink.length = 0
    if (this.ends.length < rows) this.ends = new Int32Array(Math.max(rows, this.ends.length * 2))
  }
}

const isValid = (piece: Piece, index: number): boolean => {
  const bitmap = piece.nullBitmap
  if (bitmap === null || bitmap === undefined || bitmap.length === 0) return true
  const bit = piece.offset + index
  return ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 1
}

/** Decimal digits in a positive int32 at least 10. */
const digitCount = (v: number): number =>
  v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10

/** The decimal digits of an integer of at most 2^53 in magnitude written at `at`; the end. */
const putInteger = (out: Uint8Array, at: number, value: number): number => {
  if (value < 0 || (value === 0 && 1 / value < 0)) {
    out[at++] = 0x2d
    value = -value
  }
  if (value < 10) {
    out[at] = 0x30 + value
    return at + 1
  }
  if (value <= 0x7fffffff) {
    let rest = value | 0
    const end = at + digitCount(rest)
    for (let i = end - 1; rest > 0; i--) {
      const next = (rest / 10) | 0
      out[i] = 0x30 + rest - next * 10
      rest = next
    }
    return end
  }
  let digits = 0
  for (let rest = value; rest >= 1; rest = Math.floor(rest / 10)) digits++
  const end = at + digits
  for (let i = end - 1, rest = value; i >= at; i--, rest = Math.floor(rest / 10)) out[i] = 0x30 + (rest % 10)
  return end
}

/** ASCII text written at `at`; the end. */
const putAscii = (out: Uint8Array, at: number, text: string): number => {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i)
  return at
}

/** `x.toExponential()` (shortest digits) with the exponent's sign kept and at least two digits. */
const putScientific = (out: Uint8Array, at: number, x: number): number => {
  const text = x.toExponential()
  const e = text.indexOf("e")
  at = putAscii(out, at, text.slice(0, e + 2))
  if (text.length - (e + 2) === 1) out[at++] = 0x30
  return putAscii(out, at, text.slice(e + 2))
}

/**
 * A whole double below 1e21 in fixed notation with `.0`: its shortest digits, zero-padded (past
 * 2^53 those are not always its exact digits: -1656150691306394880 is `-1656150691306395000.0`).
 */
const putWhole = (out: Uint8Array, at: number, x: number): number => {
  at = Math.abs(x) <= Number.MAX_SAFE_INTEGER ? putInteger(out, at, x) : putAscii(out, at, String(x))
  out[at] = 0x2e
  out[at + 1] = 0x30
  return at + 2
}

/** A double as DuckDB casts it to text (see the module header). */
export const putCsvDouble = (out: Uint8Array, at: number, x: number): number => {
  if (x !== x) return putAscii(out, at, "nan")
  if (x === Infinity) return putAscii(out, at, "inf")
  if (x === -Infinity) return putAscii(out, at, "-inf")
  const magnitude = Math.abs(x)
  if (magnitude >= 1e16 || (magnitude < 1e-4 && magnitude !== 0)) return putScientific(out, at, x)
  if (Number.isInteger(x)) return putWhole(out, at, x)
  return putAscii(out, at, String(x))
}

/** A double as DuckDB's JSON writer gives it (see the module header). */
export const putJsonDouble = (out: Uint8Array, at: number, x: number): number => {
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return putWhole(out, at, x)
  const text = String(x)
  const plus = text.indexOf("e+")
  return plus < 0 ? putAscii(out, at, text) : putAscii(out, putAscii(out, at, text.slice(0, plus + 1)), text.slice(plus + 2))
}

/**
 * UTF-8 bytes as one CSV cell written at `at` (room for twice their length and 2 is the
 * caller's): as they are, or quoted when DuckDB quotes them; the end.
 */
const putText = (out: Uint8Array, at: number, bytes: Uint8Array, from: number, to: number): number => {
  let quote = from === to
  for (let i = from; i < to && !quote; i++) {
    const b = bytes[i]!
    quote = b === COMMA || b === QUOTE || b === NEWLINE || b === RETURN || b === HASH
  }
  if (!quote) {
    for (let i = from; i < to; i++) out[at++] = bytes[i]!
    return at
  }
  out[at++] = QUOTE
  for (let i = from; i < to; i++) {
    const b = bytes[i]!
    out[at++] = b
    if (b === QUOTE) out[at++] = QUOTE
  }
  out[at++] = QUOTE
  return at
}

/** The int64 at `index` of `words` (two per value) as a number when exact, else undefined. */
const int64At = (words: Int32Array, index: number): number | undefined => {
  const value = words[index * 2 + 1]! * TWO_32 + (words[index * 2]! >>> 0)
  return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : undefined
}

/**
 * The cells [first, last) of a flat piece appended to `cells`, their ends from `ends[slot]` on
 * (a null cell empty). Room for them all is made first: at most NUMBER_BYTES per number, 5 per
 * boolean, twice its bytes and 2 per text (every byte a quote, doubled).
 */
const renderFlat = (cells: Cells, kind: ColumnImage["kind"], piece: Piece, first: number, last: number, slot: number): void => {
  const { sink, ends } = cells
  const count = last - first
  const offsets = piece.valueOffsets
  const textBytes = kind === "utf8" && offsets !== null && offsets !== undefined ? offsets[last]! - offsets[first]! : 0
  const out = sink.room(kind === "utf8" ? 2 * textBytes + 2 * count : kind === "bool" ? 5 * count : NUMBER_BYTES * count)
  let at = sink.length
  const bitmap = piece.nullCount > 0 ? piece.nullBitmap : undefined
  const valid = (index: number): boolean => {
    if (bitmap === null || bitmap === undefined || bitmap.length === 0) return true
    const bit = piece.offset + index
    return ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 1
  }
  switch (kind) {
    case "int32": {
      const values = piece.values as Int32Array
      for (let index = first; index < last; index++) {
        if (valid(index)) at = putInteger(out, at, values[index]!)
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
        }
        ends[slot++] = at
      }
      break
    }
    case "float64": {
      const values = piece.values as Float64Array
      for (let index = first; index < last; index++) {
        if (valid(index)) at = putCsvDouble(out, at, values[index]!)
        ends[slot++] = at
      }
      break
    }
    case "bool": {
      const bits = piece.values as Uint8Array
      for (let index = first; index < last; index++) {
        if (valid(index)) {
          const bit = piece.offset + index
          at = putAscii(out, at, ((bits[bit >> 3]! >> (bit & 7)) & 1) === 1 ? "true" : "false")
        }
        ends[slot++] = at
      }
      break
    }
    case "utf8": {
      const bytes = piece.values as Uint8Array
      const starts = offsets as Int32Array
      for (let index = first; index < last; index++) {
        if (valid(index)) at = putText(out, at, bytes, starts[index]!, starts[index + 1]!)
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

/** One present list cell of `piece` at `index` as JSON array text, quoted when it has a comma. */
const putList = (sink: ByteSink, doubles: boolean, piece: Piece, index: number): void => {
  const offsets = piece.valueOffsets as Int32Array
  const child = piece.children[0]!
  const from = offsets[index]!
  const to = offsets[index + 1]!
  const quoted = to - from > 1
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
const render = (cells: Cells, column: ColumnImage, from: number, to: number): void => {
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
      renderFlat(cells, column.kind, piece, first, last, slot)
      slot += last - first
      continue
    }
    for (let index = first; index < last; index++) {
      if (isValid(piece, index)) putList(sink, column.kind === "list_float64", piece, index)
      ends[slot++] = sink.length
    }
  }
  // an all-null column (no pieces), or pieces shorter than the rows: empty cells
  for (; slot < to - from; slot++) ends[slot] = sink.length
}

/** Scratch kept from part to part: one `Cells` per column position, and the lines. */
const scratch: Array<Cells> = []
let lines = new Uint8Array(0)

/** The header line: the column names as text cells. */
const header = (columns: ReadonlyArray<ColumnImage>): Uint8Array => {
  const names = columns.map((column) => new TextEncoder().encode(column.name))
  const out = new Uint8Array(names.reduce((sum, name) => sum + 2 * name.length + 3, 1))
  let at = 0
  names.forEach((name, index) => {
    if (index > 0) out[at++] = COMMA
    at = putText(out, at, name, 0, name.length)
  })
  out[at++] = NEWLINE
  return out.subarray(0, at)
}

/** Rows rendered and written at a time: the scratch holds this many rows' text. */
const BLOCK_ROWS = 1024

/** Rows [from, to) as lines (every cell, a comma or newline after each) in `lines`; their length. */
const layOut = (columns: number, from: number, to: number): number => {
  const used = scratch.slice(0, columns)
  const sources = used.map((cells) => cells.sink.bytes())
  const ends = used.map((cells) => cells.ends)
  const size = sources.reduce((sum, bytes) => sum + bytes.length, 0) + (to - from) * columns
  if (lines.length < size) lines = new Uint8Array(Math.max(size, lines.length * 2))
  const out = lines
  let at = 0
  for (let row = 0; row < to - from; row++) {
    for (let index = 0; index < columns; index++) {
      const cellEnds = ends[index]!
      const source = sources[index]!
      const end = cellEnds[row]!
      for (let i = row === 0 ? 0 : cellEnds[row - 1]!; i < end; i++) out[at++] = source[i]!
      out[at++] = COMMA
    }
    out[at - 1] = NEWLINE
  }
  return at
}

/**
 * Write `columns` (each `rows` long) to `path` as CSV with a header line; a file with no
 * columns is empty. Throws what the file system throws.
 */
export const writeCsvFile = (path: string, columns: ReadonlyArray<ColumnImage>, rows: number): void => {
  while (scratch.length < columns.length) scratch.push(new Cells())
  const fd = openSync(path, "w")
  try {
    const write = (bytes: Uint8Array): void => {
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written)
    }
    if (columns.length === 0) return
    write(header(columns))
    for (let from = 0; from < rows; from += BLOCK_ROWS) {
      const to = Math.min(rows, from + BLOCK_ROWS)
      columns.forEach((column, index) => render(scratch[index]!, column, from, to))
      const length = layOut(columns.length, from, to)
      write(lines.subarray(0, length))
    }
  } finally {
    closeSync(fd)
  }
}
