/**
 * The Storage service: one DuckDB instance per run, and the file operations built on it.
 *
 * Holds: the `Storage` tag, `StorageLive` (a scoped Layer that opens an in-memory DuckDB the
 * first time one is needed and closes it when the run ends, is interrupted or fails), and its
 * operations: write a batch to Parquet/CSV/JSONL atomically (tmp, fsync, rename), read Parquet
 * files back as FlowBatches (one batch per file, as a Stream), run SQL, and export a stream of
 * batches into one file (what `hashhound flows --format …` writes). A Parquet export of one
 * schema is written by `parquet-writer.ts` and joined by `parquet-concat.ts`: no DuckDB at all.
 * Does not hold: the run layout, the manifest or stage logic (see `run/`).
 */
import type { DuckDBConnection } from "@duckdb/node-api"
import { columnBuffers, type ColumnType, type FlowBatch } from "@hashhound/core"
import { Context, Effect, Layer, Stream } from "effect"
import { join } from "node:path"
import { quoteIdent, quoteLiteral, storedColumns, type StoredColumn } from "./column-kinds.js"
import { reasonOf, StorageError } from "./errors.js"
import { commitFile, ensureDir, removeDir, removeFile, tmpPathOf, writeFileAtomic } from "./files.js"
import { concatParquet } from "./parquet-concat.js"
import { PartWriter } from "./part-writer.js"
import { writeParquetFile } from "./parquet-writer.js"
import { shapeOf, unitedCsvSource, unitedJsonlSource } from "./text-parts.js"
import { copyOptions, parquetSource, selectListFor, type FileFormat } from "./copy-sql.js"
import type * as DuckEngine from "./duckdb-engine.js"

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

/** Batches of an export waited for at once (on the part writer's thread while the next is read and posted). */
const EXPORT_BATCHES_IN_FLIGHT = 2

/**
 * Rows per row group when parts must be united by name (DuckDB holds one row group
 * uncompressed while writing; at 65,536 rows that was 130 MB on a 2 GB capture's flows).
 */
const EXPORT_ROW_GROUP_ROWS = 16_384

export interface StorageOptions {
  /** DuckDB worker threads (default: DuckDB's own choice, the number of cores) */
  readonly threads?: number
  /** DuckDB memory limit, e.g. `4GB` */
  readonly memoryLimit?: string
}

/** A part of an export as written: its file and its columns in file order. */
interface Written {
  readonly path: string
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnType }>
}

/** DuckDB once loaded: its module (see `duckdb-engine.ts`) and the run's instance. */
interface Loaded {
  readonly module: typeof DuckEngine
  readonly engine: DuckEngine.Engine
}

