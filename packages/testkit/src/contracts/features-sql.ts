/**
 * Running a SQL feature group on a small batch in an in-memory DuckDB, so the features contract
 * can check SQL groups as it checks TypeScript ones.
 *
 * Holds: `runFeatureSql` (batch → table `flows` → the group's SELECT → column names and rows as
 * numbers-or-null) and the catalogue-type → DuckDB-type mapping it needs.
 * Does not hold: storage (the pipeline's DuckDB/Parquet layer).
 */
import { COLUMN_BY_NAME, type ColumnType, type FlowBatch } from "@hashhound/core"
import { Effect } from "effect"
import { rowsOf } from "../batches.js"

const DUCK_TYPES: Readonly<Record<ColumnType, string>> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float64: "DOUBLE",
  bool: "BOOLEAN",
  utf8: "VARCHAR",
  list_int32: "INTEGER[]",
  list_float64: "DOUBLE[]"
}

const literal = (value: unknown): string => {
  if (value === null || value === undefined) return "NULL"
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "NULL"
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE"
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`
  return `'${String(value).replaceAll("'", "''")}'`
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`

export interface SqlResult {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
}

/** Load `batch` as table `flows` and run `sql(flows)`; failures are strings (a check reports them). */
export const runFeatureSql = (batch: FlowBatch, sql: (flowTable: string) => string): Effect.Effect<SqlResult, string> =>
  Effect.tryPromise({
    try: async () => {
      const { DuckDBInstance } = await import("@duckdb/node-api")
      const instance = await DuckDBInstance.create(":memory:")
      const connection = await instance.connect()
      try {
        const fields = batch.schema.fields
        const columns = fields.map((field) => {
          const spec = COLUMN_BY_NAME.get(field.name)
          const type = spec !== undefined ? DUCK_TYPES[spec.type] : /Utf8/.test(String(field.type)) ? "VARCHAR" : "DOUBLE"
          return `${quote(field.name)} ${type}`
        })
        await connection.run(`CREATE TABLE flows (${columns.join(", ")})`)
        const rows = rowsOf(batch)
        if (rows.length > 0) {
          const values = rows.map((row) => `(${fields.map((field) => literal(row[field.name])).join(", ")})`)
          await connection.run(`INSERT INTO flows VALUES ${values.join(", ")}`)
        }
        const reader = await connection.runAndReadAll(sql("flows"))
        return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() }
      } finally {
        connection.closeSync()
        instance.closeSync()
      }
    },
    catch: (error) => `the SQL did not run in DuckDB: ${error instanceof Error ? error.message : String(error)}`
  })
