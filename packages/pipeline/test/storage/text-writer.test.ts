/**
 * hashhound's own CSV and JSONL writer (`text-writer.ts`, `text-cells.ts`): its files are byte
 * for byte what DuckDB's `COPY … (FORMAT csv, HEADER true)` (lists as `to_json` text) and
 * `COPY … (FORMAT json)` write for the same batch, on every catalogue column, on edge values
 * (doubles at every notation boundary, -0, NaN, infinities, int64 beyond 2^53, text that must
 * be quoted or escaped, null list items) and on random doubles, text and lists.
 */
import { it } from "@effect/vitest"
import { Bool, Float64, makeData, makeVector, Table, Utf8, type Vector } from "apache-arrow"
import { Effect } from "effect"
import fc from "fast-check"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import type { FlowBatch } from "@hashhound/core"
import { Storage, StorageLive, storedColumns } from "../../src/storage/index.js"
import { writeTextFile, type TextFormat } from "../../src/storage/text-writer.js"
import { columnImage } from "../../src/storage/part-writer.js"
import { int64Vector, listVector, sampleBatch } from "./sample-batches.js"

const dir = mkdtempSync(join(tmpdir(), "hh-text-writer-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
/** The batch as `format` by this writer and by DuckDB: both files' text. */
const writeBoth = (batch: FlowBatch, format: TextFormat) =>
  Effect.gen(function* () {
    const ours = join(dir, `ours-${++files}.${format}`)
    const duck = join(dir, `duck-${files}.${format}`)
    const planned = storedColumns(batch)
    if ("problem" in planned) throw new Error(planned.problem)
    writeTextFile(ours, format, planned.columns.map(columnImage), batch.numRows)
    yield* (yield* Storage).writeBatch(batch, duck, format)
    return { ours: readFileSync(ours, "utf8"), duck: readFileSync(duck, "utf8") }
  })

const FORMATS: ReadonlyArray<TextFormat> = ["csv", "jsonl"]

/** A utf8 vector of JS strings (null: a null cell). */
const textVector = (values: ReadonlyArray<string | null>): Vector => {
  const encoder = new TextEncoder()
  const bytes = values.map((value) => encoder.encode(value ?? ""))
  const offsets = new Int32Array(values.length + 1)
  bytes.forEach((b, index) => (offsets[index + 1] = offsets[index]! + b.length))
  const data = new Uint8Array(offsets[values.length]!)
  bytes.forEach((b, index) => data.set(b, offsets[index]!))
  const valid = new Uint8Array((values.length + 7) >> 3)
  values.forEach((value, index) => {
    if (value !== null) valid[index >> 3]! |= 1 << (index & 7)
  })
  const nullCount = values.filter((value) => value === null).length
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount, nullBitmap: valid, valueOffsets: offsets, data }))
}

const doubleVector = (values: ReadonlyArray<number>): Vector => makeVector(Float64Array.from(values))

/** Doubles at each edge of DuckDB's notations, and the usual suspects. */
const EDGE_DOUBLES = [
  0, -0, 1, -1, 100, 0.5, 0.1, 0.1 + 0.2, 1 / 3, -2.5, 123456.789, 1e-4, 9.999999999999999e-5, 1e-5, 1e-6, 1e-7, 1.5e-7, 1e15,
  9999999999999998, 1e16, 12345678901234568, 1e20, 1e21, 1e22, 1.5e300, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -1656150691306394880, Number.NaN, Infinity, -Infinity, 0.000123, 65535.99999999999
]

describe("the CSV and JSONL writer", () => {
  for (const format of FORMATS) {
    it.effect(`${format}: every catalogue column, nulls and chunked vectors: DuckDB's bytes`, () =>
      Effect.gen(function* () {
        const batch = sampleBatch(3000, 7).concat(sampleBatch(500, 8))
        expect(batch.getChild("fwd_bytes")!.data.length).toBe(2)
        const { ours, duck } = yield* writeBoth(batch, format)
        expect(ours.split("\n").length).toBe(format === "csv" ? 3502 : 3501)
        expect(ours).toBe(duck)
      }).pipe(Effect.provide(StorageLive())))

    it.effect(`${format}: edge values: notation boundaries, -0, NaN, infinities, int64 beyond 2^53, quoted and escaped text, null list items`, () =>
      Effect.gen(function* () {
        const rows = EDGE_DOUBLES.length
        const pick = <T,>(values: ReadonlyArray<T>): Array<T> => Array.from({ length: rows }, (_, row) => values[row % values.length]!)
        const controls = Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join("") + "\u007f\u2028/\\"
        const table = new Table({
          f64: doubleVector(EDGE_DOUBLES),
          lf: listVector(
            EDGE_DOUBLES.map((value, row) => (row % 7 === 3 ? null : row % 5 === 1 ? [value, null] : [value])),
            true
          ),
          i64: int64Vector(pick([9007199254740993n, -9223372036854775808n, 9223372036854775807n, null, 0n, -1n, 1n << 40n, -(2n ** 53n)])),
          s: textVector(pick(["", null, "a,b", 'say "hi"', "two\nlines", "cr\rhere", " spaced ", "tab\there", "日本語", "'single'", "#", "NULL", "\\N", controls])),
          li: listVector(pick([[1, null, 3], [], null, [null], [2147483647], [-2147483648, 0]]), false),
          b: makeVector(makeData({ type: new Bool(), length: rows, nullCount: 0, data: new Uint8Array((rows + 7) >> 3).fill(0b10110010) })),
          "odd, \"name\"\\": doubleVector(pick([1.5]))
        })
        const { ours, duck } = yield* writeBoth(table as FlowBatch, format)
        expect(ours).toBe(duck)
        if (format === "csv") {
          const f64 = ours.split("\n").slice(1, 6).map((line) => line.split(",")[0])
          expect(f64).toEqual(["0.0", "-0.0", "1.0", "-1.0", "100.0"])
        }
      }).pipe(Effect.provide(StorageLive())))

    it.effect(`${format}: property: random doubles, text and lists are written as DuckDB writes them`, () =>
      Effect.gen(function* () {
        const double = fc.oneof(fc.double(), fc.double({ min: -1e6, max: 1e6 }), fc.integer().map((n) => n / 1000))
        const text = fc.option(fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.string({ unit: "binary-ascii", maxLength: 6 })), { nil: null, freq: 8 })
        const list = fc.option(fc.array(fc.option(double, { nil: null, freq: 8 }), { maxLength: 5 }), { nil: null, freq: 8 })
        const cases = fc.sample(fc.array(fc.tuple(double, text, list), { minLength: 1, maxLength: 150 }), { numRuns: 60, seed: 11 })
        for (const rows of cases) {
          const table = new Table({
            d: doubleVector(rows.map(([d]) => d)),
            t: textVector(rows.map(([, t]) => t)),
            l: listVector(rows.map(([, , l]) => l), true)
          })
          const { ours, duck } = yield* writeBoth(table as FlowBatch, format)
          expect(ours).toBe(duck)
        }
      }).pipe(Effect.provide(StorageLive())), 60_000)

    it.effect(`${format}: no rows: ${format === "csv" ? "the header line alone" : "an empty file"}, as DuckDB writes it`, () =>
      Effect.gen(function* () {
        const { ours, duck } = yield* writeBoth(sampleBatch(0, 3), format)
        expect(ours).toBe(duck)
        expect(ours.split("\n")[0]).toMatch(format === "csv" ? /^flow_id,dataset,capture,/ : /^$/)
      }).pipe(Effect.provide(StorageLive())))
  }
})