const makeApi = (load: Effect.Effect<Loaded, StorageError>): StorageApi => {
  const connect = Effect.flatMap(load, (loaded) =>
    Effect.tryPromise({
      try: async () => ({ connection: await loaded.module.connectEngine(loaded.engine), loaded }),
      catch: (error) => new StorageError({ operation: "connect", reason: reasonOf(error) })
    })
  )
  /** `use` with a fresh connection and the DuckDB module at hand; the connection closed afterwards. */
  const withLoaded = <A, E, R>(use: (connection: DuckDBConnection, loaded: Loaded) => Effect.Effect<A, E, R>): Effect.Effect<A, E | StorageError, R> =>
    Effect.acquireUseRelease(connect, ({ connection, loaded }) => use(connection, loaded), ({ connection }) => Effect.sync(() => connection.closeSync()))
  /** A Promise-returning step through `withLoaded`, its failure a StorageError. */
  const runWith = <A>(
    operation: string,
    path: string | undefined,
    step: (connection: DuckDBConnection, loaded: Loaded) => Promise<A>
  ): Effect.Effect<A, StorageError> =>
    withLoaded((connection, loaded) =>
      Effect.tryPromise({
        try: () => step(connection, loaded),
        catch: (error) => new StorageError({ operation, ...(path === undefined ? {} : { path }), reason: reasonOf(error) })
      })
    )
  const withConnection: StorageApi["withConnection"] = (use) => withLoaded((connection) => use(connection))
  const run: StorageApi["run"] = (operation, path, step) => runWith(operation, path, (connection) => step(connection))

  /**
   * One batch of an export handed to `writer`, with no DuckDB: its columns are planned, `place`
   * says where they go (a part of their own, or the end of a CSV or JSONL segment) and the
   * copy is posted, all at once, so that batches are placed and posted in stream order.
   * `release` is called once the batch's buffers are no longer read: as soon as they are copied
   * for the writer's thread, before the part is written. Answers the write, to be waited for.
   */
  const postPart = (
    writer: PartWriter,
    batch: FlowBatch,
    format: FileFormat,
    place: (columns: ReadonlyArray<StoredColumn>) => { readonly path: string; readonly append: boolean },
    release: () => void
  ): Effect.Effect<Effect.Effect<void, StorageError>, StorageError> => {
    const planned = storedColumns(batch)
    if ("problem" in planned) return Effect.fail(new StorageError({ operation: `write ${format}`, reason: planned.problem }))
    return Effect.sync(() => {
      const { path, append } = place(planned.columns)
      const written = writer.write(path, planned.columns, batch.numRows, format, append)
      // marked as handled: a stream that fails before waiting for it must not leave an unhandled rejection
      written.catch(() => undefined)
      release()
      return Effect.tryPromise({
        try: () => written,
        catch: (error) => new StorageError({ operation: `write ${format}`, path, reason: reasonOf(error) })
      })
    })
  }

  const writeBatch: StorageApi["writeBatch"] = (batch, path, format = "parquet") =>
    Effect.gen(function* () {
      const tmp = tmpPathOf(path)
      yield* runWith(`write ${format}`, path, (connection, { module, engine }) => module.copyBatch(connection, engine.scans, batch, tmp, format))
      yield* commitFile(tmp, path)
    })

  const readParquet: StorageApi["readParquet"] = (path, columns) =>
    runWith("read parquet", path, (connection, { module }) =>
      module.readTable(
        connection,
        `SELECT ${columns === undefined ? "*" : columns.map(quoteIdent).join(", ")} FROM read_parquet(${quoteLiteral(path)})`
      )
    )

  /**
   * Parts united by column name, rows in part order, into `tmp` (as `format`): Parquet parts
   * read as Parquet, CSV and JSONL parts as the text they are (see `text-parts.ts`).
   */
  const mergeParts = (parts: ReadonlyArray<Written>, tmp: string, format: FileFormat, path: string): Effect.Effect<void, StorageError> =>
    runWith(`write ${format}`, path, async (connection, { module }) => {
      const paths = parts.map((part) => part.path)
      const source = format === "csv" ? unitedCsvSource(paths) : format === "jsonl" ? unitedJsonlSource(parts) : parquetSource(paths, { unionByName: true })
      // no ORDER BY: with insertion order preserved (DuckDB's default) the parts are read in
      // list order and rows in file order, streaming, where a sort would hold every row
      await connection.run("SET preserve_insertion_order = true")
      const select =
        format !== "parquet"
          ? "*"
          : selectListFor((await module.describeColumns(connection, `SELECT * FROM ${source}`)).map((column) => ({ name: column.name, kind: column.kind ?? "utf8" })), format)
      await connection.run(
        `COPY (SELECT ${select} FROM ${source}) TO ${quoteLiteral(tmp)} (${copyOptions(format)}${format === "parquet" ? `, ROW_GROUP_SIZE ${EXPORT_ROW_GROUP_ROWS}` : ""})`
      )
    })

  /**
   * The parts made into one file at `tmp`: Parquet parts joined as they are when they share one
   * schema, else (and CSV or JSONL segments, which differ in columns) united by name.
   */
  const joinParts = (parts: ReadonlyArray<Written>, tmp: string, format: FileFormat, path: string): Effect.Effect<void, StorageError> =>
    Effect.gen(function* () {
      if (format === "parquet") {
        // Parquet parts of one schema are joined byte for byte (no decoding, no row group in memory)
        const joined = yield* Effect.tryPromise({
          try: () => concatParquet(parts.map((part) => part.path), tmp),
          catch: (error) => new StorageError({ operation: "join parquet parts", path, reason: reasonOf(error) })
        })
        if (joined) return
      }
      yield* mergeParts(parts, tmp, format, path)
    })

  const exportBatches: StorageApi["exportBatches"] = (batches, path, format, options = {}) =>
    Effect.gen(function* () {
      const partsDir = `${path}.parts${".tmp"}`
      yield* removeDir(partsDir)
      yield* ensureDir(partsDir)
      // Parquet: a part per batch; CSV and JSONL: a segment per run of batches of one shape
      const parts: Array<Written> = []
      let segmentShape: string | undefined
      let rows = 0
      let batchCount = 0
      const writer = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const made = new PartWriter()
          // its thread starts beside the source's planning and first batch
          void made.start()
          return made
        }),
        (started) => Effect.promise(() => started.close())
      )
      const place = (index: number) => (columns: ReadonlyArray<StoredColumn>): { readonly path: string; readonly append: boolean } => {
        const part = join(partsDir, `part-${String(index).padStart(8, "0")}.${format}`)
        if (format !== "parquet") {
          const shape = shapeOf(columns)
          if (shape === segmentShape) return { path: parts[parts.length - 1]!.path, append: true }
          segmentShape = shape
        }
        parts.push({ path: part, columns })
        return { path: part, append: false }
      }
      // a batch is written (on the part writer's thread) while the next one is read: placed and
      // posted one at a time, in stream order, then waited for; a batch is posted only while
      // fewer than two are being written (each holds a copy of its buffers)
      const slots = yield* Effect.makeSemaphore(EXPORT_BATCHES_IN_FLIGHT)
      yield* batches.pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(([batch, index]) =>
          slots.take(1).pipe(
            Effect.zipRight(
              postPart(writer, batch, format, place(index), () => {
                if (options.recycle === true) columnBuffers.recycle(batch)
              })
            ),
            Effect.map((written) => written.pipe(Effect.as(batch.numRows), Effect.ensuring(slots.release(1)))),
            Effect.tapError(() => slots.release(1))
          )
        ),
        Stream.mapEffect((written) => written, { concurrency: EXPORT_BATCHES_IN_FLIGHT }),
        Stream.runForEach((batchRows) =>
          Effect.sync(() => {
            batchCount++
            rows += batchRows
          })
        )
      )
      if (parts.length === 0) {
        if (format === "parquet") {
          const tmp = tmpPathOf(path)
          // no rows: a file with the one column `flow_id` and no row group, as DuckDB writes it
          yield* Effect.try({
            try: () => writeParquetFile(tmp, [{ name: "flow_id", kind: "utf8", pieces: null }], 0),
            catch: (error) => new StorageError({ operation: "write parquet", path, reason: reasonOf(error) })
          })
          yield* commitFile(tmp, path)
        } else yield* writeFileAtomic(path, "")
      } else if (format !== "parquet" && parts.length === 1) {
        // one segment: the export itself
        yield* commitFile(parts[0]!.path, path)
      } else {
        const tmp = tmpPathOf(path)
        yield* joinParts(parts, tmp, format, path)
        yield* commitFile(tmp, path)
      }
      yield* removeDir(partsDir)
      return { rows, batches: batchCount }
    }).pipe(
      Effect.scoped,
      Effect.ensuring(Effect.ignore(removeDir(`${path}.parts.tmp`))),
      Effect.tapError(() => Effect.ignore(removeFile(tmpPathOf(path))))
    )

  return {
    withConnection,
    run,
    writeBatch,
    readParquet,
    readParquetStream: (paths, columns) => Stream.fromIterable(paths).pipe(Stream.mapEffect((path) => readParquet(path, columns))),
    query: (sql) => runWith("query", undefined, (connection, { module }) => module.readTable(connection, sql)),
    exportBatches
  }
}

/**
 * One in-memory DuckDB for the run, opened when something first asks for it (the DuckDB module
 * is loaded then too) and closed when the scope ends (success, failure or interruption). A
 * failure to open is the StorageError of that first step.
 */
export const StorageLive = (options: StorageOptions = {}): Layer.Layer<Storage, StorageError> =>
  Layer.scoped(
    Storage,
    Effect.gen(function* () {
      const config: Record<string, string> = {}
      if (options.threads !== undefined) config["threads"] = String(options.threads)
      if (options.memoryLimit !== undefined) config["memory_limit"] = options.memoryLimit
      let opened: Loaded | undefined
      yield* Effect.addFinalizer(() => Effect.sync(() => opened?.engine.instance.closeSync()))
      const load = yield* Effect.cached(
        Effect.tryPromise({
          try: async () => {
            const module = await import("./duckdb-engine.js")
            opened = { module, engine: await module.openEngine(config) }
            return opened
          },
          catch: (error) => new StorageError({ operation: "open duckdb", reason: reasonOf(error) })
        })
      )
      return makeApi(load)
    })
  )
