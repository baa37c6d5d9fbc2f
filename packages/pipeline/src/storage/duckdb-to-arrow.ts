/**
 * DuckDB query results → one Arrow table (a FlowBatch) with one contiguous buffer per column.
 *
 * Holds: `readResult`, which drains a streaming result chunk by chunk, copies fixed-width
 * values, validity words, list children and inlined strings out of each vector in one call per
 * chunk (long strings one call each, as bytes: no JS string is made), and joins the chunks into single Arrow Data per column
 * (so per-row loops over `data[0].values` work on what it returns).
 * Does not hold: SQL or file naming (see `parquet.ts`).
 */
import bindings, { type Vector as DuckVector } from "@duckdb/node-bindings"
import type { DuckDBDataChunk, DuckDBResult } from "@duckdb/node-api"
import { grownTypedArray, type ColumnType, type FlowBatch } from "@hashhound/core"
import { Bool, Field, Float64, Int32, Int64, List, makeData, makeVector, Table, Utf8, type Vector } from "apache-arrow"
import { kindOfDuck } from "./duck-types.js"

const widthOf = (kind: ColumnType): number => (kind === "int32" || kind === "list_int32" ? 4 : kind === "bool" ? 1 : 8)

/** Validity words of `rows` rows, or null when the vector has no mask (every row valid). */
const validityOf = (vector: DuckVector, rows: number): Uint8Array | null => {
  const bytes: Uint8Array | null = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null
  return bytes === null || bytes.length === 0 ? null : bytes
}

/** Growing Arrow validity bitmap. */
class Bits {
  bytes = new Uint8Array(1024)
  length = 0
  nulls = 0

  private reserve(rows: number): void {
    const need = (rows + 7) >> 3
    if (need <= this.bytes.length) return
    this.bytes = grownTypedArray(this.bytes, need, this.bytes.length, (size) => new Uint8Array(size))
  }

  /** Append `rows` rows whose validity is `words` (DuckDB words, bit set = valid) or all valid. */
  append(words: Uint8Array | null, rows: number): void {
    this.reserve(this.length + rows)
    const start = this.length
    for (let row = 0; row < rows; row++) {
      const valid = words === null || ((words[row >> 3]! >> (row & 7)) & 1) === 1
      const bit = start + row
      if (valid) this.bytes[bit >> 3]! |= 1 << (bit & 7)
      else {
        this.bytes[bit >> 3]! &= ~(1 << (bit & 7))
        this.nulls++
      }
    }
    this.length += rows
  }

  bitmap(): Uint8Array | undefined {
    return this.nulls === 0 ? undefined : this.bytes.subarray(0, (this.length + 7) >> 3)
  }
}

/** Growing byte buffer for fixed-width values. */
class Bytes {
  bytes = new Uint8Array(1 << 16)
  length = 0

  private reserve(count: number): void {
    if (this.length + count > this.bytes.length) this.bytes = grownTypedArray(this.bytes, this.length + count, this.length, (size) => new Uint8Array(size))
  }

  append(source: Uint8Array, count: number): void {
    this.reserve(count)
    this.bytes.set(count === source.length ? source : source.subarray(0, count), this.length)
    this.length += count
  }

  /** Append `count` bytes of `source` from `from` (short ranges: a plain loop, no view is made). */
  appendRange(source: Uint8Array, from: number, count: number): void {
    this.reserve(count)
    const bytes = this.bytes
    for (let index = 0; index < count; index++) bytes[this.length + index] = source[from + index]!
    this.length += count
  }

  /** The bytes as a fresh, exactly sized buffer (so typed views are aligned). */
  take(): ArrayBuffer {
    return this.bytes.slice(0, this.length).buffer
  }
}

interface Accumulator {
  readonly name: string
  readonly kind: ColumnType
  readonly add: (chunk: DuckDBDataChunk, column: number, rows: number) => void
  readonly finish: (rows: number) => Vector
}

const numeric = (name: string, kind: "int32" | "int64" | "float64" | "bool"): Accumulator => {
  const values = new Bytes()
  const valid = new Bits()
  const width = widthOf(kind)
  return {
    name,
    kind,
    add: (chunk, column, rows) => {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, column)
      values.append(bindings.vector_get_data(vector, rows * width), rows * width)
      valid.append(validityOf(vector, rows), rows)
    },
    finish: (rows) => {
      const buffer = values.take()
      const nullBitmap = valid.bitmap()
      const nullCount = valid.nulls
      switch (kind) {
        case "int32":
          return makeVector(makeData({ type: new Int32(), length: rows, nullCount, nullBitmap, data: new Int32Array(buffer) }))
        case "int64":
          return makeVector(makeData({ type: new Int64(), length: rows, nullCount, nullBitmap, data: new BigInt64Array(buffer) }))
        case "float64":
          return makeVector(makeData({ type: new Float64(), length: rows, nullCount, nullBitmap, data: new Float64Array(buffer) }))
        case "bool": {
          const bytes = new Uint8Array(buffer)
          const bits = new Uint8Array((rows + 7) >> 3)
          for (let row = 0; row < rows; row++) if (bytes[row] !== 0) bits[row >> 3]! |= 1 << (row & 7)
          return makeVector(makeData({ type: new Bool(), length: rows, nullCount, nullBitmap, data: bits }))
        }
      }
    }
  }
}

