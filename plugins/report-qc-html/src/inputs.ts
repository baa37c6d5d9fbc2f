/**
 * What the QC report reads, per dataset, from `RunArtifacts.json` (keys are paths relative to
 * the run folder) and, for keys the pipeline did not pass, from the run folder itself.
 *
 * Holds: the accepted shapes (the pipeline's `qc/dataset.json`, `qc/batch-*.json`,
 * `qc/labels-*.json`, `qc/unit-*.json`, a `qc/flow-summary.json`, a `qc/labels.json` label report,
 * the pipeline's feature artefacts `qc/features.json` (non-null flows per feature, missing
 * columns) and `qc/feature-sample.json` (a labelled sample of feature values), and any
 * `qc/*.json` holding a bare array of findings), `collectInputs` (sorting the artefacts of one dataset into a
 * `DatasetInputs`, with a note for every file it could not use) and `readRunFolder` (the JSON
 * files of `<outputDir>/datasets/<name>/qc/` that are not in the artefacts; a missing folder is
 * no error).
 * Does not hold: rendering (see `page.ts`).
 */
import { Finding, FlowSummary, LABEL_REPORT_FORMAT, LabelReport } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"

const Severities = Schema.Struct({ info: Schema.Number, warn: Schema.Number, fail: Schema.Number })

/** `qc/dataset.json` as the pipeline writes it (extra keys ignored). */
export const DatasetQcInput = Schema.Struct({
  dataset: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Literal("pass", "warn", "fail")),
  totals: Schema.optional(Severities),
  by_source: Schema.optional(Schema.Record({ key: Schema.String, value: Severities })),
  failures: Schema.optional(Schema.Array(Schema.Struct({ check: Schema.String, batch: Schema.optional(Schema.Number), reason: Schema.String }))),
  finish_findings: Schema.optional(Schema.Array(Finding))
})
export type DatasetQcInput = typeof DatasetQcInput.Type

/** `qc/batch-UUUUU-BBBBB.json`, `qc/labels-…` and `qc/unit-UUUUU.json`. */
export const BatchFindingsInput = Schema.Struct({
  unit: Schema.optional(Schema.String),
  batch: Schema.optional(Schema.Number),
  rows: Schema.optional(Schema.Number),
  source_findings: Schema.optionalWith(Schema.Array(Finding), { default: () => [] }),
  qc_findings: Schema.optionalWith(Schema.Array(Finding), { default: () => [] })
})

const FindingList = Schema.Array(Finding)

export const FEATURE_AVAILABILITY_FORMAT = "hashhound.feature-availability/1"
export const FEATURE_SAMPLE_FORMAT = "hashhound.feature-sample/1"

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())
const Names = Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })

/** `qc/features.json` as the pipeline writes it: per feature group, per feature, the flows where it is non-null. */
export const FeatureAvailabilityInput = Schema.Struct({
  format: Schema.Literal(FEATURE_AVAILABILITY_FORMAT),
  flows: Count,
  /** the required flow columns: stored at all, visible to feature groups, non-null flows */
  columns: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: Schema.Struct({ stored: Schema.Boolean, allowed: Schema.optionalWith(Schema.Boolean, { default: () => true }), non_null: Count }) }),
    { default: () => ({}) }
  ),
  groups: Schema.Array(
    Schema.Struct({
      group: Schema.String,
      type: Schema.optional(Schema.String),
      features: Schema.Array(
        Schema.Struct({
          name: Schema.String,
          unit: Schema.optionalWith(Schema.String, { default: () => "" }),
          requires: Names,
          non_null: Count,
          missing_columns: Names,
          empty_columns: Names
        })
      )
    })
  )
})
export type FeatureAvailabilityInput = typeof FeatureAvailabilityInput.Type

/** `qc/feature-sample.json`: `rows` sampled flows, their labels and per feature one value (or null) each. */
export const FeatureSampleInput = Schema.Struct({
  format: Schema.Literal(FEATURE_SAMPLE_FORMAT),
  flows: Schema.optional(Count),
  label_counts: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Count }), { default: () => ({}) }),
  rows: Count,
  labels: Schema.Array(Schema.String),
  features: Schema.Record({ key: Schema.String, value: Schema.Array(Schema.NullOr(Schema.Number)) })
}).pipe(
  Schema.filter((sample) =>
    sample.labels.length === sample.rows && Object.values(sample.features).every((values) => values.length === sample.rows)
      ? undefined
      : `labels and every feature must hold rows (${sample.rows}) values`
  )
)
export type FeatureSampleInput = typeof FeatureSampleInput.Type

export interface DatasetInputs {
  readonly name: string
  readonly qc: DatasetQcInput | undefined
  readonly summary: FlowSummary | undefined
  /** the pipeline's label report (`qc/labels.json`), when there is one */
  readonly labels?: LabelReport | undefined
  /** the pipeline's feature availability (`qc/features.json`), when features were computed */
  readonly features?: FeatureAvailabilityInput | undefined
  /** the pipeline's labelled feature sample (`qc/feature-sample.json`) */
  readonly featureSample?: FeatureSampleInput | undefined
  /** the source's findings (before, between and after batches) */
  readonly sourceFindings: ReadonlyArray<Finding>
  /** per-batch QC findings (flows and labels phases) and bare finding lists */
  readonly batchFindings: ReadonlyArray<Finding>
  /** per-batch files read, and the flows they cover */
  readonly batchFiles: number
  readonly batchRows: number
  /** why an artefact could not be used */
  readonly notes: ReadonlyArray<string>
}

