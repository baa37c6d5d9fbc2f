/**
 * DuckDB's side of the Storage service, in a module of its own so that it is loaded (the
 * node-api and its native library, about 25 MB and 60 ms) only when a run first asks DuckDB for
 * something: `hashhound flows` writing Parquet of one schema never does.
 *
 * Holds: `openEngine` (an in-memory instance and its batch scans), `connectEngine` (a connection
 * with `hh_batch` registered) and the DuckDB operations `storage.ts` runs (`copyBatch`,
 * `readTable`, `describeColumns`).
 * Does not hold: Effects, files or the Storage API (see `storage.ts`).
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api"
import { BatchScans } from "./batch-scan.js"

export { copyBatch, describeColumns, readTable } from "./tables.js"

export interface Engine {
  readonly instance: DuckDBInstance
  /** batches are written by COPY from the `hh_batch` table function (see batch-scan.ts) */
  readonly scans: BatchScans
}

export const openEngine = async (config: Readonly<Record<string, string>>): Promise<Engine> => ({
  instance: await DuckDBInstance.create(":memory:", { ...config }),
  scans: new BatchScans()
})

export const connectEngine = async (engine: Engine): Promise<DuckDBConnection> => {
  const connection = await engine.instance.connect()
  engine.scans.register(connection)
  return connection
}
