/**
 * Arrow vectors built straight from JS values and typed arrays, without Arrow's builders.
 *
 * Holds: `utf8Vector` (strings into one UTF-8 buffer and an offsets array), `boolVector`,
 * `listVector` (number lists into one flat child array), `numericVector` (int32, int64,
 * float64 from a Float64Array plus a validity byte per row), and `utf8VectorOfParts` /
 * `listVectorOfParts`, which wrap offsets and bytes or items a writer already laid out flat
 * (no copy). Each makes a single Data per
 * column with exact-size buffers; a batch of 64k flows takes a few allocations per column, not
 * one per cell. Arrow's `vectorFromArray` goes through a builder with a call, a TextEncoder
 * allocation and a bounds check per cell, which made it the slowest step between the flow
 * meter and Parquet.
 * Does not hold: the catalogue (`columns.ts`) or the batch builder (`flow-batch.ts`).
 */
import { Bool, Field, Float64, Int32, Int64, List, makeData, makeVector, Utf8, type Vector } from "apache-arrow"
import { columnBuffers } from "./column-buffers.js"

/** Validity bitmap (bit set = present) from a per-row predicate result; `undefined` when nothing is null. */
const bitmapOf = (length: number, present: (row: number) => boolean): { bitmap: Uint8Array | undefined; nullCount: number } => {
  const bitmap = columnBuffers.uint8((length + 7) >> 3)
  let nullCount = 0
  for (let row = 0; row < length; row++) {
    if (present(row)) bitmap[row >> 3]! |= 1 << (row & 7)
    else nullCount++
  }
  if (nullCount > 0) return { bitmap, nullCount }
  columnBuffers.giveBack(bitmap.buffer)
  return { bitmap: undefined, nullCount }
}

/**
 * Validity bitmap of the first `length` bytes of `valid` (1 = present); `undefined` when nothing
 * is null, which is found by one pass over the bytes before any bitmap is made.
 */
const bitmapOfBytes = (valid: Uint8Array, length: number): { bitmap: Uint8Array | undefined; nullCount: number } => {
  let nullCount = 0
  for (let row = 0; row < length; row++) if (valid[row] !== 1) nullCount++
  if (nullCount === 0) return { bitmap: undefined, nullCount }
  const bitmap = columnBuffers.uint8((length + 7) >> 3)
  for (let row = 0; row < length; row++) if (valid[row] === 1) bitmap[row >> 3]! |= 1 << (row & 7)
  return { bitmap, nullCount }
}

/** A utf8 vector of the first `length` values (null, undefined and non-strings are null). */
export const utf8Vector = (values: ReadonlyArray<unknown>, length: number = values.length): Vector<Utf8> => {
  let upper = 0
  for (let row = 0; row < length; row++) {
    const value = values[row]
    if (typeof value === "string") upper += value.length
  }
  // a UTF-16 code unit takes at most 3 UTF-8 bytes; ASCII strings are copied byte by byte
  const bytes = Buffer.allocUnsafe(Math.max(1, upper * 3))
  const offsets = columnBuffers.int32(length + 1)
  let at = 0
  for (let row = 0; row < length; row++) {
    const value = values[row]
    if (typeof value === "string") {
      const size = value.length
      let ascii = true
      for (let i = 0; i < size; i++) {
        const code = value.charCodeAt(i)
        if (code > 0x7f) {
          ascii = false
          break
        }
        bytes[at + i] = code
      }
      at += ascii ? size : bytes.write(value, at, "utf8")
    }
    offsets[row + 1] = at
  }
  const { bitmap, nullCount } = bitmapOf(length, (row) => typeof values[row] === "string")
  const data = columnBuffers.uint8(at)
  data.set(bytes.subarray(0, at))
  return makeVector(makeData({ type: new Utf8(), length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data }))
}

/**
 * A utf8 vector over UTF-8 `bytes` laid out by `offsets` (row r is bytes[offsets[r]..offsets[r+1]),
 * `length + 1` offsets), null where `valid[row]` is 0 (no `valid`: nothing is null). The arrays
 * become the vector's buffers: the caller must not write them afterwards.
 */
export const utf8VectorOfParts = (offsets: Int32Array, bytes: Uint8Array, valid: Uint8Array | undefined, length: number): Vector<Utf8> => {
  const { bitmap, nullCount } = valid === undefined ? { bitmap: undefined, nullCount: 0 } : bitmapOfBytes(valid, length)
  return makeVector(
    makeData({ type: new Utf8(), length, nullCount, nullBitmap: bitmap, valueOffsets: offsets.subarray(0, length + 1), data: bytes.subarray(0, offsets[length]!) })
  )
}

