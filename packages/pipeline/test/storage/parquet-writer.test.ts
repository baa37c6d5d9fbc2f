/**
 * hashhound's own Parquet writer (`parquet-writer.ts`) and its thread (`part-writer.ts`):
 * what DuckDB reads back from its files is, cell for cell, what the batch held and what
 * DuckDB's own writer makes of the same batch (types, nulls, empty and null lists, null list
 * items, non-ASCII and long strings, int64 beyond 2^53, -0, NaN and infinities); dictionaries
 * and statistics are what they claim; the worker writes the same bytes as this thread (Parquet,
 * CSV and JSONL parts), frees the batch's buffers at once and reports a failure with its reason.
 */
import { it } from "@effect/vitest"
import { Bool, Int32, makeData, makeVector, Table, Utf8 } from "apache-arrow"
import { Effect } from "effect"
import fc from "fast-check"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { Storage, StorageLive, storedColumns, type StoredColumn } from "../../src/storage/index.js"
import { columnImage, PartWriter } from "../../src/storage/part-writer.js"
import { writeParquetFile } from "../../src/storage/parquet-writer.js"
import { writeTextFile } from "../../src/storage/text-writer.js"
import type { FlowBatch } from "@hashhound/core"
import { int64Vector, listVector, plainRows, sampleBatch, sql } from "./sample-batches.js"

