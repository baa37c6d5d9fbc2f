/**
 * What the evaluation report reads: `evaluation/metrics.json`, `evaluation/curves.json` and
 * `models/<name>/card.json`, from `RunArtifacts.json` (keys are paths relative to the run
 * folder) and, for keys the pipeline did not pass, from the run folder itself.
 *
 * Holds: the accepted shapes as Schemas (extra keys ignored, most fields optional, so an older
 * metrics.json with only `datasets.<name>.roc_auc.<model>` still renders), `collectInputs`
 * (artefacts → `EvaluationInputs`, with a note for every file it could not use; cards of models
 * the metrics do not list are left over from an earlier run and left out) and
 * `readRunFolder` (those JSON files from disk, size-limited; a missing file is no error).
 * Does not hold: rendering (see `page.ts` and `sections.ts`).
 */
import { Effect, Either, Schema } from "effect"
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"

const Num = Schema.Number
const NullableNum = Schema.NullOr(Schema.Number)
const Counts = Schema.Record({ key: Schema.String, value: Num })

/** Counts and rates at one threshold. */
export const Confusion = Schema.Struct({
  tp: Num,
  fp: Num,
  tn: Num,
  fn: Num,
  precision: Schema.optionalWith(NullableNum, { default: () => null }),
  recall: Schema.optionalWith(NullableNum, { default: () => null }),
  f1: Schema.optionalWith(NullableNum, { default: () => null }),
  fpr: Schema.optionalWith(NullableNum, { default: () => null })
})
export type Confusion = typeof Confusion.Type

/** A threshold applied to a dataset: fixed on the training data (`train`) or on the data itself (`test`, oracle). */
export const OperatingPoint = Schema.extend(
  Schema.Struct({
    id: Schema.String,
    basis: Schema.Literal("train", "test"),
    rule: Schema.Literal("target_fpr", "best_f1"),
    target_fpr: Schema.optional(Num),
    threshold: NullableNum
  }),
  Confusion
)
export type OperatingPoint = typeof OperatingPoint.Type

export const CalibrationBin = Schema.Struct({ lo: Num, hi: Num, count: Num, mean_score: NullableNum, positive_rate: NullableNum })
export type CalibrationBin = typeof CalibrationBin.Type

export const BehaviourRow = Schema.Struct({
  value: Schema.NullOr(Schema.String),
  label: Schema.String,
  flows: Num,
  flagged: Counts,
  roc_auc: Schema.optionalWith(NullableNum, { default: () => null })
})
export type BehaviourRow = typeof BehaviourRow.Type

export const CaptureRow = Schema.Struct({
  capture: Schema.NullOr(Schema.String),
  flows: Num,
  mining: Num,
  benign: Num,
  unknown: Schema.optionalWith(Num, { default: () => 0 }),
  flagged_mining: Counts,
  flagged_benign: Counts,
  roc_auc_mining: Schema.optionalWith(NullableNum, { default: () => null })
})
export type CaptureRow = typeof CaptureRow.Type

export const ModelMetrics = Schema.Struct({
  roc_auc: Schema.optionalWith(NullableNum, { default: () => null }),
  roc_auc_ci: Schema.optionalWith(Schema.NullOr(Schema.Struct({ lo: Num, hi: Num, resamples: Schema.optional(Num), confidence: Schema.optional(Num) })), { default: () => null }),
  pr_auc: Schema.optionalWith(NullableNum, { default: () => null }),
  prevalence: Schema.optionalWith(NullableNum, { default: () => null }),
  brier: Schema.optionalWith(NullableNum, { default: () => null }),
  calibration: Schema.optionalWith(Schema.Array(CalibrationBin), { default: () => [] }),
  operating_points: Schema.optionalWith(Schema.Array(OperatingPoint), { default: () => [] }),
  behaviours: Schema.optionalWith(Schema.Array(BehaviourRow), { default: () => [] }),
  behaviours_other: Schema.optional(Schema.Struct({ groups: Num, flows: Num })),
  captures: Schema.optionalWith(Schema.Array(CaptureRow), { default: () => [] }),
  captures_other: Schema.optional(Schema.Struct({ groups: Num, flows: Num }))
})
export type ModelMetrics = typeof ModelMetrics.Type