/** Strings straight from `string_t` structs into Arrow UTF-8 bytes, never through JS strings. */
const text = (name: string): Accumulator => {
  const bytes = new Bytes()
  let offsets = new Int32Array(1024)
  let count = 0
  const valid = new Bits()
  return {
    name,
    kind: "utf8",
    add: (chunk, column, rows) => {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, column)
      const structs = bindings.vector_get_data(vector, rows * 16)
      const view = new DataView(structs.buffer, structs.byteOffset, structs.byteLength)
      const words = validityOf(vector, rows)
      valid.append(words, rows)
      if (count + rows + 1 > offsets.length) offsets = grownTypedArray(offsets, count + rows + 1, count + 1, (size) => new Int32Array(size))
      for (let row = 0; row < rows; row++) {
        const present = words === null || ((words[row >> 3]! >> (row & 7)) & 1) === 1
        if (present) {
          const slot = row * 16
          const length = view.getUint32(slot, true)
          if (length <= 12) bytes.appendRange(structs, slot + 4, length)
          else bytes.append(bindings.get_data_from_pointer(structs.buffer as ArrayBuffer, structs.byteOffset + slot + 8, length), length)
        }
        offsets[++count] = bytes.length
      }
    },
    finish: (rows) =>
      makeVector(
        makeData({
          type: new Utf8(),
          length: rows,
          nullCount: valid.nulls,
          nullBitmap: valid.bitmap(),
          valueOffsets: offsets.slice(0, rows + 1),
          data: new Uint8Array(bytes.take())
        })
      )
  }
}

const list = (name: string, kind: "list_int32" | "list_float64"): Accumulator => {
  const width = widthOf(kind)
  const offsets: Array<number> = [0]
  const items = new Bytes()
  const itemValid = new Bits()
  const valid = new Bits()
  return {
    name,
    kind,
    add: (chunk, column, rows) => {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, column)
      const entries = new Uint32Array(bindings.vector_get_data(vector, rows * 16).slice().buffer)
      const child = bindings.list_vector_get_child(vector)
      const childRows = bindings.list_vector_get_size(vector)
      const childBytes = bindings.vector_get_data(child, childRows * width)
      const childWords = validityOf(child, childRows)
      const rowWords = validityOf(vector, rows)
      valid.append(rowWords, rows)
      let end = offsets[offsets.length - 1]!
      for (let row = 0; row < rows; row++) {
        const isValidRow = rowWords === null || ((rowWords[row >> 3]! >> (row & 7)) & 1) === 1
        const from = entries[row * 4]!
        const length = isValidRow ? entries[row * 4 + 2]! : 0
        if (length > 0) {
          items.append(childBytes.subarray(from * width, (from + length) * width), length * width)
          for (let item = 0; item < length; item++) {
            const at = from + item
            const ok = childWords === null || ((childWords[at >> 3]! >> (at & 7)) & 1) === 1
            itemValid.append(ok ? null : new Uint8Array(1), 1)
          }
        }
        end += length
        offsets.push(end)
      }
    },
    finish: (rows) => {
      const buffer = items.take()
      const childType = kind === "list_int32" ? new Int32() : new Float64()
      const childLength = offsets[offsets.length - 1]!
      const childData =
        kind === "list_int32"
          ? makeData({ type: new Int32(), length: childLength, nullCount: itemValid.nulls, nullBitmap: itemValid.bitmap(), data: new Int32Array(buffer) })
          : makeData({ type: new Float64(), length: childLength, nullCount: itemValid.nulls, nullBitmap: itemValid.bitmap(), data: new Float64Array(buffer) })
      return makeVector(
        makeData({
          type: new List(new Field("item", childType, true)),
          length: rows,
          nullCount: valid.nulls,
          nullBitmap: valid.bitmap(),
          valueOffsets: Int32Array.from(offsets),
          child: childData
        })
      )
    }
  }
}

/**
 * Drain a result into one table. Fails (rejects) on a column type that is none of the
 * catalogue's kinds; callers cast such columns in SQL.
 */
export const readResult = async (result: DuckDBResult): Promise<FlowBatch> => {
  const names = result.columnNames()
  const accumulators: Array<Accumulator> = []
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    const type = result.columnType(index)
    const kind = kindOfDuck(type)
    if (kind === undefined) throw new Error(`column ${name} has DuckDB type ${type.toString()}, which is not a catalogue kind`)
    accumulators.push(
      kind === "utf8" ? text(name) : kind === "list_int32" || kind === "list_float64" ? list(name, kind) : numeric(name, kind)
    )
  }
  let rows = 0
  for (;;) {
    const chunk = await result.fetchChunk()
    if (chunk === null || chunk.rowCount === 0) break
    const count = chunk.rowCount
    for (let index = 0; index < accumulators.length; index++) accumulators[index]!.add(chunk, index, count)
    rows += count
  }
  const vectors: Record<string, Vector> = {}
  for (const accumulator of accumulators) vectors[accumulator.name] = accumulator.finish(rows)
  return new Table(vectors)
}