/** The prefix of a dataset's QC artefacts. */
export const qcPrefix = (dataset: string): string => `datasets/${dataset}/qc/`

const firstLine = (message: string): string => message.split("\n").slice(0, 2).join(" ").slice(0, 300)

/** Sort the artefacts under `datasets/<name>/qc/` into the report's inputs. */
export const collectInputs = (name: string, json: Readonly<Record<string, unknown>>): DatasetInputs => {
  const prefix = qcPrefix(name)
  const notes: Array<string> = []
  let qc: DatasetQcInput | undefined
  let summary: FlowSummary | undefined
  let labels: LabelReport | undefined
  let features: FeatureAvailabilityInput | undefined
  let featureSample: FeatureSampleInput | undefined
  const sourceFindings: Array<Finding> = []
  const batchFindings: Array<Finding> = []
  let batchFiles = 0
  let batchRows = 0
  const keys = Object.keys(json)
    .filter((key) => key.startsWith(prefix) && key.endsWith(".json") && !key.slice(prefix.length).includes("/"))
    .sort()
  for (const key of keys) {
    const file = key.slice(prefix.length)
    const value = json[key]
    if (file === "dataset.json") {
      Either.match(Schema.decodeUnknownEither(DatasetQcInput)(value), {
        onLeft: (error) => notes.push(`${file}: not the expected shape (${firstLine(error.message)})`),
        onRight: (decoded) => {
          qc = decoded
        }
      })
    } else if (file === "flow-summary.json") {
      Either.match(Schema.decodeUnknownEither(FlowSummary)(value), {
        onLeft: (error) => notes.push(`${file}: not a ${"hashhound.flow-summary/1"} summary (${firstLine(error.message)})`),
        onRight: (decoded) => {
          summary = decoded
        }
      })
    } else if (file === "labels.json") {
      Either.match(Schema.decodeUnknownEither(LabelReport)(value), {
        onLeft: (error) => notes.push(`${file}: not a ${LABEL_REPORT_FORMAT} label report (${firstLine(error.message)})`),
        onRight: (decoded) => {
          labels = decoded
        }
      })
    } else if (file === "features.json") {
      Either.match(Schema.decodeUnknownEither(FeatureAvailabilityInput)(value), {
        onLeft: (error) => notes.push(`${file}: not a ${FEATURE_AVAILABILITY_FORMAT} artefact (${firstLine(error.message)})`),
        onRight: (decoded) => {
          features = decoded
        }
      })
    } else if (file === "feature-sample.json") {
      Either.match(Schema.decodeUnknownEither(FeatureSampleInput)(value), {
        onLeft: (error) => notes.push(`${file}: not a ${FEATURE_SAMPLE_FORMAT} artefact (${firstLine(error.message)})`),
        onRight: (decoded) => {
          featureSample = decoded
        }
      })
    } else if (Array.isArray(value)) {
      Either.match(Schema.decodeUnknownEither(FindingList)(value), {
        onLeft: (error) => notes.push(`${file}: not a list of findings (${firstLine(error.message)})`),
        onRight: (decoded) => batchFindings.push(...decoded)
      })
    } else if (/^(?:batch|labels|unit)-\d+(?:-\d+)?\.json$/.test(file)) {
      Either.match(Schema.decodeUnknownEither(BatchFindingsInput)(value), {
        onLeft: (error) => notes.push(`${file}: not a findings file (${firstLine(error.message)})`),
        onRight: (decoded) => {
          sourceFindings.push(...decoded.source_findings)
          batchFindings.push(...decoded.qc_findings)
          if (file.startsWith("batch-")) {
            batchFiles++
            batchRows += decoded.rows ?? 0
          }
        }
      })
    }
  }
  return { name, qc, summary, labels, features, featureSample, sourceFindings, batchFindings, batchFiles, batchRows, notes }
}

/** Largest artefact file read from the run folder. */
export const MAX_ARTEFACT_BYTES = 64 * 1024 * 1024

/**
 * JSON files of `<outputDir>/datasets/<name>/qc/` whose keys are not in `json`, by key. Files
 * that cannot be read or parsed become notes; a missing folder gives nothing.
 */
export const readRunFolder = (
  outputDir: string,
  name: string,
  json: Readonly<Record<string, unknown>>
): Effect.Effect<{ readonly json: Record<string, unknown>; readonly notes: ReadonlyArray<string> }> =>
  Effect.promise(async () => {
    const dir = join(outputDir, "datasets", name, "qc")
    const found: Record<string, unknown> = {}
    const notes: Array<string> = []
    let names: Array<string>
    try {
      names = await readdir(dir)
    } catch {
      return { json: found, notes }
    }
    for (const file of names.filter((n) => n.endsWith(".json")).sort()) {
      const key = `${qcPrefix(name)}${file}`
      if (key in json) continue
      try {
        const info = await stat(join(dir, file))
        if (!info.isFile()) continue
        if (info.size > MAX_ARTEFACT_BYTES) {
          notes.push(`${file}: ${info.size} bytes, over the ${MAX_ARTEFACT_BYTES}-byte limit; not read`)
          continue
        }
        found[key] = JSON.parse(await readFile(join(dir, file), "utf8")) as unknown
      } catch (error) {
        notes.push(`${file}: could not be read (${firstLine(error instanceof Error ? error.message : String(error))})`)
      }
    }
    return { json: found, notes }
  })