export const DatasetMetrics = Schema.Struct({
  role: Schema.optionalWith(Schema.Literal("test", "train"), { default: () => "test" as const }),
  in_sample: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  rows: Schema.optional(Num),
  mining: Schema.optional(Num),
  benign: Schema.optional(Num),
  unknown_dropped: Schema.optional(Num),
  duplicates_dropped: Schema.optional(Num),
  roc_auc: Schema.optionalWith(Schema.Record({ key: Schema.String, value: NullableNum }), { default: () => ({}) }),
  models: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ModelMetrics }), { default: () => ({}) })
})
export type DatasetMetrics = typeof DatasetMetrics.Type

export const ModelThreshold = Schema.Struct({
  id: Schema.String,
  rule: Schema.Literal("target_fpr", "best_f1"),
  target_fpr: Schema.optional(Num),
  threshold: NullableNum,
  fpr_resolution: Schema.optional(NullableNum),
  train: Schema.optional(Confusion)
})
export type ModelThreshold = typeof ModelThreshold.Type

export const MetricsInput = Schema.Struct({
  format: Schema.optional(Schema.String),
  target_fpr: Schema.optionalWith(Schema.Array(Num), { default: () => [] }),
  settings: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  models: Schema.optionalWith(
    Schema.Array(
      Schema.Struct({
        name: Schema.String,
        type: Schema.optional(Schema.String),
        threshold_basis: Schema.optional(Schema.String),
        thresholds: Schema.optionalWith(Schema.Array(ModelThreshold), { default: () => [] })
      })
    ),
    { default: () => [] }
  ),
  train_datasets: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  skipped_datasets: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  datasets: Schema.optionalWith(Schema.Record({ key: Schema.String, value: DatasetMetrics }), { default: () => ({}) })
})
export type MetricsInput = typeof MetricsInput.Type

const Series = Schema.Array(Num)
export const CurvesInput = Schema.Struct({
  format: Schema.optional(Schema.String),
  datasets: Schema.Record({
    key: Schema.String,
    value: Schema.Record({
      key: Schema.String,
      value: Schema.Struct({
        roc: Schema.optional(Schema.Struct({ fpr: Series, tpr: Series })),
        pr: Schema.optional(Schema.Struct({ recall: Series, precision: Series }))
      })
    })
  })
})
export type CurvesInput = typeof CurvesInput.Type

const Importance = Schema.Record({ key: Schema.String, value: Num })

export const CardInput = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  version: Schema.optional(Schema.String),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { default: () => ({}) }),
  features: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  feature_groups: Schema.optionalWith(Schema.Array(Schema.Struct({ type: Schema.String, raw: Schema.optional(Schema.Unknown) })), { default: () => [] }),
  flow_columns: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  training: Schema.optionalWith(
    Schema.Array(Schema.Struct({ dataset: Schema.String, rows: Schema.optional(Num), mining: Schema.optional(Num), benign: Schema.optional(Num), unknown_dropped: Schema.optional(Num), duplicates_dropped: Schema.optional(Num) })),
    { default: () => [] }
  ),
  thresholds: Schema.optional(
    Schema.Struct({
      basis: Schema.optional(Schema.String),
      values: Schema.optionalWith(Schema.Array(ModelThreshold), { default: () => [] }),
      default: Schema.optional(Schema.String),
      out_of_fold: Schema.optional(Schema.Struct({ folds: Num, grouping: Schema.String })),
      in_sample_reason: Schema.optional(Schema.String)
    })
  ),
  importance: Schema.optional(
    Schema.Struct({
      gain: Schema.optional(Importance),
      permutation: Schema.optional(
        Schema.Struct({
          metric: Schema.optional(Schema.String),
          rows: Schema.optional(Num),
          repeats: Schema.optional(Num),
          seed: Schema.optional(Num),
          values: Schema.Record({ key: Schema.String, value: Schema.Struct({ mean: Num, std: Num }) })
        })
      )
    })
  ),
  metrics: Schema.optional(
    Schema.Struct({
      training: Schema.optional(Schema.Struct({ roc_auc: NullableNum, pr_auc: Schema.optional(NullableNum), brier: Schema.optional(NullableNum) })),
      out_of_fold: Schema.optional(Schema.Struct({ folds: Num, grouping: Schema.String, roc_auc: NullableNum, pr_auc: Schema.optional(NullableNum) })),
      datasets: Schema.optional(
        Schema.Record({
          key: Schema.String,
          value: Schema.Struct({
            in_sample: Schema.optional(Schema.Boolean),
            roc_auc: NullableNum,
            roc_auc_ci: Schema.optional(Schema.NullOr(Schema.Struct({ lo: Num, hi: Num }))),
            pr_auc: Schema.optional(NullableNum)
          })
        })
      )
    })
  )
})
export type CardInput = typeof CardInput.Type

