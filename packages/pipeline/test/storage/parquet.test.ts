/**
 * Storage: FlowBatch → Parquet (zstd, catalogue types) → FlowBatch round trips, what an outside
 * DuckDB reads, CSV/JSONL export, and write/read throughput.
 */
import { it } from "@effect/vitest"
import { COLUMN_BY_NAME, columnBuffers, FlowBatchBuilder } from "@hashhound/core"
import { Effect, Stream } from "effect"
import { Int32, makeData, makeVector, Null, Table } from "apache-arrow"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { Storage, StorageError, StorageLive } from "../../src/storage/index.js"
import { plainRows, sampleBatch, sql } from "./sample-batches.js"

const dir = mkdtempSync(join(tmpdir(), "hh-storage-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const duckTypes: Record<string, string> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float64: "DOUBLE",
  utf8: "VARCHAR",
  bool: "BOOLEAN",
  list_int32: "INTEGER[]",
  list_float64: "DOUBLE[]"
}

describe("parquet storage", () => {
  it.effect("round-trips every catalogue column, nulls and chunked vectors included", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const first = sampleBatch(5000, 7)
      const second = sampleBatch(700, 8)
      const batch = first.concat(second) // two Arrow record batches: every vector has two Data pieces
      expect(batch.getChild("fwd_bytes")!.data.length).toBe(2)
      const path = join(dir, "part-00000-00000.parquet")
      yield* storage.writeBatch(batch, path)
      expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])

      const back = yield* storage.readParquet(path)
      expect(back.numRows).toBe(5700)
      // identity columns first, then the catalogue order
      expect(back.schema.fields.slice(0, 4).map((f) => f.name)).toEqual(["flow_id", "dataset", "capture", "batch"])
      const expected = plainRows(batch)
      const actual = plainRows(back)
      expect(actual.length).toBe(expected.length)
      for (let row = 0; row < expected.length; row += 97) expect(actual[row]).toEqual(expected[row])
      expect(actual).toEqual(expected)

      // what DuckDB itself sees in the file: catalogue types, zstd, same values
      const described = yield* sql(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
      for (const column of described) {
        const spec = COLUMN_BY_NAME.get(String(column["column_name"]))
        expect(spec, String(column["column_name"])).toBeDefined()
        expect(column["column_type"]).toBe(duckTypes[spec!.type])
      }
      const codecs = yield* sql(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`)
      expect(codecs.map((c) => c["compression"])).toEqual(["ZSTD"])
      const sums = yield* sql(
        `SELECT sum(fwd_bytes)::DOUBLE AS bytes, count(*) FILTER (WHERE splt_len IS NULL) AS null_lists, sum(len(splt_len)) AS items, count(*) FILTER (WHERE tls_sni LIKE '%日本') AS unicode FROM read_parquet('${path}')`
      )
      const fwd = expected.reduce((sum, row) => sum + ((row["fwd_bytes"] as number | null) ?? 0), 0)
      const nullLists = expected.filter((row) => row["splt_len"] === null).length
      const items = expected.reduce((sum, row) => sum + ((row["splt_len"] as Array<number> | null)?.length ?? 0), 0)
      const unicode = expected.filter((row) => String(row["tls_sni"]).endsWith("日本")).length
      expect(sums[0]).toEqual({ bytes: fwd, null_lists: BigInt(nullLists), items: BigInt(items), unicode: BigInt(unicode) })
    }).pipe(Effect.provide(StorageLive())))

  it.effect("writes all-null and empty batches, refuses a column that contradicts the catalogue", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const nullColumn = new Table({
        tls_sni: makeVector(makeData({ type: new Null(), length: 3, nullCount: 3 })),
        src_port: makeVector(makeData({ type: new Int32(), length: 3, data: new Int32Array([1, 2, 3]) }))
      })
      const path = join(dir, "nulls.parquet")
      yield* storage.writeBatch(nullColumn, path)
      expect(plainRows(yield* storage.readParquet(path))).toEqual([
        { src_port: 1, tls_sni: null },
        { src_port: 2, tls_sni: null },
        { src_port: 3, tls_sni: null }
      ])
      const empty = FlowBatchBuilder.forColumns(["src_ip", "splt_len"]).finish(0)
      yield* storage.writeBatch(empty, join(dir, "empty.parquet"))
      expect((yield* storage.readParquet(join(dir, "empty.parquet"))).numRows).toBe(0)

      const wrong = new Table({ fwd_bytes: makeVector(makeData({ type: new Int32(), length: 1, data: new Int32Array([1]) })) })
      const error = yield* Effect.flip(storage.writeBatch(wrong, join(dir, "wrong.parquet")))
      expect(error).toBeInstanceOf(StorageError)
      expect(error.reason).toContain("fwd_bytes is int32 but the catalogue says int64")
    }).pipe(Effect.provide(StorageLive())))

  it.effect("exports a stream of batches as CSV (lists as JSON arrays) and JSONL", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const batches = [sampleBatch(300, 1), sampleBatch(200, 2)]
      const expected = batches.flatMap(plainRows)
      const csvPath = join(dir, "flows.csv")
      const summary = yield* storage.exportBatches(Stream.fromIterable(batches), csvPath, "csv")
      expect(summary).toEqual({ rows: 500, batches: 2 })
      const csvRows = yield* sql(`SELECT flow_id, splt_len, splt_iat_ms FROM read_csv('${csvPath}', header = true, all_varchar = true)`)
      expect(csvRows.length).toBe(500)
      for (let row = 0; row < 500; row++) {
        expect(csvRows[row]!["flow_id"]).toBe(expected[row]!["flow_id"])
        const list = csvRows[row]!["splt_len"]
        expect(list === null ? null : JSON.parse(String(list))).toEqual(expected[row]!["splt_len"])
      }
      const jsonPath = join(dir, "flows.jsonl")
      yield* storage.exportBatches(Stream.fromIterable(batches), jsonPath, "jsonl")
      const lines = readFileSync(jsonPath, "utf8").trim().split("\n")
      expect(lines.length).toBe(500)
      for (let row = 0; row < 500; row += 37) {
        const parsed = JSON.parse(lines[row]!) as Record<string, unknown>
        for (const [name, value] of Object.entries(expected[row]!)) {
          if (typeof value === "number") expect(parsed[name] as number).toBeCloseTo(value, 9)
          else expect(parsed[name] ?? null).toEqual(value)
        }
      }
      expect(readdirSync(dir).filter((name) => name.includes(".tmp"))).toEqual([])
    }).pipe(Effect.provide(StorageLive())))

  it.effect("an export of many batches keeps stream order without sorting (parquet)", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const batches = Array.from({ length: 120 }, (_, index) => sampleBatch(40 + (index % 7) * 13, 100 + index))
      const expected = batches.flatMap(plainRows).map((row) => row["flow_id"])
      const path = join(dir, "ordered.parquet")
      const summary = yield* storage.exportBatches(Stream.fromIterable(batches), path, "parquet")
      expect(summary).toEqual({ rows: expected.length, batches: 120 })
      const stored = yield* sql(`SELECT flow_id FROM read_parquet('${path}')`)
      expect(stored.map((row) => row["flow_id"])).toEqual(expected)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("an export that recycles its batches writes every cell as the batch held it (later batches reuse the buffers)", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const shapes = Array.from({ length: 24 }, (_, index) => ({ rows: 300 + (index % 5) * 170, seed: 500 + index }))
      const path = join(dir, "recycled.parquet")
      const heldBefore = columnBuffers.held
      // each batch is made only when the export pulls it (one element at a time, not a chunk
      // mapped at once), so it can take buffers of a batch already written
      const made = Stream.fromIterable(shapes).pipe(Stream.mapEffect(({ rows, seed }) => Effect.sync(() => sampleBatch(rows, seed))))
      const summary = yield* storage.exportBatches(made, path, "parquet", { recycle: true })
      expect(summary.batches).toBe(24)
      expect(columnBuffers.held).toBeGreaterThan(heldBefore)
      const back = yield* storage.readParquet(path)
      expect(plainRows(back)).toEqual(shapes.flatMap(({ rows, seed }) => plainRows(sampleBatch(rows, seed))))
    }).pipe(Effect.provide(StorageLive())))

  // HH_BENCH_ROWS=200000 measures on more flows (the default keeps the suite quick)
  const benchRows = Number(process.env["HH_BENCH_ROWS"] ?? 50_000)
  it.effect(`measures Parquet write and read throughput (${benchRows} flows, every catalogue column)`, () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const one = sampleBatch(Math.min(benchRows, 50_000), 100)
      const batches = Array.from({ length: Math.ceil(benchRows / one.numRows) }, () => one)
      const total = batches.length * one.numRows
      const started = performance.now()
      for (const [index, batch] of batches.entries()) yield* storage.writeBatch(batch, join(dir, `bench-${index}.parquet`))
      const seconds = (performance.now() - started) / 1000
      const rate = Math.round(total / seconds)
      console.log(`parquet write: ${total} flows × ${one.numCols} columns in ${seconds.toFixed(2)} s = ${rate} flows/s`)
      const started2 = performance.now()
      let rows = 0
      for (let index = 0; index < batches.length; index++) rows += (yield* storage.readParquet(join(dir, `bench-${index}.parquet`))).numRows
      const readSeconds = (performance.now() - started2) / 1000
      console.log(`parquet read: ${rows} flows in ${readSeconds.toFixed(2)} s = ${Math.round(rows / readSeconds)} flows/s`)
      expect(rows).toBe(total)
      expect(rate).toBeGreaterThan(2_000) // a sanity floor only: the figure is logged, and the machine may be shared
    }).pipe(Effect.provide(StorageLive())))
})
