/**
 * Arrow columns → DuckDB data chunks, column by column.
 *
 * Holds: `fillChunk`, which fills the vectors of one DuckDB data chunk (at most the engine's
 * vector size, 2048 rows) straight from the Arrow buffers: fixed-width values and list
 * children by one memory copy per column and chunk (`copy_data_to_vector`), validity as 64-bit
 * words, strings from the UTF-8 bytes Arrow already holds (no JS string is made; short ones
 * inlined by one copy per chunk, long ones one call each through a reused view; a chunk whose
 * rows all hold one text, as `dataset` and `capture` do, as one constant value), list entries as
 * (offset, length) pairs written into a reused word buffer; and `makeScratch`, the buffers one
 * scan reuses.
 * Why this path: the node-api's per-cell `appendValue`/`setItem` costs a call and often a BigInt
 * per cell; an Arrow IPC scan needs DuckDB's arrow extension, which is not bundled and cannot
 * be installed offline. The chunk API with raw copies is the fastest path that works.
 * Does not hold: SQL, files, the table function that asks for chunks (see `batch-scan.ts`), or
 * reading back (see `duckdb-to-arrow.ts`).
 */
import bindings, { type Vector as DuckVector } from "@duckdb/node-bindings"
import type { DuckDBDataChunk } from "@duckdb/node-api"
import type { Data, Vector } from "apache-arrow"
import type { StoredColumn } from "./column-kinds.js"
import { bitAt, isValid } from "./parquet-leaves.js"

/** Rows per DuckDB data chunk (the engine's vector size). */
export const CHUNK_ROWS: number = bindings.vector_size()

/** Per-chunk scratch buffers, reused for every column and chunk of a scan. */
export interface Scratch {
  /** validity words of one chunk, bit set = valid */
  readonly validity: Uint8Array
  /** list entries of one chunk: (offset lo, offset hi, length lo, length hi) per row */
  readonly entries: Uint32Array
  /** bool values of one chunk, one byte per row */
  readonly bools: Uint8Array
  /** `string_t` structs of one chunk, 16 bytes per row */
  readonly strings: Uint8Array
  /** the same memory as 32-bit words (little-endian lengths) */
  readonly stringWords: Uint32Array
  /** one long string's bytes, copied here so that no view is made per string */
  readonly long: Uint8Array
  /** views of `long` by length, made once each: `longViews[n]` is its first n bytes */
  readonly longViews: Array<Uint8Array | undefined>
}

/** Strings up to this many bytes go through `Scratch.long`; longer ones get a view of their own. */
const LONG_SCRATCH_BYTES = 1024

export const makeScratch = (): Scratch => {
  const strings = new Uint8Array(CHUNK_ROWS * 16)
  return {
    validity: new Uint8Array(Math.ceil(CHUNK_ROWS / 64) * 8),
    entries: new Uint32Array(CHUNK_ROWS * 4),
    bools: new Uint8Array(CHUNK_ROWS),
    strings,
    stringWords: new Uint32Array(strings.buffer),
    long: new Uint8Array(LONG_SCRATCH_BYTES),
    longViews: []
  }
}

/** Visit the Arrow data pieces covering rows [start, start + count) of a (possibly chunked) vector. */
const forEachSegment = (
  vector: Vector,
  start: number,
  count: number,
  visit: (data: Data, dataRow: number, rows: number, targetRow: number) => void
): void => {
  let base = 0
  const end = start + count
  for (const data of vector.data as ReadonlyArray<Data>) {
    const dataEnd = base + data.length
    if (dataEnd > start && base < end) {
      const from = Math.max(start, base)
      const to = Math.min(end, dataEnd)
      visit(data, from - base, to - from, from - start)
    }
    base = dataEnd
    if (base >= end) break
  }
}

const clearBit = (bits: Uint8Array, index: number): void => {
  bits[index >> 3]! &= ~(1 << (index & 7))
}

/** Copy the validity of rows [start, start+count) into the scratch words; true when any row is null. */
const collectValidity = (vector: Vector, start: number, count: number, scratch: Scratch): boolean => {
  let anyNull = false
  scratch.validity.fill(0xff)
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    if (data.nullCount === 0) return
    for (let row = 0; row < rows; row++) {
      if (!isValid(data, dataRow + row)) {
        clearBit(scratch.validity, targetRow + row)
        anyNull = true
      }
    }
  })
  return anyNull
}

