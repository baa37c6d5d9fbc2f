/**
 * One stored column's cells as Parquet sees them: definition and repetition levels, and the
 * present leaf values gathered into one flat typed array (strings: their UTF-8 bytes and
 * offsets), straight from the Arrow buffers.
 *
 * Holds: `gatherLeaves` and `Leaves`, the scratch it fills (reused from column to column).
 * Levels, for the schema `parquet-writer.ts` writes (every column OPTIONAL; a list is an
 * OPTIONAL group, a REPEATED `list` group and an OPTIONAL `element`):
 * - a flat column: definition 1 for a value, 0 for a null;
 * - a list: (repetition 0, definition 0) for a null list, (0, 1) for an empty one, and per
 *   item (0 for the first of its row, else 1; 3 for a value, 2 for a null item).
 * Holds also `Piece` and `ColumnImage`, the shapes it reads (an Arrow Data is a Piece), and
 * `isValid` / `bitAt`, how a piece's bitmaps are read (the text writer and the DuckDB appender
 * read them so too).
 * Does not hold: encodings, dictionaries or pages (see `parquet-chunks.ts`).
 */
import type { ColumnType } from "@hashhound/core"
import { ByteSink } from "./parquet-bytes.js"

/**
 * One piece of a column as Arrow lays it out: what this module reads of an Arrow `Data`, so
 * that a Data itself, or a copy of its buffers sent to another thread, can be given. Values
 * and value offsets start at the piece's first row; bitmaps (validity, bool values) are read
 * from bit `offset`.
 */
export interface Piece {
  readonly length: number
  readonly offset: number
  readonly nullCount: number
  readonly nullBitmap: Uint8Array | null | undefined
  readonly values: Int32Array | BigInt64Array | Float64Array | Uint8Array | null | undefined
  readonly valueOffsets: Int32Array | null | undefined
  readonly children: ReadonlyArray<Piece>
}

/** A column to write: its name, kind and pieces in row order (null: every cell null). */
export interface ColumnImage {
  readonly name: string
  readonly kind: ColumnType
  readonly pieces: ReadonlyArray<Piece> | null
}

/** A scratch of gathered leaves: read `count` values and `slots` levels after `gatherLeaves`. */
export class Leaves {
  kind: ColumnType = "int32"
  /** level entries (rows, or list items plus null and empty lists) */
  slots = 0
  /** present values */
  count = 0
  definition = new Uint8Array(1024)
  repetition = new Uint8Array(1024)
  /** int32 values; int64 values as (low, high) word pairs */
  words = new Int32Array(2048)
  doubles = new Float64Array(1024)
  /** `doubles` as 32-bit words (two per value) */
  doubleWords = new Int32Array(this.doubles.buffer)
  /** bool values, 0 or 1 */
  flags = new Uint8Array(1024)
  /** utf8: the bytes of every value, value k in [textEnds[k - 1], textEnds[k]) */
  readonly text = new ByteSink(1 << 16)
  textEnds = new Int32Array(1024)

  /** Room for `slots` level entries and values (what was gathered is kept). */
  reserve(slots: number): void {
    if (this.definition.length >= slots) return
    const size = Math.max(slots, this.definition.length * 2)
    const grow = <T extends Uint8Array | Int32Array | Float64Array>(old: T, made: T): T => {
      made.set(old)
      return made
    }
    this.definition = grow(this.definition, new Uint8Array(size))
    this.repetition = grow(this.repetition, new Uint8Array(size))
    this.words = grow(this.words, new Int32Array(size * 2))
    this.doubles = grow(this.doubles, new Float64Array(size))
    this.doubleWords = new Int32Array(this.doubles.buffer)
    this.flags = grow(this.flags, new Uint8Array(size))
    this.textEnds = grow(this.textEnds, new Int32Array(size))
  }
}

/** Bit `bit` of a bitmap (least significant bit first), 0 or 1. */
export const bitAt = (bits: Uint8Array, bit: number): number => (bits[bit >> 3]! >> (bit & 7)) & 1

/**
 * Is row `index` of a piece (or of any Arrow Data) present? No bitmap, or an empty one, means
 * every row is; the bitmap is read from bit `offset`.
 */
