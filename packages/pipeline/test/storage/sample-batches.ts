/**
 * Test batches for storage tests: every catalogue column filled from a seeded generator, with
 * nulls, empty and null lists, non-ASCII strings, and values beyond 2^32 in int64 columns.
 *
 * Holds: `sampleBatch(rows, seed)`, `expectedCell` (the plain JS value a cell should read back as),
 * `sql` (a query through the Storage service's DuckDB, rows as plain objects), and `listVector`
 * and `int64Vector` (vectors from JS values, for edge cases).
 * Does not hold: assertions.
 */
import { FLOW_COLUMNS, FlowBatchBuilder, stampIdentity, type FlowBatch } from "@hashhound/core"
import { Field, Float64, Int32, Int64, List, makeData, makeVector, type Vector } from "apache-arrow"
import { Effect } from "effect"
import { Storage } from "../../src/storage/index.js"

const rng = (seed: number) => {
  let state = seed >>> 0 || 1
  return (): number => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}

const FLOW_NAMES = FLOW_COLUMNS.map((c) => c.name).filter(
  (name) => !["flow_id", "dataset", "capture", "batch", "label", "label_source", "label_detail"].includes(name)
)

/** A batch with every flow column (identity stamped), some cells null. */
export const sampleBatch = (rows: number, seed: number, options: { readonly nulls?: boolean } = {}): FlowBatch => {
  const random = rng(seed)
  const nulls = options.nulls ?? true
  const builder = FlowBatchBuilder.forColumns(FLOW_NAMES, rows)
  for (let row = 0; row < rows; row++) {
    for (const spec of FLOW_COLUMNS) {
      if (!builder.has(spec.name)) continue
      const isNull = nulls && random() < 0.05
      switch (spec.type) {
        case "int32":
          builder.setNumber(spec.name, row, isNull ? null : Math.floor(random() * 65536) - 1000)
          break
        case "int64":
          builder.setNumber(spec.name, row, isNull ? null : Math.floor(random() * 2 ** 40))
          break
        case "float64":
          builder.setNumber(spec.name, row, isNull ? null : random() * 1000 - 10)
          break
        case "utf8":
          builder.setValue(spec.name, row, isNull ? null : random() < 0.1 ? `hôte-${row}-日本` : `v${Math.floor(random() * 1e9)}.example.org`)
          break
        case "list_int32": {
          const length = isNull ? -1 : Math.floor(random() * 9)
          builder.setValue(spec.name, row, length < 0 ? null : Array.from({ length }, () => Math.floor(random() * 3000) - 1500))
          break
        }
        case "list_float64": {
          const length = isNull ? -1 : Math.floor(random() * 9)
          builder.setValue(spec.name, row, length < 0 ? null : Array.from({ length }, () => random() * 100))
          break
        }
        case "bool":
          builder.setValue(spec.name, row, isNull ? null : random() < 0.5)
          break
      }
    }
  }
  return stampIdentity(builder.finish(rows), "lab", "trace-01.pcap", seed)
}

/** A cell as plain JS: bigint → number, list vectors → arrays. */
export const plainCell = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "object" && value !== null && Symbol.iterator in value && typeof value !== "string") {
    return [...(value as Iterable<unknown>)].map(plainCell)
  }
  return value
}

/** Rows of a batch as plain objects (column order as in the batch). */
export const plainRows = (batch: FlowBatch): Array<Record<string, unknown>> => {
  const names = batch.schema.fields.map((f) => f.name)
  const out: Array<Record<string, unknown>> = []
  for (let row = 0; row < batch.numRows; row++) {
    const record: Record<string, unknown> = {}
    for (const name of names) record[name] = plainCell(batch.getChild(name)!.get(row))
    out.push(record)
  }
  return out
}

/** Run `text` on the Storage service's DuckDB; rows as plain JS objects. */
export const sql = (text: string) =>
  Effect.flatMap(Storage, (storage) =>
    storage.run("test query", undefined, async (connection) => (await connection.runAndReadAll(text)).getRowObjectsJS())
  )

/** A list column from JS arrays (null: a null list; null items: null cells in the child). */
export const listVector = (rows: ReadonlyArray<ReadonlyArray<number | null> | null>, float: boolean): Vector => {
  const offsets = new Int32Array(rows.length + 1)
  const items: Array<number | null> = []
  const valid = new Uint8Array((rows.length + 7) >> 3)
  rows.forEach((row, index) => {
    if (row !== null) {
      valid[index >> 3]! |= 1 << (index & 7)
      items.push(...row)
    }
    offsets[index + 1] = items.length
  })
  const childValid = new Uint8Array((items.length + 7) >> 3)
  items.forEach((item, index) => {
    if (item !== null) childValid[index >> 3]! |= 1 << (index & 7)
  })
  const nullCount = rows.filter((row) => row === null).length
  const itemNulls = items.filter((item) => item === null).length
  if (float) {
    const child = makeData({ type: new Float64(), length: items.length, nullCount: itemNulls, nullBitmap: childValid, data: Float64Array.from(items, (item) => item ?? 0) })
    return makeVector(makeData({ type: new List(new Field("item", new Float64(), true)), length: rows.length, nullCount, nullBitmap: valid, valueOffsets: offsets, child }))
  }
  const child = makeData({ type: new Int32(), length: items.length, nullCount: itemNulls, nullBitmap: childValid, data: Int32Array.from(items, (item) => item ?? 0) })
  return makeVector(makeData({ type: new List(new Field("item", new Int32(), true)), length: rows.length, nullCount, nullBitmap: valid, valueOffsets: offsets, child }))
}

export const int64Vector = (values: ReadonlyArray<bigint | null>): Vector => {
  const valid = new Uint8Array((values.length + 7) >> 3)
  values.forEach((value, index) => {
    if (value !== null) valid[index >> 3]! |= 1 << (index & 7)
  })
  return makeVector(
    makeData({
      type: new Int64(),
      length: values.length,
      nullCount: values.filter((value) => value === null).length,
      nullBitmap: valid,
      data: BigInt64Array.from(values, (value) => value ?? 0n)
    })
  )
}
