/**
 * The Storage service: one DuckDB instance per run, and the file operations built on it.
 *
 * Holds: the `Storage` tag, `StorageLive` (a scoped Layer that opens an in-memory DuckDB and
 * closes it when the run ends, is interrupted or fails), and its operations: write a batch to
 * Parquet/CSV/JSONL atomically (tmp, fsync, rename), read Parquet files back as FlowBatches
 * (one batch per file, as a Stream), run SQL, and export a stream of batches into one file
 * (what `hashhound flows --format …` writes).
 * Does not hold: the run layout, the manifest or stage logic (see `run/`).
 */
import type { DuckDBConnection } from "@duckdb/node-api"
import { DuckDBInstance } from "@duckdb/node-api"
import { columnBuffers, type FlowBatch } from "@hashhound/core"
import { Context, Effect, Layer, Stream } from "effect"
import { join } from "node:path"
import { BatchScans } from "./batch-scan.js"
import { quoteIdent, quoteLiteral } from "./column-kinds.js"
import { reasonOf, StorageError } from "./errors.js"
import { commitFile, ensureDir, removeDir, removeFile, tmpPathOf, writeFileAtomic } from "./files.js"
import { concatParquet } from "./parquet-concat.js"
import { copyBatch, copyOptions, describeColumns, parquetSource, readTable, selectListFor, type FileFormat } from "./tables.js"

export interface ExportSummary {
  readonly rows: number
  readonly batches: number
}

export interface ExportOptions {
  /**
   * The stream's batches are the export's alone: each one's column buffers go back to the
   * pool (`columnBuffers`) once it is written, for the next batches to reuse. Only for a stream
   * whose batches nothing else holds.
   */
  readonly recycle?: boolean
}

