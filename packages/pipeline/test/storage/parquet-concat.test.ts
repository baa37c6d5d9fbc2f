/**
 * Joining Parquet parts without decoding them: every value, list and null reads back through
 * DuckDB as the batches held it, offsets and statistics stay usable (row-group pruning, bloom
 * filters), footers re-encode byte for byte, parts of different shapes fall back to the
 * union by name, and a damaged part is a StorageError.
 */
import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { concatParquet, readParquetFooter } from "../../src/storage/parquet-concat.js"
import { Storage, StorageLive } from "../../src/storage/index.js"
import { decodeStruct, encodeStruct, fieldOf, T_I32, T_I64, type ThriftList, type ThriftStruct } from "../../src/storage/thrift-compact.js"
import { plainRows, sampleBatch, sql } from "./sample-batches.js"

const dir = mkdtempSync(join(tmpdir(), "hh-concat-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("parquet parts joined as they are", () => {
  it.effect("every cell of every part reads back in order, one row group per part (the export's own parts: GZIP)", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const batches = [sampleBatch(3000, 1), sampleBatch(17, 2), sampleBatch(1200, 3), sampleBatch(1, 4)]
      const path = join(dir, "joined.parquet")
      const summary = yield* storage.exportBatches(Stream.fromIterable(batches), path, "parquet")
      expect(summary).toEqual({ rows: 4218, batches: 4 })

      const back = yield* storage.readParquet(path)
      expect(plainRows(back)).toEqual(batches.flatMap(plainRows))

      const groups = yield* sql(
        `SELECT row_group_id, any_value(row_group_num_rows) AS rows, min(compression) AS codec FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`
      )
      expect(groups.map((g) => Number(g["rows"]))).toEqual([3000, 17, 1200, 1])
      // a chunk of under 512 bytes is not compressed: the one-row part has only such chunks
      expect(groups.map((g) => String(g["codec"]))).toEqual(["GZIP", "GZIP", "GZIP", "UNCOMPRESSED"])
      const [meta] = yield* sql(`SELECT num_rows, num_row_groups FROM parquet_file_metadata('${path}')`)
      expect(Number(meta!["num_rows"])).toBe(4218)
      expect(Number(meta!["num_row_groups"])).toBe(4)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("statistics and bloom filters point at the moved bytes: filtered reads agree with a full scan", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      // parts as DuckDB writes them (zstd, bloom filters), joined directly
      const batches = Array.from({ length: 6 }, (_, index) => sampleBatch(500, 40 + index))
      const parts = batches.map((_, index) => join(dir, `duck-part-${index}.parquet`))
      for (const [index, batch] of batches.entries()) yield* storage.writeBatch(batch, parts[index]!)
      const path = join(dir, "filtered.parquet")
      expect(yield* Effect.promise(() => concatParquet(parts, path))).toBe(true)
      const rows = batches.flatMap(plainRows)
      const target = rows[2600]!
      const flowId = String(target["flow_id"])
      const byId = yield* sql(`SELECT flow_id, fwd_bytes FROM read_parquet('${path}') WHERE flow_id = '${flowId}'`)
      expect(byId.map((row) => row["flow_id"])).toEqual([flowId])
      const threshold = Number(target["fwd_bytes"])
      const expectedCount = rows.filter((row) => row["fwd_bytes"] !== null && Number(row["fwd_bytes"]) > threshold).length
      const [counted] = yield* sql(`SELECT count(*) AS n FROM read_parquet('${path}') WHERE fwd_bytes > ${threshold}`)
      expect(Number(counted!["n"])).toBe(expectedCount)
      // `batch` is one value per part: dictionary-encoded, with a bloom filter in every part
      const blooms = yield* sql(
        `SELECT count(*) AS n FROM parquet_metadata('${path}') WHERE path_in_schema = 'batch' AND bloom_filter_offset IS NOT NULL`
      )
      expect(Number(blooms[0]!["n"])).toBe(6)
      const [inPart] = yield* sql(`SELECT count(*) AS n FROM read_parquet('${path}') WHERE batch = 42`)
      expect(Number(inPart!["n"])).toBe(500)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("a footer decodes and encodes to the same bytes", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const path = join(dir, "one.parquet")
      yield* storage.writeBatch(sampleBatch(800, 9), path)
      const bytes = readFileSync(path)
      const length = bytes.readUInt32LE(bytes.length - 8)
      const footer = bytes.subarray(bytes.length - 8 - length, bytes.length - 8)
      const { value, end } = decodeStruct(footer)
      expect(end).toBe(footer.length)
      expect(Buffer.from(encodeStruct(value)).equals(footer)).toBe(true)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("an offset index (absolute page offsets inside the copied bytes) is dropped, a column index kept", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const path = join(dir, "indexed.parquet")
      yield* storage.writeBatch(sampleBatch(200, 21), path)
      // DuckDB writes no page index: give the first chunk an offset index and a column index reference
      const bytes = readFileSync(path)
      const length = bytes.readUInt32LE(bytes.length - 8)
      const { value: metadata } = decodeStruct(bytes.subarray(bytes.length - 8 - length, bytes.length - 8))
      const chunkOf = (meta: ThriftStruct): ThriftStruct => {
        const group = (fieldOf(meta, 4)!.value as ThriftList).items[0] as ThriftStruct
        return (fieldOf(group, 1)!.value as ThriftList).items[0] as ThriftStruct
      }
      const chunk = chunkOf(metadata)
      chunk.fields.push(
        { id: 4, type: T_I64, value: 10n },
        { id: 5, type: T_I32, value: 3 },
        { id: 6, type: T_I64, value: 20n },
        { id: 7, type: T_I32, value: 4 }
      )
      chunk.fields.sort((a, b) => a.id - b.id)
      const footer = Buffer.from(encodeStruct(metadata))
      const tail = Buffer.alloc(8)
      tail.writeUInt32LE(footer.length, 0)
      tail.write("PAR1", 4, "latin1")
      const indexed = join(dir, "indexed-edited.parquet")
      writeFileSync(indexed, Buffer.concat([bytes.subarray(0, bytes.length - 8 - length), footer, tail]))

      const joined = join(dir, "indexed-joined.parquet")
      expect(yield* Effect.promise(() => concatParquet([path, indexed], joined))).toBe(true)
      const groups = (fieldOf((yield* Effect.promise(() => readParquetFooter(joined))).metadata, 4)!.value as ThriftList).items
      const second = (fieldOf(groups[1] as ThriftStruct, 1)!.value as ThriftList).items[0] as ThriftStruct
      const delta = BigInt(bytes.length - 8 - length - 4)
      expect(second.fields.map((field) => field.id)).not.toContain(4)
      expect(second.fields.map((field) => field.id)).not.toContain(5)
      expect(fieldOf(second, 6)!.value).toBe(20n + delta)
      expect(fieldOf(second, 7)!.value).toBe(4)
    }).pipe(Effect.provide(StorageLive())))

  it.effect("parts with different columns are not joined byte-wise; the export unites them by name", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const full = sampleBatch(50, 11)
      const narrow = sampleBatch(30, 12).select(["flow_id", "dataset", "capture", "batch", "fwd_bytes"])
      const a = join(dir, "a.parquet")
      const b = join(dir, "b.parquet")
      yield* storage.writeBatch(full, a)
      yield* storage.writeBatch(narrow, b)
      expect(yield* Effect.promise(() => concatParquet([a, b], join(dir, "ab.parquet")))).toBe(false)

      const path = join(dir, "united.parquet")
      yield* storage.exportBatches(Stream.fromIterable([full, narrow]), path, "parquet")
      const back = yield* sql(`SELECT flow_id, fwd_bytes, bwd_bytes FROM read_parquet('${path}')`)
      expect(back.length).toBe(80)
      expect(back.slice(50).every((row) => row["bwd_bytes"] === null)).toBe(true)
      expect(back.slice(50).map((row) => row["flow_id"])).toEqual(plainRows(narrow).map((row) => row["flow_id"]))
    }).pipe(Effect.provide(StorageLive())))

  it.effect("a damaged part is refused with a reason, not read past its end", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const good = join(dir, "good.parquet")
      yield* storage.writeBatch(sampleBatch(100, 13), good)
      const bytes = readFileSync(good)
      const cases: Record<string, Uint8Array> = {
        "no-magic.parquet": bytes.subarray(0, bytes.length - 1),
        "long-footer.parquet": Buffer.concat([bytes.subarray(0, bytes.length - 8), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from("PAR1")]),
        "garbled-footer.parquet": (() => {
          const copy = Buffer.from(bytes)
          const length = copy.readUInt32LE(copy.length - 8)
          copy.fill(0xf9, copy.length - 8 - length, copy.length - 8)
          return copy
        })()
      }
      for (const [name, content] of Object.entries(cases)) {
        const path = join(dir, name)
        writeFileSync(path, content)
        const error = yield* Effect.flip(Effect.tryPromise(() => readParquetFooter(path)))
        expect(String(error.error), name).toMatch(/not a Parquet file|thrift compact/)
      }
    }).pipe(Effect.provide(StorageLive())))
})
