/**
 * Batches in and out of DuckDB on one connection: COPY to files, reading files.
 *
 * Holds: `copyBatch` (a batch to a Parquet, CSV or JSONL file with zstd for Parquet and lists
 * as JSON arrays in CSV, read in place through `hh_batch`), `readTable` (a SELECT into a
 * FlowBatch) and `describeColumns` (names and kinds of a query).
 * These are plain async functions over a connection; `storage.ts` wraps them in Effects.
 * Does not hold: atomic renames (see `files.ts`) or run layout (see `run/`).
 */
import type { DuckDBConnection } from "@duckdb/node-api"
import type { ColumnType, FlowBatch } from "@hashhound/core"
import type { BatchScans } from "./batch-scan.js"
import { kindOfDuck, quoteIdent, quoteLiteral, storedColumns, type StoredColumn } from "./column-kinds.js"
import { readResult } from "./duckdb-to-arrow.js"

export type FileFormat = "parquet" | "csv" | "jsonl"

const isList = (kind: ColumnType): boolean => kind === "list_int32" || kind === "list_float64"

/** The SELECT list a file format gets: lists as JSON array text in CSV, everything as it is otherwise. */
export const selectListFor = (columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }>, format: FileFormat): string =>
  columns.length === 0
    ? "*"
    : columns
        .map((column) =>
          format === "csv" && isList(column.kind)
            ? `CAST(to_json(${quoteIdent(column.name)}) AS VARCHAR) AS ${quoteIdent(column.name)}`
            : quoteIdent(column.name)
        )
        .join(", ")

/**
 * Parquet: zstd; a dictionary only for a column chunk whose distinct values fit in 256 bytes
 * (protocol, flags, end reasons, …). DuckDB's default also made one for counters, times and
 * addresses, mostly distinct per row: on flows from the fixtures that made files 22% larger,
 * took twice as long to write and held about 10 MB more per row group being written (measured
 * on 8,192-row groups of the bench captures' flows; generated flows: the same size either way).
 */
const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, DICTIONARY_SIZE_LIMIT 256"

export const copyOptions = (format: FileFormat): string =>
  format === "parquet" ? PARQUET_OPTIONS : format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT json"

/**
 * Write a batch to `path` (as it is: the caller picks a tmp name and renames); `options`
 * replaces the format's COPY options. The batch is read in place (`scans` must be registered
 * on this connection's instance), never copied into a table. Answers the columns written, in
 * file order.
 */
export const copyBatch = async (
  connection: DuckDBConnection,
  scans: BatchScans,
  batch: FlowBatch,
  path: string,
  format: FileFormat,
  options: string = copyOptions(format)
): Promise<ReadonlyArray<StoredColumn>> => {
  const planned = storedColumns(batch)
  if ("problem" in planned) throw new Error(planned.problem)
  await scans.lend(planned.columns, batch.numRows, (source) =>
    connection.run(`COPY (SELECT ${selectListFor(planned.columns, format)} FROM ${source}) TO ${quoteLiteral(path)} (${options})`)
  )
  return planned.columns
}

/** Run a SELECT and read all its rows into one batch. */
export const readTable = async (connection: DuckDBConnection, sql: string): Promise<FlowBatch> =>
  readResult(await connection.stream(sql))

/** Column names and kinds of a query (undefined kind: not a catalogue kind). */
export const describeColumns = async (
  connection: DuckDBConnection,
  sql: string
): Promise<ReadonlyArray<{ readonly name: string; readonly kind: ColumnType | undefined }>> => {
  const result = await connection.run(`SELECT * FROM (${sql}) LIMIT 0`)
  const names = result.columnNames()
  return names.map((name, index) => ({ name, kind: kindOfDuck(result.columnType(index)) }))
}

/** `read_parquet([...])` over the given files. */
export const parquetSource = (paths: ReadonlyArray<string>, options: { readonly unionByName?: boolean; readonly rowNumbers?: boolean } = {}): string => {
  const list = `[${paths.map(quoteLiteral).join(", ")}]`
  const extras = [
    options.unionByName === true ? "union_by_name = true" : undefined,
    options.rowNumbers === true ? "filename = true, file_row_number = true" : undefined
  ].filter((part) => part !== undefined)
  return `read_parquet(${list}${extras.length === 0 ? "" : `, ${extras.join(", ")}`})`
}
