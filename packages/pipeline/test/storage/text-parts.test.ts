/**
 * CSV and JSONL exports written batch by batch: batches of one shape are appended to one file
 * (CSV: one header line), and the result is the file DuckDB writes when it reads the batches
 * back and unites them; batches whose columns differ are united by name, in stream order, every
 * cell as it was written (JSONL is checked the same way), a column name with a line break
 * included.
 */
import { it } from "@effect/vitest"
import { utf8Vector, withColumns } from "@hashhound/core"
import { Effect, Stream } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { quoteLiteral, Storage, StorageLive } from "../../src/storage/index.js"
import { copyOptions } from "../../src/storage/copy-sql.js"
import { unitedCsvSource } from "../../src/storage/text-parts.js"
import { plainRows, sampleBatch, sql } from "./sample-batches.js"

const dir = mkdtempSync(join(tmpdir(), "hh-text-parts-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const FORMATS = ["csv", "jsonl"] as const

describe("CSV and JSONL exports written batch by batch", () => {
  it.effect("batches of one shape appended to one file read back as DuckDB's union of them writes them", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const batches = [sampleBatch(700, 21), sampleBatch(1, 22), sampleBatch(0, 23), sampleBatch(350, 24)]
      const path = join(dir, "joined.csv")
      const summary = yield* storage.exportBatches(Stream.fromIterable(batches), path, "csv")
      expect(summary).toEqual({ rows: 1051, batches: 4 })
      const joined = readFileSync(path, "utf8")
      const lines = joined.split("\n").filter((line) => line !== "")
      expect(lines.length).toBe(1052)
      expect(lines.filter((line) => line.startsWith("flow_id,")).length).toBe(1)

      // the same parts through DuckDB's reader and writer: the same bytes
      const parts = batches.map((_, index) => join(dir, `one-shape-${index}.csv`))
      for (const [index, batch] of batches.entries()) yield* storage.writeBatch(batch, parts[index]!, "csv")
      const united = join(dir, "united-one-shape.csv")
      yield* sql(`COPY (SELECT * FROM ${unitedCsvSource(parts)}) TO ${quoteLiteral(united)} (${copyOptions("csv")})`)
      expect(readFileSync(united, "utf8")).toBe(joined)
    }).pipe(Effect.provide(StorageLive())))

  for (const format of FORMATS) {
    it.effect(`${format}: parts whose columns differ are united by name, rows in stream order, cells as written`, () =>
      Effect.gen(function* () {
        const storage = yield* Storage
        const full = sampleBatch(60, 31)
        const narrow = sampleBatch(40, 32).select(["flow_id", "dataset", "capture", "batch", "fwd_bytes", "splt_len", "tls_sni"])
        const path = join(dir, `mixed.${format}`)
        const none = sampleBatch(0, 33).select(["flow_id", "dataset", "capture", "batch", "fwd_bytes", "tls_ja4"])
        yield* storage.exportBatches(Stream.fromIterable([full, narrow, none, full]), path, format)
        const source =
          format === "csv"
            ? `read_csv('${path}', header = true, all_varchar = true)`
            : `read_json('${path}', format = 'newline_delimited')`
        const back = yield* sql(`SELECT flow_id, fwd_bytes, bwd_bytes, tls_sni, splt_len FROM ${source}`)
        const expected = [...plainRows(full), ...plainRows(narrow), ...plainRows(full)]
        expect(back.map((row) => row["flow_id"])).toEqual(expected.map((row) => row["flow_id"]))
        expect(back.slice(60, 100).every((row) => row["bwd_bytes"] === null)).toBe(true)
        for (const [index, row] of back.entries()) {
          const want = expected[index]!
          expect(row["fwd_bytes"] === null ? null : Number(row["fwd_bytes"])).toEqual(want["fwd_bytes"])
          expect(row["tls_sni"]).toEqual(want["tls_sni"])
          const list = row["splt_len"]
          const parsed =
            list === null
              ? null
              : typeof list === "string"
                ? (JSON.parse(list) as unknown)
                : Array.from(list as Iterable<unknown>, (item) => (typeof item === "bigint" ? Number(item) : item))
          expect(parsed).toEqual(want["splt_len"])
        }
      }).pipe(Effect.provide(StorageLive())))
  }

  it.effect("a column name with a line break (a header over two lines) is written and read back", () =>
    Effect.gen(function* () {
      const storage = yield* Storage
      const noted = (seed: number) => {
        const batch = sampleBatch(20, seed)
        return withColumns(batch, { "note\nline": utf8Vector(Array.from({ length: 20 }, (_, row) => `n${seed}-${row}`)) })
      }
      const path = join(dir, "two-line-header.csv")
      yield* storage.exportBatches(Stream.fromIterable([noted(51), noted(52)]), path, "csv")
      const back = yield* sql(`SELECT flow_id, "note\nline" AS note FROM read_csv('${path}', header = true, all_varchar = true)`)
      expect(back.map((row) => row["note"])).toEqual([51, 52].flatMap((seed) => Array.from({ length: 20 }, (_, row) => `n${seed}-${row}`)))
      expect(back.map((row) => row["flow_id"])).toEqual([...plainRows(noted(51)), ...plainRows(noted(52))].map((row) => row["flow_id"]))
    }).pipe(Effect.provide(StorageLive())))
})
