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
import { quoteLiteral, storedColumns, type StoredColumn } from "./column-kinds.js"
import { copyOptions, selectListFor, type FileFormat } from "./copy-sql.js"
import { kindOfDuck } from "./duck-types.js"
import { readResult } from "./duckdb-to-arrow.js"

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