export const isValid = (data: { readonly nullBitmap: Uint8Array | null | undefined; readonly offset: number }, index: number): boolean => {
  const bitmap = data.nullBitmap
  return bitmap === null || bitmap === undefined || bitmap.length === 0 || bitAt(bitmap, data.offset + index) === 1
}

/** Values [from, to) of a flat piece (or a list piece's child) appended to the leaves. */
const copyValues = (leaves: Leaves, data: Piece, from: number, to: number): void => {
  const n = leaves.count
  switch (leaves.kind) {
    case "int32":
    case "list_int32":
      leaves.words.set((data.values as Int32Array).subarray(from, to), n)
      break
    case "int64": {
      const values = data.values as BigInt64Array
      leaves.words.set(new Int32Array(values.buffer, values.byteOffset + from * 8, (to - from) * 2), n * 2)
      break
    }
    case "float64":
    case "list_float64":
      leaves.doubles.set((data.values as Float64Array).subarray(from, to), n)
      break
    case "bool": {
      const bits = data.values as Uint8Array
      for (let index = from; index < to; index++) {
        leaves.flags[n + index - from] = bitAt(bits, data.offset + index)
      }
      break
    }
    case "utf8": {
      const offsets = data.valueOffsets as Int32Array
      const base = leaves.text.length - offsets[from]!
      leaves.text.append((data.values as Uint8Array).subarray(offsets[from]!, offsets[to]!))
      for (let index = from; index < to; index++) leaves.textEnds[n + index - from] = base + offsets[index + 1]!
      break
    }
  }
  leaves.count = n + to - from
}

/** A flat piece: one level per row, values copied in runs of present rows. */
const gatherFlat = (leaves: Leaves, data: Piece): void => {
  const rows = data.length
  const definition = leaves.definition
  if (data.nullCount === 0) {
    definition.fill(1, leaves.slots, leaves.slots + rows)
    leaves.slots += rows
    copyValues(leaves, data, 0, rows)
    return
  }
  let runStart = -1
  for (let row = 0; row < rows; row++) {
    if (isValid(data, row)) {
      definition[leaves.slots++] = 1
      if (runStart < 0) runStart = row
    } else {
      definition[leaves.slots++] = 0
      if (runStart >= 0) copyValues(leaves, data, runStart, row)
      runStart = -1
    }
  }
  if (runStart >= 0) copyValues(leaves, data, runStart, rows)
}

/** A list piece: the rows' items (levels first, so that the scratch is grown for them). */
const gatherList = (leaves: Leaves, data: Piece): void => {
  const offsets = data.valueOffsets as Int32Array
  const child = data.children[0]!
  const rows = data.length
  leaves.reserve(leaves.slots + rows + (offsets[rows]! - offsets[0]!))
  const { definition, repetition } = leaves
  const childNulls = child.nullCount > 0
  for (let row = 0; row < rows; row++) {
    const from = offsets[row]!
    const to = offsets[row + 1]!
    if (!isValid(data, row) || from === to) {
      repetition[leaves.slots] = 0
      definition[leaves.slots++] = isValid(data, row) ? 1 : 0
      continue
    }
    if (!childNulls) {
      repetition[leaves.slots] = 0
      repetition.fill(1, leaves.slots + 1, leaves.slots + to - from)
      definition.fill(3, leaves.slots, leaves.slots + to - from)
      leaves.slots += to - from
      copyValues(leaves, child, from, to)
      continue
    }
    for (let item = from; item < to; item++) {
      repetition[leaves.slots] = item === from ? 0 : 1
      if (isValid(child, item)) {
        definition[leaves.slots++] = 3
        copyValues(leaves, child, item, item + 1)
      } else definition[leaves.slots++] = 2
    }
  }
}

/** Gather `column`'s `rows` cells into `leaves` (an all-null column: `rows` null levels). */
export const gatherLeaves = (leaves: Leaves, column: ColumnImage, rows: number): Leaves => {
  leaves.kind = column.kind
  leaves.slots = 0
  leaves.count = 0
  leaves.text.clear()
  leaves.reserve(rows)
  if (column.pieces === null) {
    leaves.definition.fill(0, 0, rows)
    leaves.repetition.fill(0, 0, rows)
    leaves.slots = rows
    return leaves
  }
  const list = column.kind === "list_int32" || column.kind === "list_float64"
  for (const data of column.pieces) {
    if (list) gatherList(leaves, data)
    else gatherFlat(leaves, data)
  }
  return leaves
}
