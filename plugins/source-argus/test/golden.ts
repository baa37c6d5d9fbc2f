/**
 * A small golden-case runner for file sources: every `testcases/<case>/config.yaml` (one stage
 * entry, paths relative to the shared fixtures folder) is made, planned and read, and the
 * summary of what came out is compared with `testcases/<case>/expected.json`.
 *
 * Holds: the summary (rows, batches, unit ids, findings by code, label_raw counts, column
 * sums, minima, maxima and null counts, value counts of a few key columns, first rows) and the comparison. `HASHHOUND_UPDATE_GOLDEN=1` rewrites
 * expected.json from the current output (review the diff before keeping it).
 * Does not hold: the testkit's shared golden runner (this one is local to the plugin until that
 * exists; each flow-export plugin carries an identical copy).
 */
import { it } from "@effect/vitest"
import type { AnyPlugin, SourceEvent, SourceStage } from "@hashhound/core"
import { fixturesDir } from "@hashhound/testkit"
import { Chunk, Effect, Stream } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect } from "vitest"
import { parse } from "yaml"

export interface GoldenSummary {
  units: Array<string>
  rows: number
  rows_per_unit: Record<string, number>
  batches: number
  columns: Array<string>
  findings: Record<string, number>
  label_raw: Record<string, number>
  sums: Record<string, number>
  min: Record<string, number>
  max: Record<string, number>
  nulls: Record<string, number>
  counts: Record<string, Record<string, number>>
  first_rows: Array<Record<string, unknown>>
}

/** Low-cardinality string columns whose values are counted. */
const COUNTED: ReadonlySet<string> = new Set(["end_reason", "biflow_pairing", "app_proto", "protocol", "ip_version"])

const cellValue = (value: unknown): unknown => {
  if (typeof value === "bigint") return Number(value)
  if (value !== null && typeof value === "object" && "toArray" in value) return Array.from((value as { toArray: () => ArrayLike<unknown> }).toArray(), cellValue)
  return value ?? null
}

/** Summary of a source's events, unit by unit. */
export const summarize = (perUnit: ReadonlyArray<{ unit: string; events: ReadonlyArray<SourceEvent> }>, firstRows = 3): GoldenSummary => {
  const summary: GoldenSummary = {
    units: [],
    rows: 0,
    rows_per_unit: {},
    batches: 0,
    columns: [],
    findings: {},
    label_raw: {},
    sums: {},
    min: {},
    max: {},
    nulls: {},
    counts: {},
    first_rows: []
  }
  for (const { unit, events } of perUnit) {
    summary.units.push(unit)
    summary.rows_per_unit[unit] = 0
    for (const event of events) {
      if (event._tag === "Finding") {
        const code = event.finding.code
        summary.findings[code] = (summary.findings[code] ?? 0) + (event.finding.count ?? 1)
        continue
      }
      const batch = event.batch
      summary.batches++
      summary.rows += batch.numRows
      summary.rows_per_unit[unit] = (summary.rows_per_unit[unit] ?? 0) + batch.numRows
      if (summary.columns.length === 0) summary.columns = batch.schema.fields.map((field) => field.name)
      for (const field of batch.schema.fields) {
        const vector = batch.getChild(field.name)
        if (vector === null) continue
        for (let row = 0; row < batch.numRows; row++) {
          const value = cellValue(vector.get(row))
          if (value === null) summary.nulls[field.name] = (summary.nulls[field.name] ?? 0) + 1
          else if (typeof value === "number") {
            summary.sums[field.name] = (summary.sums[field.name] ?? 0) + value
            summary.min[field.name] = Math.min(summary.min[field.name] ?? value, value)
            summary.max[field.name] = Math.max(summary.max[field.name] ?? value, value)
          }
          if (COUNTED.has(field.name)) {
            const counts = (summary.counts[field.name] ??= {})
            const key = value === null ? "null" : String(value)
            counts[key] = (counts[key] ?? 0) + 1
          }
          if (field.name === "label_raw") {
            const key = value === null ? "null" : String(value)
            summary.label_raw[key] = (summary.label_raw[key] ?? 0) + 1
          }
        }
      }
      for (let row = 0; row < batch.numRows && summary.first_rows.length < firstRows; row++) {
        const record: Record<string, unknown> = {}
        for (const field of batch.schema.fields) record[field.name] = cellValue(batch.getChild(field.name)?.get(row))
        summary.first_rows.push(record)
      }
    }
  }
  for (const [name, sum] of Object.entries(summary.sums)) summary.sums[name] = Number(sum.toPrecision(15))
  return summary
}

/** Make the stage from a config entry, plan it under `baseDir` and read every unit. */
export const readAll = (plugin: AnyPlugin, entry: Record<string, unknown>, baseDir: string) =>
  Effect.gen(function* () {
    const { type: _type, ...raw } = entry
    const stage = (yield* plugin.make(raw)) as SourceStage
    const ctx = { dataset: "golden", baseDir, workDir: mkdtempSync(join(tmpdir(), "hh-golden-")) }
    const units = yield* stage.plan(ctx)
    const out: Array<{ unit: string; events: ReadonlyArray<SourceEvent> }> = []
    for (const unit of units) {
      const events = yield* Stream.runCollect(stage.read(unit, ctx))
      out.push({ unit: unit.id, events: Chunk.toReadonlyArray(events) })
    }
    return out
  })

const close = (actual: unknown, expected: unknown, where: string): void => {
  if (typeof expected === "number" && typeof actual === "number") {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected))
    if (Math.abs(actual - expected) > tolerance) expect.fail(`${where}: expected ${expected}, got ${actual}`)
    return
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    expect(actual.length, `${where} length`).toBe(expected.length)
    expected.forEach((value, index) => close(actual[index], value, `${where}[${index}]`))
    return
  }
  if (expected !== null && typeof expected === "object" && actual !== null && typeof actual === "object") {
    const a = actual as Record<string, unknown>
    const e = expected as Record<string, unknown>
    expect(Object.keys(a).sort(), `${where} keys`).toEqual(Object.keys(e).sort())
    for (const key of Object.keys(e)) close(a[key], e[key], `${where}.${key}`)
    return
  }
  expect(actual, where).toEqual(expected)
}

/** One `it.effect` per folder under `casesDir`; each compares the keys its expected.json lists. */
export const goldenCases = (plugin: AnyPlugin, casesDir: string): void => {
  const cases = existsSync(casesDir) ? readdirSync(casesDir).filter((name) => existsSync(join(casesDir, name, "config.yaml"))) : []
  for (const name of cases.sort()) {
    it.effect(`golden ${name}`, () =>
      Effect.gen(function* () {
        const entry = parse(readFileSync(join(casesDir, name, "config.yaml"), "utf8")) as Record<string, unknown>
        expect(entry["type"]).toBe(plugin.id)
        const summary = summarize(yield* readAll(plugin, entry, fixturesDir()))
        const expectedPath = join(casesDir, name, "expected.json")
        if (process.env["HASHHOUND_UPDATE_GOLDEN"] === "1") writeFileSync(expectedPath, `${JSON.stringify(summary, null, 2)}\n`)
        if (!existsSync(expectedPath)) expect.fail(`${expectedPath} is missing (HASHHOUND_UPDATE_GOLDEN=1 writes it)`)
        const expected = JSON.parse(readFileSync(expectedPath, "utf8")) as Record<string, unknown>
        const actual = summary as unknown as Record<string, unknown>
        for (const key of Object.keys(expected)) close(actual[key], expected[key], `${name}.${key}`)
      })
    )
  }
}
