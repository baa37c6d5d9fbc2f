/**
 * FlowBatch: the unit that moves between stages, an Arrow table of up to ~64k flows.
 *
 * Holds: the Arrow type for each catalogue column type, a columnar builder that sources fill
 * from typed arrays (one handle per column, no per-row allocation for numbers), and readers
 * that turn a column back into a Float64Array or string array for per-row loops, and column
 * helpers (names, replace/add, project).
 * Does not hold: any I/O (Parquet lives in `pipeline`), or building Arrow vectors from values
 * (`arrow-vectors.ts`, whose `utf8Vector` and flat-parts constructors this module re-exports).
 */
import { Bool, DataType, Field, Float64, Int32, Int64, List, Table, Utf8, type Vector } from "apache-arrow"
import { boolVector, listVector, numericVector, utf8Vector } from "./arrow-vectors.js"

export { listVectorOfParts, utf8Vector, utf8VectorOfParts } from "./arrow-vectors.js"
import { COLUMN_BY_NAME, type ColumnSpec, type ColumnType } from "./columns.js"

export type FlowBatch = Table

/** Largest number of flows a source should put in one batch. */
export const MAX_BATCH_ROWS = 65_536

export const arrowTypeOf = (type: ColumnType): DataType => {
  switch (type) {
    case "int32":
      return new Int32()
    case "int64":
      return new Int64()
    case "float64":
      return new Float64()
    case "bool":
      return new Bool()
    case "utf8":
      return new Utf8()
    case "list_int32":
      return new List(new Field("item", new Int32(), true))
    case "list_float64":
      return new List(new Field("item", new Float64(), true))
  }
}

/** A numeric column being filled: `values[row]` and `valid[row]` (1 = present, 0 = null). */
export interface NumericColumn {
  readonly kind: "numeric"
  readonly spec: ColumnSpec
  values: Float64Array
  valid: Uint8Array
}

/** A string, bool or list column being filled; `null` is a null cell. */
export interface ValueColumn {
  readonly kind: "value"
  readonly spec: ColumnSpec
  values: Array<string | boolean | ArrayLike<number> | null>
}

export type BuilderColumn = NumericColumn | ValueColumn

const isNumericType = (type: ColumnType): boolean => type === "int32" || type === "int64" || type === "float64"

/**
 * Columnar builder for a FlowBatch. Sources ask for each column's handle once, fill rows in
 * their own loops, then call `finish(rows)`. Capacity grows by doubling.
 */
export class FlowBatchBuilder {
  private readonly columns = new Map<string, BuilderColumn>()
  private capacity: number

  constructor(
    specs: ReadonlyArray<ColumnSpec>,
    initialCapacity = 1024
  ) {
    this.capacity = Math.max(1, initialCapacity)
    for (const spec of specs) {
      this.columns.set(
        spec.name,
        isNumericType(spec.type)
          ? { kind: "numeric", spec, values: new Float64Array(this.capacity), valid: new Uint8Array(this.capacity) }
          : { kind: "value", spec, values: new Array(this.capacity).fill(null) }
      )
    }
  }

  /** A builder for the named catalogue columns (throws synchronously on an unknown name: a programming error). */
  static forColumns(names: ReadonlyArray<string>, initialCapacity?: number): FlowBatchBuilder {
    return new FlowBatchBuilder(
      names.map((name) => {
        const spec = COLUMN_BY_NAME.get(name)
        if (spec === undefined) throw new Error(`not a flow column: ${name}`)
        return spec
      }),
      initialCapacity
    )
  }

  has(name: string): boolean {
    return this.columns.has(name)
  }

  numeric(name: string): NumericColumn {
    const column = this.columns.get(name)
    if (column?.kind !== "numeric") throw new Error(`not a numeric column of this builder: ${name}`)
    return column
  }

  value(name: string): ValueColumn {
    const column = this.columns.get(name)
    if (column?.kind !== "value") throw new Error(`not a value column of this builder: ${name}`)
    return column
  }