/** A bool vector of the first `length` values (anything but a boolean is null). */
export const boolVector = (values: ReadonlyArray<unknown>, length: number = values.length): Vector<Bool> => {
  const data = columnBuffers.uint8((length + 7) >> 3)
  for (let row = 0; row < length; row++) if (values[row] === true) data[row >> 3]! |= 1 << (row & 7)
  const { bitmap, nullCount } = bitmapOf(length, (row) => typeof values[row] === "boolean")
  return makeVector(makeData({ type: new Bool(), length, nullCount, nullBitmap: bitmap, data }))
}

/** A list<int32> or list<float64> vector of the first `length` values (anything but an array-like is null). */
export const listVector = (
  values: ReadonlyArray<unknown>,
  itemType: "int32" | "float64",
  length: number = values.length
): Vector<List> => {
  const isList = (value: unknown): value is ArrayLike<number> =>
    value !== null && typeof value === "object" && typeof (value as { length?: unknown }).length === "number"
  const offsets = columnBuffers.int32(length + 1)
  let total = 0
  for (let row = 0; row < length; row++) {
    const value = values[row]
    if (isList(value)) total += value.length
    offsets[row + 1] = total
  }
  const items = itemType === "int32" ? columnBuffers.int32(total) : columnBuffers.float64(total)
  for (let row = 0; row < length; row++) {
    const value = values[row]
    if (!isList(value)) continue
    const from = offsets[row]!
    for (let i = 0; i < value.length; i++) items[from + i] = value[i]!
  }
  return listVectorOfParts(offsets, items, bitmapOf(length, (row) => isList(values[row])), length)
}

/**
 * A list vector over flat `items` laid out by `offsets` (row r's items are
 * items[offsets[r]..offsets[r+1]), `length + 1` offsets), null where `valid[row]` is 0 (no
 * `valid`: nothing is null). The arrays become the vector's buffers: the caller must not write
 * them afterwards.
 */
export const listVectorOfParts = (
  offsets: Int32Array,
  items: Int32Array | Float64Array,
  valid: Uint8Array | { readonly bitmap: Uint8Array | undefined; readonly nullCount: number } | undefined,
  length: number
): Vector<List> => {
  const { bitmap, nullCount } =
    valid === undefined ? { bitmap: undefined, nullCount: 0 } : valid instanceof Uint8Array ? bitmapOfBytes(valid, length) : valid
  const total = offsets[length]!
  const child =
    items instanceof Int32Array
      ? makeData({ type: new Int32(), length: total, nullCount: 0, data: items.subarray(0, total) })
      : makeData({ type: new Float64(), length: total, nullCount: 0, data: items.subarray(0, total) })
  const type = new List<Int32 | Float64>(new Field("item", child.type, true))
  return makeVector(makeData({ type, length, nullCount, nullBitmap: bitmap, valueOffsets: offsets.subarray(0, length + 1), child }))
}

const TWO_32 = 2 ** 32

/**
 * An int32, int64 or float64 vector of the first `length` rows of `values` where `valid[row]`
 * is 1 (0: null). Int64 is written as two 32-bit words per value, exact up to 2^53, with no
 * BigInt per row.
 */
export const numericVector = (type: "int32" | "int64" | "float64", values: Float64Array, valid: Uint8Array, length: number): Vector => {
  const { bitmap, nullCount } = bitmapOfBytes(valid, length)
  switch (type) {
    case "int32": {
      const data = columnBuffers.int32(length)
      for (let row = 0; row < length; row++) data[row] = valid[row] === 1 ? values[row]! : 0
      return makeVector(makeData({ type: new Int32(), length, nullCount, nullBitmap: bitmap, data }))
    }
    case "int64": {
      const data = columnBuffers.bigInt64(length)
      const words = new Uint32Array(data.buffer, 0, length * 2)
      for (let row = 0; row < length; row++) {
        if (valid[row] !== 1) continue
        const value = Math.round(values[row]!)
        if (value >= 0 && value < TWO_32) {
          // counts, bytes and flags: one word (the buffer is zeroed, the high word stays 0)
          words[row * 2] = value
          continue
        }
        const high = Math.floor(value / TWO_32)
        words[row * 2] = value - high * TWO_32
        words[row * 2 + 1] = high >>> 0
      }
      return makeVector(makeData({ type: new Int64(), length, nullCount, nullBitmap: bitmap, data }))
    }
    case "float64": {
      const data = columnBuffers.float64(length)
      data.set(values.subarray(0, length))
      return makeVector(makeData({ type: new Float64(), length, nullCount, nullBitmap: bitmap, data }))
    }
  }
}