const dir = mkdtempSync(join(tmpdir(), "hh-parquet-writer-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const columnsOf = (batch: FlowBatch): ReadonlyArray<StoredColumn> => {
  const planned = storedColumns(batch)
  if ("problem" in planned) throw new Error(planned.problem)
  return planned.columns
}

let files = 0
/** The batch written by this writer (in this thread) and by DuckDB; both paths. */
const writeBoth = (batch: FlowBatch) =>
  Effect.gen(function* () {
    const ours = join(dir, `ours-${++files}.parquet`)
    const duck = join(dir, `duck-${files}.parquet`)
    writeParquetFile(ours, columnsOf(batch).map(columnImage), batch.numRows)
    yield* (yield* Storage).writeBatch(batch, duck)
    return { ours, duck }
  })

/** Every column as text (exact for int64 and -0), in file order. */
const asText = (path: string) =>
  Effect.gen(function* () {
    const described = yield* sql(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
    const select = described.map((column) => `CAST("${String(column["column_name"])}" AS VARCHAR) AS "${String(column["column_name"])}"`).join(", ")
    return yield* sql(`SELECT ${select} FROM read_parquet('${path}')`)
  })

const typesOf = (path: string) =>
  Effect.map(sql(`DESCRIBE SELECT * FROM read_parquet('${path}')`), (rows) => rows.map((row) => `${String(row["column_name"])}:${String(row["column_type"])}`))

describe("the Parquet writer", () => {
  it.effect("every catalogue column, nulls and chunked vectors: DuckDB reads what the batch held and what its own writer wrote", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(5000, 7).concat(sampleBatch(700, 8))
      expect(batch.getChild("fwd_bytes")!.data.length).toBe(2)
      const { ours, duck } = yield* writeBoth(batch)
      expect(yield* typesOf(ours)).toEqual(yield* typesOf(duck))
      expect(plainRows(yield* (yield* Storage).readParquet(ours))).toEqual(plainRows(batch))
      expect(yield* asText(ours)).toEqual(yield* asText(duck))
      // GZIP, but for chunks of under 512 bytes (not worth a deflate)
      const codecs = yield* sql(`SELECT compression, min(total_uncompressed_size) AS smallest FROM parquet_metadata('${ours}') GROUP BY ALL ORDER BY 1`)
      expect(codecs.map((codec) => codec["compression"])).toEqual(["GZIP", "UNCOMPRESSED"])
      expect(Number(codecs[0]!["smallest"])).toBeGreaterThanOrEqual(512)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("edge values: int64 beyond 2^53, int32 limits, -0, NaN, infinities, empty and long strings, null list items", () =>
    Effect.gen(function* () {
      const long = "x".repeat(300)
      const table = new Table({
        i64: int64Vector([9007199254740993n, -9223372036854775808n, 9223372036854775807n, null, 0n, -1n, 1n << 40n, 9007199254740993n]),
        i32: makeVector(Int32Array.from([2147483647, -2147483648, 0, 7, 7, 7, 7, 7])),
        f64: makeVector(Float64Array.from([-0, 0, Number.NaN, Infinity, -Infinity, 0, 1.5e-300, -0])),
        b: makeVector(makeData({ type: new Bool(), length: 8, nullCount: 1, nullBitmap: Uint8Array.of(0b11111011), data: Uint8Array.of(0b10100101) })),
        s: makeVector(makeData({ type: new Utf8(), length: 8, nullCount: 1, nullBitmap: Uint8Array.of(0b11101111), valueOffsets: Int32Array.from([0, 0, 3, 3 + long.length, 3 + long.length + 9, 3 + long.length + 9, 3 + long.length + 10, 3 + long.length + 11, 3 + long.length + 12]), data: new TextEncoder().encode(`abc${long}日本語ab`.padEnd(3 + long.length + 12, "z")) })),
        li: listVector([[1, null, 3], [], null, [null], [2147483647], [], [5, 5, 5, 5, 5, 5, 5, 5, 5, 5], null], false),
        lf: listVector([[-0, Number.NaN], null, [], [Infinity, null], [0.1], [1, 2], null, []], true)
      })
      const { ours, duck } = yield* writeBoth(table as FlowBatch)
      expect(yield* typesOf(ours)).toEqual(["i64:BIGINT", "i32:INTEGER", "f64:DOUBLE", "b:BOOLEAN", "s:VARCHAR", "li:INTEGER[]", "lf:DOUBLE[]"])
      const text = yield* asText(ours)
      // DuckDB's own writer folds +0 into a -0 already in its dictionary ("-0.0" in rows 1 and 5): f64 is checked on its own
      const withoutDoubles = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map(({ f64: _, ...rest }) => rest)
      expect(withoutDoubles(text)).toEqual(withoutDoubles(yield* asText(duck)))
      expect(text.map((row) => row["i64"])).toEqual(["9007199254740993", "-9223372036854775808", "9223372036854775807", null, "0", "-1", "1099511627776", "9007199254740993"])
      expect(text.map((row) => row["f64"])).toEqual(["-0.0", "0.0", "nan", "inf", "-inf", "0.0", "1.5e-300", "-0.0"])
      expect(text[2]!["s"]).toBe(long)
      expect(text[0]!["s"]).toBe("")
      expect(text[4]!["s"]).toBeNull()
      expect(text.map((row) => row["li"])).toEqual(["[1, NULL, 3]", "[]", null, "[NULL]", "[2147483647]", "[]", "[5, 5, 5, 5, 5, 5, 5, 5, 5, 5]", null])
    }).pipe(Effect.provide(StorageLive())))

  it.effect("dictionaries for few distinct values, PLAIN for many; statistics are the columns' own min, max and null count", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(3000, 21)
      const { ours } = yield* writeBoth(batch)
      const chunks = yield* sql(
        `SELECT path_in_schema AS name, encodings, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata('${ours}')`
      )
      const byName = new Map(chunks.map((chunk) => [String(chunk["name"]), chunk]))
      expect(byName.get("dataset")!["encodings"]).toContain("PLAIN_DICTIONARY")
      expect(byName.get("batch")!["encodings"]).toContain("PLAIN_DICTIONARY")
      expect(byName.get("flow_id")!["encodings"]).not.toContain("DICTIONARY")
      for (const name of ["fwd_bytes", "src_port", "duration_s", "tls_sni"]) {
        const [truth] = yield* sql(`SELECT min("${name}")::VARCHAR AS lo, max("${name}")::VARCHAR AS hi, count(*) - count("${name}") AS nulls FROM read_parquet('${ours}')`)
        const chunk = byName.get(name)!
        expect([chunk["lo"], chunk["hi"], Number(chunk["nulls"])], name).toEqual([truth!["lo"], truth!["hi"], Number(truth!["nulls"])])
      }
      // statistics prune: a value above the maximum reads no row group
      const [over] = yield* sql(`SELECT count(*) AS n FROM read_parquet('${ours}') WHERE fwd_bytes > ${2 ** 41}`)
      expect(Number(over!["n"])).toBe(0)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("property: random runs, nulls and list shapes round-trip as DuckDB's writer has them", () =>
    Effect.gen(function* () {
      const cell = fc.option(fc.oneof(fc.constantFrom(0, 1, -1, 7), fc.integer()), { nil: null, freq: 6 })
      const runs = fc.array(fc.tuple(cell, fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 40 })
      const lists = fc.array(fc.option(fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: null, freq: 5 }), { maxLength: 12 }), { nil: null, freq: 5 }), {
        minLength: 1,
        maxLength: 200
      })
      const words = fc.array(fc.option(fc.constantFrom("", "a", "pool.example", "日本"), { nil: null, freq: 5 }), { minLength: 1, maxLength: 300 })
      const cases = fc.sample(fc.tuple(runs, lists, words), { numRuns: 25, seed: 42 })
      for (const [runList, listRows, wordRows] of cases) {
        const ints = runList.flatMap(([value, count]) => Array.from({ length: count }, () => value))
        const rows = Math.min(ints.length, listRows.length, wordRows.length)
        const valid = (cells: ReadonlyArray<unknown>) => {
          const bitmap = new Uint8Array((rows + 7) >> 3)
          for (let row = 0; row < rows; row++) if (cells[row] !== null) bitmap[row >> 3]! |= 1 << (row & 7)
          return bitmap
        }
        const text = wordRows.slice(0, rows).map((word) => word ?? "")
        const ends = Int32Array.from({ length: rows + 1 }, (_, row) => new TextEncoder().encode(text.slice(0, row).join("")).length)
        const table = new Table({
          n: makeVector(makeData({ type: new Int32(), length: rows, nullCount: ints.slice(0, rows).filter((v) => v === null).length, nullBitmap: valid(ints), data: Int32Array.from(ints.slice(0, rows), (v) => v ?? 0) })),
          l: listVector(listRows.slice(0, rows), false),
          w: makeVector(makeData({ type: new Utf8(), length: rows, nullCount: wordRows.slice(0, rows).filter((v) => v === null).length, nullBitmap: valid(wordRows), valueOffsets: ends, data: new TextEncoder().encode(text.join("")) }))
        })
        const { ours, duck } = yield* writeBoth(table as FlowBatch)
        expect(yield* asText(ours)).toEqual(yield* asText(duck))
      }
    }).pipe(Effect.provide(StorageLive())), 60_000)

  it.effect("no rows: one column, no row group, readable", () =>
    Effect.gen(function* () {
      const path = join(dir, "empty.parquet")
      writeParquetFile(path, [{ name: "flow_id", kind: "utf8", pieces: null }], 0)
      expect(yield* typesOf(path)).toEqual(["flow_id:VARCHAR"])
      const [meta] = yield* sql(`SELECT num_rows, num_row_groups FROM parquet_file_metadata('${path}')`)
      expect([Number(meta!["num_rows"]), Number(meta!["num_row_groups"])]).toEqual([0, 0])
    }).pipe(Effect.provide(StorageLive())))
})

/** `use` with a new part writer, closed (its thread ended) however `use` ends. */
const withWriter = <A, E, R>(use: (writer: PartWriter) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(Effect.sync(() => new PartWriter()), use, (writer) => Effect.promise(() => writer.close()))

describe("the part writer's thread", () => {
  it.effect("writes the bytes this thread writes; the batch's buffers may change as soon as write returns", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(4000, 31)
      const here = join(dir, "here.parquet")
      writeParquetFile(here, columnsOf(batch).map(columnImage), batch.numRows)
      yield* withWriter((writer) =>
        Effect.gen(function* () {
          yield* Effect.promise(() => writer.start())
          const there = join(dir, "there.parquet")
          const written = writer.write(there, columnsOf(batch), batch.numRows)
          // overwrite every buffer of the batch before the worker has written the part
          for (const data of batch.data) {
            for (const child of data.children) {
              const values = child.values as ArrayBufferView | undefined
              if (values !== undefined) new Uint8Array(values.buffer, values.byteOffset, values.byteLength).fill(0)
            }
          }
          yield* Effect.promise(() => written)
          expect(readFileSync(there).equals(readFileSync(here))).toBe(true)
          const second = sampleBatch(10, 32)
          const again = join(dir, "again.parquet")
          yield* Effect.promise(() => writer.write(again, columnsOf(second), second.numRows))
          expect(plainRows(yield* (yield* Storage).readParquet(again))).toEqual(plainRows(second))
          expect(writer.written).toEqual({ here: 0, thread: 2 })
        })
      )
    }).pipe(Effect.provide(StorageLive())))

  it.effect("parts that come before the thread is ready are written on the calling thread, with the same bytes", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(300, 34)
      const here = join(dir, "before-ready-here.parquet")
      writeParquetFile(here, columnsOf(batch).map(columnImage), batch.numRows)
      yield* withWriter((writer) =>
        Effect.gen(function* () {
          const ready = writer.start()
          // the thread cannot have loaded its module yet: nothing has run since it was started
          const early = join(dir, "before-ready.parquet")
          yield* Effect.promise(() => writer.write(early, columnsOf(batch), batch.numRows))
          expect(writer.written).toEqual({ here: 1, thread: 0 })
          expect(readFileSync(early).equals(readFileSync(here))).toBe(true)
          yield* Effect.promise(() => ready)
          const late = join(dir, "after-ready.parquet")
          yield* Effect.promise(() => writer.write(late, columnsOf(batch), batch.numRows))
          expect(writer.written).toEqual({ here: 1, thread: 1 })
          expect(readFileSync(late).equals(readFileSync(here))).toBe(true)
        })
      )
    }))

  it.effect("CSV and JSONL parts: the thread writes the bytes this thread writes", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(2000, 35)
      yield* withWriter((writer) =>
        Effect.gen(function* () {
          yield* Effect.promise(() => writer.start())
          for (const format of ["csv", "jsonl"] as const) {
            const here = join(dir, `here.${format}`)
            writeTextFile(here, format, columnsOf(batch).map(columnImage), batch.numRows)
            const there = join(dir, `there.${format}`)
            yield* Effect.promise(() => writer.write(there, columnsOf(batch), batch.numRows, format))
            expect(readFileSync(there, "utf8"), format).toBe(readFileSync(here, "utf8"))
          }
          expect(writer.written).toEqual({ here: 0, thread: 2 })
        })
      )
    }))

  it.effect("a part that cannot be written fails with its reason, and the next one is written", () =>
    Effect.gen(function* () {
      const batch = sampleBatch(50, 33)
      yield* withWriter((writer) =>
        Effect.gen(function* () {
          yield* Effect.promise(() => writer.start())
          const failed = yield* Effect.flip(
            Effect.tryPromise({ try: () => writer.write(join(dir, "no-such-dir", "x.parquet"), columnsOf(batch), batch.numRows), catch: (error) => error })
          )
          expect(String(failed)).toMatch(/ENOENT.*no-such-dir/)
          const next = join(dir, "after-failure.parquet")
          yield* Effect.promise(() => writer.write(next, columnsOf(batch), batch.numRows))
          expect(plainRows(yield* (yield* Storage).readParquet(next))).toEqual(plainRows(batch))
        })
      )
    }).pipe(Effect.provide(StorageLive())))
})