  /** Make room for at least `rows` rows; column handles stay valid. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return
    let next = this.capacity
    while (next < rows) next *= 2
    for (const column of this.columns.values()) {
      if (column.kind === "numeric") {
        const values = new Float64Array(next)
        values.set(column.values)
        const valid = new Uint8Array(next)
        valid.set(column.valid)
        column.values = values
        column.valid = valid
      } else {
        for (let row = this.capacity; row < next; row++) column.values.push(null)
      }
    }
    this.capacity = next
  }

  setNumber(name: string, row: number, value: number | null | undefined): void {
    const column = this.numeric(name)
    if (value === null || value === undefined || Number.isNaN(value)) column.valid[row] = 0
    else {
      column.values[row] = value
      column.valid[row] = 1
    }
  }

  setValue(name: string, row: number, value: string | boolean | ArrayLike<number> | null | undefined): void {
    this.value(name).values[row] = value ?? null
  }

  /**
   * Empty the builder for another batch, keeping its buffers and handles: every column is null
   * again. A batch `finish` returned shares no buffer with the builder (every column is copied
   * out), so it stays as it was.
   */
  reset(): void {
    for (const column of this.columns.values()) {
      if (column.kind === "numeric") column.valid.fill(0)
      else column.values.fill(null)
    }
  }

  /** Build the Arrow table of the first `rows` rows (copied out); the builder is unchanged (see `reset`). */
  finish(rows: number): FlowBatch {
    const vectors: Record<string, Vector> = {}
    for (const [name, column] of this.columns) {
      const type = column.spec.type
      if (column.kind === "numeric") {
        vectors[name] = numericVector(type === "int32" || type === "int64" ? type : "float64", column.values, column.valid, rows)
      } else if (type === "bool") vectors[name] = boolVector(column.values, rows)
      else if (type === "list_int32") vectors[name] = listVector(column.values, "int32", rows)
      else if (type === "list_float64") vectors[name] = listVector(column.values, "float64", rows)
      else vectors[name] = utf8Vector(column.values, rows)
    }
    return new Table(vectors)
  }
}

interface NumericChunk {
  readonly offset: number
  readonly length: number
  readonly nullCount: number
  readonly nullBitmap?: Uint8Array | null
  readonly values?: ArrayLike<number | bigint>
}

/** A numeric column as Float64Array with NaN for null (int64 converted exactly up to 2^53). */
export const readNumeric = (batch: FlowBatch, name: string): Float64Array | undefined => {
  const vector = batch.getChild(name)
  if (vector === null) return undefined
  const out = new Float64Array(batch.numRows)
  const packedBits = DataType.isBool(vector.type)
  let row = 0
  // straight from each chunk's value buffer: no per-row Vector.get
  for (const chunk of vector.data as unknown as ReadonlyArray<NumericChunk>) {
    const values = chunk.values
    if (packedBits || values === undefined || values.length < chunk.offset + chunk.length) {
      for (let i = 0; i < chunk.length; i++, row++) {
        const value: unknown = vector.get(row)
        out[row] = value === null || value === undefined ? Number.NaN : Number(value)
      }
      continue
    }
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined
    for (let i = 0; i < chunk.length; i++, row++) {
      const at = chunk.offset + i
      out[row] =
        bitmap !== undefined && bitmap !== null && ((bitmap[at >> 3]! >> (at & 7)) & 1) === 0 ? Number.NaN : Number(values[at]!)
    }
  }
  return out
}

/** A string column as an array of string | null. */
export const readStrings = (batch: FlowBatch, name: string): Array<string | null> | undefined => {
  const vector = batch.getChild(name)
  if (vector === null) return undefined
  const out: Array<string | null> = new Array(batch.numRows)
  for (let row = 0; row < batch.numRows; row++) {
    const value: unknown = vector.get(row)
    out[row] = value === null || value === undefined ? null : String(value)
  }
  return out
}

/** The column names of a batch. */
export const columnNames = (batch: FlowBatch): ReadonlyArray<string> => batch.schema.fields.map((field) => field.name)

/** Replace or add columns (same row count) and return a new batch. */
export const withColumns = (batch: FlowBatch, columns: Readonly<Record<string, Vector>>): FlowBatch => {
  const vectors: Record<string, Vector> = {}
  for (const field of batch.schema.fields) {
    const vector = batch.getChild(field.name)
    if (vector !== null) vectors[field.name] = vector
  }
  for (const [name, vector] of Object.entries(columns)) vectors[name] = vector
  return new Table(vectors)
}

/**
 * The named columns a batch has, in the order named (each once): the projection rule of
 * `DatasetAccess.read`. A batch with none of them keeps `flow_id` (when it has one), so its row
 * count stays right.
 */
export const projectBatch = (batch: FlowBatch, columns: ReadonlyArray<string>): FlowBatch => {
  const present = columns.filter((name, at) => columns.indexOf(name) === at && batch.getChild(name) !== null)
  if (present.length > 0) return batch.select(present)
  return batch.select(batch.getChild("flow_id") === null ? [] : ["flow_id"])
}

