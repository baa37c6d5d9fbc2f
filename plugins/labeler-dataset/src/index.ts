/**
 * `labeler.dataset`: maps a dataset's own label column (`label_raw`: CIC-IDS2017 `BENIGN`,
 * `DDoS`, …; Stratosphere `flow=From-Botnet-…`) onto hashhound's labels with an exact `map`,
 * ordered regex `patterns` and a `default`.
 *
 * Holds: the config Schema (regexes are compiled while decoding, so a bad one is a ConfigError
 * with its path), the per-batch loop (one mapping per distinct raw value) and the plugin list.
 * Does not hold: the mapping rule (`mapping.ts`).
 */
import { definePlugin, readStrings, type AnyPlugin, type Label, type LabelerStage } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { compileMapping, mapRawLabel, type Mapped } from "./mapping.js"

export const PLUGIN_ID = "labeler.dataset"

const LabelValue = Schema.Literal("mining", "benign", "unknown")

const regexProblem = (source: string): string | undefined => {
  try {
    new RegExp(source)
    return undefined
  } catch (error) {
    return `not a regular expression: ${error instanceof Error ? error.message : String(error)}`
  }
}

export const DatasetPattern = Schema.Struct({
  /** a JavaScript regular expression, searched anywhere in the value (anchor with ^…$) */
  match: Schema.String.pipe(
    Schema.minLength(1),
    Schema.filter((source) => regexProblem(source) ?? true)
  ),
  label: LabelValue
})

export const DatasetConfig = Schema.Struct({
  /** exact raw value → label */
  map: Schema.optionalWith(Schema.Record({ key: Schema.String, value: LabelValue }), { default: () => ({}) }),
  /** tried in order after `map` */
  patterns: Schema.optionalWith(Schema.Array(DatasetPattern), { default: () => [] }),
  /** label of raw values nothing matched; null = no opinion */
  default: Schema.optionalWith(Schema.NullOr(LabelValue), { default: () => null }),
  /** compare `map` keys and `patterns` ignoring case */
  case_insensitive: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).pipe(
  Schema.filter((config) => {
    if (Object.keys(config.map).length === 0 && config.patterns.length === 0 && config.default === null)
      return "give map, patterns or default (else this labeler never has an opinion)"
    if (!config.case_insensitive) return true
    const seen = new Map<string, Label>()
    for (const [key, label] of Object.entries(config.map)) {
      const folded = key.trim().toLowerCase()
      const before = seen.get(folded)
      if (before !== undefined && before !== label) return `map keys that differ only in case give different labels (${JSON.stringify(key)})`
      seen.set(folded, label)
    }
    return true
  })
)
export type DatasetConfig = typeof DatasetConfig.Type

export const datasetLabeler = definePlugin({
  id: PLUGIN_ID,
  kind: "labeler",
  version: "0.1.0",
  summary: "maps a dataset's own label column (label_raw) onto mining, benign or unknown",
  config: DatasetConfig,
  requires: ["label_raw"],
  provides: ["label", "label_detail"],
  make: (config) =>
    Effect.sync((): LabelerStage => {
      const mapping = compileMapping(config)
      return {
        label: (batch) =>
          Effect.sync(() => {
            const rows = batch.numRows
            const label = new Array<Label | null>(rows).fill(null)
            const detail = new Array<string | null>(rows).fill(null)
            const raw = readStrings(batch, "label_raw")
            if (raw === undefined) return { label, detail }
            const seen = new Map<string, Mapped>()
            for (let row = 0; row < rows; row++) {
              const value = raw[row]
              if (value === null || value === undefined) continue
              let mapped = seen.get(value)
              if (mapped === undefined) {
                mapped = mapRawLabel(mapping, value)
                seen.set(value, mapped)
              }
              label[row] = mapped.label
              detail[row] = mapped.detail
            }
            return { label, detail }
          })
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [datasetLabeler]