export interface EvaluationInputs {
  readonly metrics: MetricsInput | undefined
  readonly curves: CurvesInput | undefined
  readonly cards: ReadonlyArray<CardInput>
  /** why an artefact could not be used */
  readonly notes: ReadonlyArray<string>
}

export const METRICS_KEY = "evaluation/metrics.json"
export const CURVES_KEY = "evaluation/curves.json"
const CARD_KEY = /^models\/([^/]+)\/card\.json$/

const firstLine = (message: string): string => message.split("\n").slice(0, 2).join(" ").slice(0, 300)

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown, what: string, notes: Array<string>): A | undefined =>
  Either.match(Schema.decodeUnknownEither(schema)(value), {
    onLeft: (error) => {
      notes.push(`${what}: not the expected shape (${firstLine(error.message)})`)
      return undefined
    },
    onRight: (decoded) => decoded
  })

/** Sort the artefacts into the report's inputs. */
export const collectInputs = (json: Readonly<Record<string, unknown>>): EvaluationInputs => {
  const notes: Array<string> = []
  const metrics = json[METRICS_KEY] === undefined ? undefined : decode(MetricsInput, json[METRICS_KEY], METRICS_KEY, notes)
  const curves = json[CURVES_KEY] === undefined ? undefined : decode(CurvesInput, json[CURVES_KEY], CURVES_KEY, notes)
  const cards: Array<CardInput> = []
  // a card of a model the evaluation does not list is left over from an earlier pipeline
  const listed = metrics === undefined || metrics.models.length === 0 ? undefined : new Set(metrics.models.map((m) => m.name))
  for (const key of Object.keys(json).filter((k) => CARD_KEY.test(k)).sort()) {
    const card = decode(CardInput, json[key], key, notes)
    if (card === undefined) continue
    if (listed !== undefined && !listed.has(card.name)) notes.push(`${key}: model ${card.name} is not in evaluation/metrics.json (left over from an earlier run); not shown`)
    else cards.push(card)
  }
  return { metrics, curves, cards, notes }
}

/** Largest artefact file read from the run folder. */
export const MAX_ARTEFACT_BYTES = 64 * 1024 * 1024

const readJsonFile = async (path: string, key: string, found: Record<string, unknown>, notes: Array<string>): Promise<void> => {
  try {
    const info = await stat(path)
    if (!info.isFile()) return
    if (info.size > MAX_ARTEFACT_BYTES) {
      notes.push(`${key}: ${info.size} bytes, over the ${MAX_ARTEFACT_BYTES}-byte limit; not read`)
      return
    }
    found[key] = JSON.parse(await readFile(path, "utf8")) as unknown
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return
    notes.push(`${key}: could not be read (${firstLine(error instanceof Error ? error.message : String(error))})`)
  }
}

/**
 * `evaluation/metrics.json`, `evaluation/curves.json` and `models/<name>/card.json` from the run
 * folder, for keys not in `json`. Unreadable files become notes; missing ones give nothing.
 */
export const readRunFolder = (
  outputDir: string,
  json: Readonly<Record<string, unknown>>
): Effect.Effect<{ readonly json: Record<string, unknown>; readonly notes: ReadonlyArray<string> }> =>
  Effect.promise(async () => {
    const found: Record<string, unknown> = {}
    const notes: Array<string> = []
    for (const key of [METRICS_KEY, CURVES_KEY]) if (!(key in json)) await readJsonFile(join(outputDir, key), key, found, notes)
    let models: Array<string> = []
    try {
      models = await readdir(join(outputDir, "models"))
    } catch {
      models = []
    }
    for (const name of models.sort()) {
      const key = `models/${name}/card.json`
      if (!(key in json) && CARD_KEY.test(key)) await readJsonFile(join(outputDir, key), key, found, notes)
    }
    return { json: found, notes }
  })
