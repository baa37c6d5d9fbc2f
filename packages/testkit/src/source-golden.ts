/**
 * Golden cases for file sources judged by the whole of what they read: a source read reduced to
 * totals that a reviewer can check against the input (rows per unit, batches, columns,
 * findings by code, label_raw counts, per-column sums, minima, maxima and null counts, value
 * counts of a few low-cardinality columns, and the first rows).
 *
 * Holds: `sourceTotals` (the summary of a `SourceRead`) and `sourceGoldenRun` (a `run` for
 * `goldenCases` / `runGoldenCase`: checks the case's `type`, reads the source with paths
 * relative to a base folder, and returns the summary).
 * Does not hold: reading the source (`contracts/source-read.ts`), the per-unit summary with
 * findings listed one by one (`summarizeSource` there), or comparing and registering cases
 * (`golden.ts`, `golden-compare.ts`).
 */
import type { ConfigError, InputError, Plugin, PluginError } from "@hashhound/core"
import { Effect } from "effect"
import { readSource, type SourceRead } from "./contracts/source-read.js"

export interface SourceTotals {
  units: Array<string>
  rows: number
  rows_per_unit: Record<string, number>
  batches: number
  /** column names of the first batch */
  columns: Array<string>
  /** finding count per code (a finding's `count`, else 1) */
  findings: Record<string, number>
  /** rows per `label_raw` value ("null" for none) */
  label_raw: Record<string, number>
  /** per numeric column, rounded to 15 significant digits */
  sums: Record<string, number>
  min: Record<string, number>
  max: Record<string, number>
  nulls: Record<string, number>
  /** per counted column, rows per value ("null" for none) */
  counts: Record<string, Record<string, number>>
  first_rows: Array<Record<string, unknown>>
}

export interface SourceTotalsOptions {
  /** rows copied whole into `first_rows` (default 3) */
  readonly firstRows?: number
  /** low-cardinality columns whose values are counted (default: DEFAULT_COUNTED_COLUMNS) */
  readonly counted?: ReadonlyArray<string>
}

/** Columns whose values `sourceTotals` counts unless told otherwise. */
export const DEFAULT_COUNTED_COLUMNS: ReadonlyArray<string> = ["end_reason", "biflow_pairing", "app_proto", "protocol", "ip_version"]

/** An Arrow cell as plain JSON: int64 as number, list cells as arrays, missing as null. */
const cellValue = (value: unknown): unknown => {
  if (typeof value === "bigint") return Number(value)
  if (value !== null && typeof value === "object" && "toArray" in value) return Array.from((value as { toArray: () => ArrayLike<unknown> }).toArray(), cellValue)
  return value ?? null
}

/** The totals of a source read, unit by unit in plan order. */
export const sourceTotals = (read: SourceRead, options: SourceTotalsOptions = {}): SourceTotals => {
  const firstRows = options.firstRows ?? 3
  const counted: ReadonlySet<string> = new Set(options.counted ?? DEFAULT_COUNTED_COLUMNS)
  const summary: SourceTotals = {
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
  for (const { unit: { id: unit }, events } of read.events) {
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
          if (counted.has(field.name)) {
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

/**
 * A golden-case `run` for a file source: the case's config.yaml must name `plugin` as its
 * `type`; the stage is made, planned with paths relative to `baseDir` (for example
 * `fixturesDir()`), read to the end, and summarised with `sourceTotals`.
 */
export const sourceGoldenRun =
  (plugin: Plugin<"source">, baseDir: string, options: SourceTotalsOptions = {}) =>
  (_caseDir: string, raw: unknown): Effect.Effect<SourceTotals, ConfigError | PluginError | InputError | Error> => {
    const type = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["type"] : undefined
    if (type !== plugin.id) return Effect.fail(new Error(`config.yaml names type ${JSON.stringify(type)}, expected ${JSON.stringify(plugin.id)}`))
    return Effect.map(readSource(plugin, raw, baseDir), (read) => sourceTotals(read, options))
  }