const flushValidity = (target: DuckVector, count: number, scratch: Scratch): void => {
  bindings.vector_ensure_validity_writable(target)
  const bytes = Math.ceil(count / 64) * 8
  bindings.copy_data_to_vector_validity(target, 0, scratch.validity.buffer as ArrayBuffer, scratch.validity.byteOffset, bytes)
}

const allNull = (target: DuckVector, count: number, scratch: Scratch): void => {
  scratch.validity.fill(0)
  flushValidity(target, count, scratch)
}

const fixedWidth = (target: DuckVector, vector: Vector, start: number, count: number, width: number): void => {
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    const values = data.values as ArrayBufferView
    bindings.copy_data_to_vector(
      target,
      targetRow * width,
      values.buffer as ArrayBuffer,
      values.byteOffset + dataRow * width,
      rows * width
    )
  })
}

const booleans = (target: DuckVector, vector: Vector, start: number, count: number, scratch: Scratch): void => {
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    const bits = data.values as Uint8Array
    for (let row = 0; row < rows; row++) scratch.bools[targetRow + row] = bitAt(bits, data.offset + dataRow + row)
  })
  bindings.copy_data_to_vector(target, 0, scratch.bools.buffer as ArrayBuffer, scratch.bools.byteOffset, count)
}

/** `bytes[from, from + length)` as a view: the scratch's view of that length, or its own view when longer. */
const longString = (bytes: Uint8Array, from: number, length: number, scratch: Scratch): Uint8Array => {
  if (length > LONG_SCRATCH_BYTES) return bytes.subarray(from, from + length)
  const long = scratch.long
  for (let k = 0; k < length; k++) long[k] = bytes[from + k]!
  let view = scratch.longViews[length]
  if (view === undefined) {
    view = long.subarray(0, length)
    scratch.longViews[length] = view
  }
  return view
}

/**
 * Strings of at most 12 bytes are written as inlined `string_t` structs (length + zero-padded
 * bytes) in one copy per chunk; longer ones go through DuckDB's string heap one call each.
 */
const strings = (target: DuckVector, vector: Vector, start: number, count: number, scratch: Scratch): void => {
  const structs = scratch.strings
  structs.fill(0, 0, count * 16)
  const words = scratch.stringWords
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    const offsets = data.valueOffsets as Int32Array
    const bytes = data.values as Uint8Array
    const checkNulls = data.nullCount > 0
    for (let row = 0; row < rows; row++) {
      const at = dataRow + row
      if (checkNulls && !isValid(data, at)) continue
      const from = offsets[at]!
      const length = offsets[at + 1]! - from
      if (length <= 12) {
        const slot = (targetRow + row) * 16
        words[slot >> 2] = length
        for (let byte = 0; byte < length; byte++) structs[slot + 4 + byte] = bytes[from + byte]!
      }
    }
  })
  bindings.copy_data_to_vector(target, 0, structs.buffer as ArrayBuffer, structs.byteOffset, count * 16)
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    const offsets = data.valueOffsets as Int32Array
    const bytes = data.values as Uint8Array
    const checkNulls = data.nullCount > 0
    for (let row = 0; row < rows; row++) {
      const at = dataRow + row
      const from = offsets[at]!
      const to = offsets[at + 1]!
      const length = to - from
      if (length <= 12 || (checkNulls && !isValid(data, at))) continue
      bindings.vector_assign_string_element_len(target, targetRow + row, longString(bytes, from, length, scratch))
    }
  })
}

/**
 * When rows [start, start + count) all hold the same non-null text (the `dataset` and `capture`
 * columns of a batch), that text; else undefined. Stops at the first row that differs, so a
 * column of distinct values costs one comparison.
 */
