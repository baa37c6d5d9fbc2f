/**
 * Column kinds shared by Arrow batches, DuckDB vectors and Parquet files.
 *
 * Holds: the mapping between Arrow types, catalogue column types and DuckDB's SQL types
 * (int32→INTEGER, int64→BIGINT, float64→DOUBLE, bool→BOOLEAN, utf8→VARCHAR,
 * list_int32→INTEGER[], list_float64→DOUBLE[]), SQL quoting, and the column order a stored
 * file gets (catalogue columns in catalogue order, then the others as given).
 * Does not hold: DuckDB's type objects (see `duck-types.ts`: this module loads no DuckDB) or
 * moving data (see `arrow-to-duckdb.ts` and `duckdb-to-arrow.ts`).
 */
import { COLUMN_BY_NAME, FLOW_COLUMNS, type ColumnType, type FlowBatch } from "@hashhound/core"
import { Type, type DataType, type Vector } from "apache-arrow"

/** The catalogue column type an Arrow type stores as; `null` for an all-null column; undefined when unsupported. */
export const kindOfArrow = (type: DataType): ColumnType | "null" | undefined => {
  switch (type.typeId) {
    case Type.Null:
      return "null"
    case Type.Int: {
      const { bitWidth, isSigned } = type as DataType & { bitWidth: number; isSigned: boolean }
      if (!isSigned) return undefined
      return bitWidth === 32 ? "int32" : bitWidth === 64 ? "int64" : undefined
    }
    case Type.Float: {
      const { precision } = type as DataType & { precision: number }
      return precision === 2 ? "float64" : undefined
    }
    case Type.Bool:
      return "bool"
    case Type.Utf8:
      return "utf8"
    case Type.List: {
      const child = (type as DataType & { children: ReadonlyArray<{ type: DataType }> }).children[0]
      const inner = child === undefined ? undefined : kindOfArrow(child.type)
      return inner === "int32" ? "list_int32" : inner === "float64" ? "list_float64" : undefined
    }
    default:
      return undefined
  }
}

export const sqlTypeOf = (kind: ColumnType): string => {
  switch (kind) {
    case "int32":
      return "INTEGER"
    case "int64":
      return "BIGINT"
    case "float64":
      return "DOUBLE"
    case "bool":
      return "BOOLEAN"
    case "utf8":
      return "VARCHAR"
    case "list_int32":
      return "INTEGER[]"
    case "list_float64":
      return "DOUBLE[]"
  }
}

/** `"name"` with inner quotes doubled. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** `'text'` with inner quotes doubled (paths in COPY and read_parquet). */
export const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`

/** One column as it will be stored: name, kind, and the Arrow vector (null: every cell null). */
export interface StoredColumn {
  readonly name: string
  readonly kind: ColumnType
  readonly vector: Vector | null
}

const CATALOGUE_POSITION: ReadonlyMap<string, number> = new Map(FLOW_COLUMNS.map((spec, index) => [spec.name, index]))

/**
 * The columns of a batch in stored order with their kinds, or the reason they cannot be stored
 * (an unsupported Arrow type, or a catalogue column whose type is not the catalogue's).
 */
export const storedColumns = (batch: FlowBatch): { readonly columns: ReadonlyArray<StoredColumn> } | { readonly problem: string } => {
  const columns: Array<StoredColumn & { readonly position: number }> = []
  let extra = 0
  for (const field of batch.schema.fields) {
    const vector = batch.getChild(field.name)
    const spec = COLUMN_BY_NAME.get(field.name)
    const arrowKind = kindOfArrow(field.type)
    if (arrowKind === undefined) return { problem: `column ${field.name} has Arrow type ${String(field.type)}, which is not storable` }
    if (arrowKind === "null" && spec === undefined) {
      return { problem: `column ${field.name} is all-null with no type, and it is not a catalogue column` }
    }
    const kind: ColumnType = arrowKind === "null" ? spec!.type : arrowKind
    if (spec !== undefined && spec.type !== kind) {
      return { problem: `column ${field.name} is ${kind} but the catalogue says ${spec.type}` }
    }
    const position = CATALOGUE_POSITION.get(field.name) ?? FLOW_COLUMNS.length + extra++
    columns.push({ name: field.name, kind, vector: arrowKind === "null" ? null : vector, position })
  }
  columns.sort((a, b) => a.position - b.position)
  return { columns }
}