export interface StorageApi {
  /** Run `use` with a fresh connection, closed afterwards (temp tables and views die with it). */
  readonly withConnection: <A, E, R>(use: (connection: DuckDBConnection) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | StorageError, R>
  /** A Promise-returning step on a fresh connection, with failures as StorageError. */
  readonly run: <A>(operation: string, path: string | undefined, step: (connection: DuckDBConnection) => Promise<A>) => Effect.Effect<A, StorageError>
  /** Write a batch to `path` through `path.tmp` (fsync, rename). Parquet gets zstd. */
  readonly writeBatch: (batch: FlowBatch, path: string, format?: FileFormat) => Effect.Effect<void, StorageError>
  /** One Parquet file as one batch, optionally only some columns (in that order). */
  readonly readParquet: (path: string, columns?: ReadonlyArray<string>) => Effect.Effect<FlowBatch, StorageError>
  /** Parquet files as a stream of batches, one per file, in the order given. */
  readonly readParquetStream: (paths: ReadonlyArray<string>, columns?: ReadonlyArray<string>) => Stream.Stream<FlowBatch, StorageError>
  /** Any SELECT as one batch. */
  readonly query: (sql: string) => Effect.Effect<FlowBatch, StorageError>
  /** Write a stream of batches into one file (columns united by name, rows in stream order). */
  readonly exportBatches: <E, R>(
    batches: Stream.Stream<FlowBatch, E, R>,
    path: string,
    format: FileFormat,
    options?: ExportOptions
  ) => Effect.Effect<ExportSummary, E | StorageError, R>
}

export class Storage extends Context.Tag("hashhound/Storage")<Storage, StorageApi>() {}

/** Batches of an export being written at once (one in DuckDB while the next is read). */
const EXPORT_BATCHES_IN_FLIGHT = 2

/**
 * Rows per row group when parts must be united by name (DuckDB holds one row group
 * uncompressed while writing; at 65,536 rows that was 130 MB on a 2 GB capture's flows).
 */
const EXPORT_ROW_GROUP_ROWS = 16_384

/**
 * Parts of a Parquet export are compressed as the final file is: they are normally joined
 * as they are (`concatParquet`). Parts of a CSV/JSONL export are read back once and deleted:
 * fast compression, not small files.
 */
const partOptions = (format: FileFormat): string =>
  format === "parquet" ? copyOptions("parquet") : "FORMAT parquet, COMPRESSION snappy"

export interface StorageOptions {
  /** DuckDB worker threads (default: DuckDB's own choice, the number of cores) */
  readonly threads?: number
  /** DuckDB memory limit, e.g. `4GB` */
  readonly memoryLimit?: string
}

const makeApi = (instance: DuckDBInstance): StorageApi => {
  // batches are written by COPY from the `hh_batch` table function (see batch-scan.ts)
  const scans = new BatchScans()
  const connect = Effect.tryPromise({
    try: async () => {
      const connection = await instance.connect()
      scans.register(connection)
      return connection
    },
    catch: (error) => new StorageError({ operation: "connect", reason: reasonOf(error) })
  })
  const withConnection: StorageApi["withConnection"] = (use) =>
    Effect.acquireUseRelease(connect, use, (connection) => Effect.sync(() => connection.closeSync()))
  const run: StorageApi["run"] = (operation, path, step) =>
    withConnection((connection) =>
      Effect.tryPromise({
        try: () => step(connection),
        catch: (error) => new StorageError({ operation, ...(path === undefined ? {} : { path }), reason: reasonOf(error) })
      })
    )

  const writeBatch: StorageApi["writeBatch"] = (batch, path, format = "parquet") =>
    Effect.gen(function* () {
      const tmp = tmpPathOf(path)
      yield* run(`write ${format}`, path, (connection) => copyBatch(connection, scans, batch, tmp, format))
      yield* commitFile(tmp, path)
    })

  const readParquet: StorageApi["readParquet"] = (path, columns) =>
    run("read parquet", path, (connection) =>
      readTable(
        connection,
        `SELECT ${columns === undefined ? "*" : columns.map(quoteIdent).join(", ")} FROM read_parquet(${quoteLiteral(path)})`
      )
    )

  /** Parts united by column name, rows in part order, into `tmp` (as `format`). */
  const mergeParts = (parts: ReadonlyArray<string>, tmp: string, format: FileFormat, path: string): Effect.Effect<void, StorageError> =>
    run(`write ${format}`, path, async (connection) => {
      // no ORDER BY: with insertion order preserved (DuckDB's default) the parts are read in
      // list order and rows in file order, streaming, where a sort would hold every row
      const columns = await describeColumns(connection, `SELECT * FROM ${parquetSource(parts, { unionByName: true })}`)
      const typed = columns.map((column) => ({ name: column.name, kind: column.kind ?? "utf8" }))
      await connection.run("SET preserve_insertion_order = true")
      await connection.run(
        `COPY (SELECT ${selectListFor(typed, format)} FROM ${parquetSource(parts, { unionByName: true })}) TO ${quoteLiteral(tmp)} (${copyOptions(format)}${format === "parquet" ? `, ROW_GROUP_SIZE ${EXPORT_ROW_GROUP_ROWS}` : ""})`
      )
    })

  const exportBatches: StorageApi["exportBatches"] = (batches, path, format, options = {}) =>
    Effect.gen(function* () {
      const partsDir = `${path}.parts${".tmp"}`
      yield* removeDir(partsDir)
      yield* ensureDir(partsDir)
      const parts: Array<string> = []
      let rows = 0
      // a batch is written (in DuckDB's threads) while the next one is read: two in flight
      yield* batches.pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(
          ([batch, index]) => {
            const part = join(partsDir, `part-${String(index).padStart(8, "0")}.parquet`)
            return run("write parquet", part, (connection) => copyBatch(connection, scans, batch, part, "parquet", partOptions(format))).pipe(
              Effect.map(() => {
                if (options.recycle === true) columnBuffers.recycle(batch)
                return { part, rows: batch.numRows }
              })
            )
          },
          { concurrency: EXPORT_BATCHES_IN_FLIGHT }
        ),
        Stream.runForEach((written) =>
          Effect.sync(() => {
            parts.push(written.part)
            rows += written.rows
          })
        )
      )
      if (parts.length === 0) {
        if (format === "parquet") {
          const tmp = tmpPathOf(path)
          yield* run("write parquet", path, (connection) =>
            connection.run(`COPY (SELECT NULL::VARCHAR AS flow_id WHERE false) TO ${quoteLiteral(tmp)} (${copyOptions("parquet")})`)
          )
          yield* commitFile(tmp, path)
        } else yield* writeFileAtomic(path, "")
      } else {
        const tmp = tmpPathOf(path)
        // Parquet parts of one schema are joined byte for byte (no decoding, no row group in
        // memory); parts whose columns differ, and CSV/JSONL, go through DuckDB
        const joined =
          format === "parquet" &&
          (yield* Effect.tryPromise({
            try: () => concatParquet(parts, tmp),
            catch: (error) => new StorageError({ operation: "join parquet parts", path, reason: reasonOf(error) })
          }))
        if (!joined) yield* mergeParts(parts, tmp, format, path)
        yield* commitFile(tmp, path)
      }
      yield* removeDir(partsDir)
      return { rows, batches: parts.length }
    }).pipe(Effect.ensuring(Effect.ignore(removeDir(`${path}.parts.tmp`))), Effect.tapError(() => Effect.ignore(removeFile(tmpPathOf(path)))))

  return {
    withConnection,
    run,
    writeBatch,
    readParquet,
    readParquetStream: (paths, columns) => Stream.fromIterable(paths).pipe(Stream.mapEffect((path) => readParquet(path, columns))),
    query: (sql) => run("query", undefined, (connection) => readTable(connection, sql)),
    exportBatches
  }
}

/** One in-memory DuckDB for the run; closed when the scope ends (success, failure or interruption). */
export const StorageLive = (options: StorageOptions = {}): Layer.Layer<Storage, StorageError> =>
  Layer.scoped(
    Storage,
    Effect.map(
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => {
            const config: Record<string, string> = {}
            if (options.threads !== undefined) config["threads"] = String(options.threads)
            if (options.memoryLimit !== undefined) config["memory_limit"] = options.memoryLimit
            return DuckDBInstance.create(":memory:", config)
          },
          catch: (error) => new StorageError({ operation: "open duckdb", reason: reasonOf(error) })
        }),
        (instance) => Effect.sync(() => instance.closeSync())
      ),
      makeApi
    )
  )