const constantText = (vector: Vector, start: number, count: number): string | undefined => {
  let first: Uint8Array | undefined
  let same = true
  forEachSegment(vector, start, count, (data, dataRow, rows) => {
    if (!same) return
    if (data.nullCount > 0) {
      same = false
      return
    }
    const offsets = data.valueOffsets as Int32Array
    const bytes = data.values as Uint8Array
    first ??= bytes.subarray(offsets[dataRow]!, offsets[dataRow + 1]!)
    const length = first.length
    for (let row = 0; row < rows && same; row++) {
      const from = offsets[dataRow + row]!
      if (offsets[dataRow + row + 1]! - from !== length) same = false
      for (let k = 0; k < length && same; k++) if (bytes[from + k] !== first[k]) same = false
    }
  })
  if (!same || first === undefined) return undefined
  try {
    return textDecoder.decode(first)
  } catch {
    // not valid UTF-8: the row-by-row path copies the bytes as they are
    return undefined
  }
}

const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const lists = (target: DuckVector, vector: Vector, start: number, count: number, width: number, scratch: Scratch): void => {
  let total = 0
  forEachSegment(vector, start, count, (data, dataRow, rows) => {
    const offsets = data.valueOffsets as Int32Array
    total += offsets[dataRow + rows]! - offsets[dataRow]!
  })
  bindings.list_vector_reserve(target, total)
  bindings.list_vector_set_size(target, total)
  const child = bindings.list_vector_get_child(target)
  const entries = scratch.entries
  let childBase = 0
  let childNulls: Uint8Array | undefined
  forEachSegment(vector, start, count, (data, dataRow, rows, targetRow) => {
    const offsets = data.valueOffsets as Int32Array
    const childData = data.children[0]!
    const first = offsets[dataRow]!
    const span = offsets[dataRow + rows]! - first
    const values = childData.values as ArrayBufferView
    if (span > 0) {
      bindings.copy_data_to_vector(child, childBase * width, values.buffer as ArrayBuffer, values.byteOffset + first * width, span * width)
    }
    if (childData.nullCount > 0) {
      childNulls ??= new Uint8Array(Math.ceil(Math.max(total, 1) / 64) * 8).fill(0xff)
      for (let item = 0; item < span; item++) if (!isValid(childData, first + item)) clearBit(childNulls, childBase + item)
    }
    for (let row = 0; row < rows; row++) {
      const slot = (targetRow + row) * 4
      const from = offsets[dataRow + row]!
      entries[slot] = childBase + (from - first)
      entries[slot + 1] = 0
      entries[slot + 2] = offsets[dataRow + row + 1]! - from
      entries[slot + 3] = 0
    }
    childBase += span
  })
  bindings.copy_data_to_vector(target, 0, entries.buffer as ArrayBuffer, entries.byteOffset, count * 16)
  if (childNulls !== undefined) {
    bindings.vector_ensure_validity_writable(child)
    bindings.copy_data_to_vector_validity(child, 0, childNulls.buffer as ArrayBuffer, childNulls.byteOffset, childNulls.byteLength)
  }
}

const fillColumn = (target: DuckVector, column: StoredColumn, start: number, count: number, scratch: Scratch): void => {
  const vector = column.vector
  if (vector === null) return allNull(target, count, scratch)
  switch (column.kind) {
    case "int32":
      fixedWidth(target, vector, start, count, 4)
      break
    case "int64":
    case "float64":
      fixedWidth(target, vector, start, count, 8)
      break
    case "bool":
      booleans(target, vector, start, count, scratch)
      break
    case "utf8": {
      // one text in every row: a constant vector, one value for the chunk instead of a call per row
      const constant = count > 1 ? constantText(vector, start, count) : undefined
      if (constant !== undefined) return bindings.vector_reference_value(target, bindings.create_varchar(constant))
      strings(target, vector, start, count, scratch)
      break
    }
    case "list_int32":
      lists(target, vector, start, count, 4, scratch)
      break
    case "list_float64":
      lists(target, vector, start, count, 8, scratch)
      break
  }
  if (collectValidity(vector, start, count, scratch)) flushValidity(target, count, scratch)
}

/**
 * Fill `chunk` with rows [start, start + count) of the given columns, in this order (the
 * chunk's columns must be exactly these, typed by `duckTypeOf`); count is at most CHUNK_ROWS.
 */
export const fillChunk = (
  chunk: DuckDBDataChunk,
  columns: ReadonlyArray<StoredColumn>,
  start: number,
  count: number,
  scratch: Scratch
): void => {
  chunk.rowCount = count
  for (let index = 0; index < columns.length; index++) {
    fillColumn(bindings.data_chunk_get_vector(chunk.chunk, index), columns[index]!, start, count, scratch)
  }
}
