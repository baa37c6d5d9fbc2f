/**
 * The model card, `models/<name>/card.json` (`format: "hashhound.model-card/1"`): everything
 * needed to understand a trained model and to use it on new traffic.
 *
 * ```
 * { format, name, type, version, key, params,
 *   features: [name],                                  // the model's input columns, in order
 *   feature_groups: [{ type, version, raw, features }], // the feature plugins and their configs
 *   flow_columns: [column],                            // flow columns those groups read
 *   allow_guarded_columns: [column],                   // the pipeline's options.allow_guarded_columns
 *   training: [{ dataset, rows, mining, benign, unknown_dropped, duplicates_dropped }],
 *   training_sources: [{ dataset, type, raw }],         // how the training flows were made (timeouts…)
 *   training_rows: { rows, mining, benign },           // rows the model was fitted on
 *   thresholds: { basis: "out-of-fold" | "in-sample", default: "fpr=…", values: [ModelThreshold],
 *                 out_of_fold?: { folds, grouping: "capture" | "conversation" | "flow", groups, seed },
 *                 in_sample_reason?: string },               // why there are no out-of-fold scores
 *   feature_medians: { name: number | null },          // reference values for per-flow attribution
 *   importance: { gain?: { name: number }, permutation: { metric, rows, repeats, seed, values: { name: { mean, std } } } },
 *   metrics: { training: { in_sample: true, roc_auc, pr_auc, brier },
 *              out_of_fold?: { folds, grouping, groups, seed, roc_auc, pr_auc, brier },
 *              datasets?: { <name>: { in_sample, roc_auc, roc_auc_ci, pr_auc } } } }
 * ```
 * `thresholds.basis` says which scores the thresholds come from: `out-of-fold` training scores
 * (the pipeline fits the model again on k − 1 of k folds, k = 5, grouped by capture or by
 * conversation so near-duplicate flows never sit on both sides, and scores the held-out fold;
 * see `out-of-fold.ts`), or, when the training data has too few groups for 2 folds, the final
 * model's `in-sample` scores of its own training rows (optimistic: a model separates its own
 * training rows better than new ones, so the FPR on new data is higher than the target).
 * `default` is the threshold at the smallest target FPR.
 * Holds: the `ModelCard` type, `ModelCardJson` (a Schema that reads a card back, extra keys
 * ignored), `ModelThresholdJson` and `defaultThresholdId`.
 * Does not hold: computing the thresholds or importance (`thresholds.ts`, `importance.ts`).
 */
import { Schema } from "effect"
import type { CARD_FORMAT, ModelThreshold, ThresholdBasis } from "./format.js"
import type { ScoreSummary } from "./fit-summary.js"
import type { PermutationJson } from "./importance.js"
import type { OutOfFoldJson } from "./out-of-fold.js"

export interface FeatureGroupRecord {
  readonly type: string
  readonly version: string
  readonly raw: Readonly<Record<string, unknown>>
  readonly features: ReadonlyArray<string>
}

export interface ModelCard {
  readonly format: typeof CARD_FORMAT
  readonly name: string
  readonly type: string
  readonly version: string
  readonly key: string
  readonly params: Readonly<Record<string, unknown>>
  readonly features: ReadonlyArray<string>
  readonly feature_groups: ReadonlyArray<FeatureGroupRecord>
  readonly flow_columns: ReadonlyArray<string>
  readonly allow_guarded_columns: ReadonlyArray<string>
  readonly training: ReadonlyArray<{ readonly dataset: string; readonly rows: number; readonly mining: number; readonly benign: number; readonly unknown_dropped: number; readonly duplicates_dropped: number }>
  readonly training_sources: ReadonlyArray<{ readonly dataset: string; readonly type: string; readonly raw: Readonly<Record<string, unknown>> }>
  readonly training_rows: { readonly rows: number; readonly mining: number; readonly benign: number }
  readonly thresholds: {
    readonly basis: ThresholdBasis
    readonly default: string | null
    readonly values: ReadonlyArray<ModelThreshold>
    readonly out_of_fold?: OutOfFoldJson
    readonly in_sample_reason?: string
  }
  readonly feature_medians: Readonly<Record<string, number | null>>
  readonly importance: { readonly gain?: Readonly<Record<string, number>>; readonly permutation: PermutationJson }
  readonly metrics: {
    readonly training: { readonly in_sample: true; readonly roc_auc: number | null; readonly pr_auc: number | null; readonly brier: number | null }
    readonly out_of_fold?: OutOfFoldJson & ScoreSummary
    readonly datasets?: Readonly<
      Record<string, { readonly in_sample: boolean; readonly roc_auc: number | null; readonly roc_auc_ci: { readonly lo: number; readonly hi: number } | null; readonly pr_auc: number | null }>
    >
  }
}

const NullableNumber = Schema.NullOr(Schema.Number)

/** A stored ModelThreshold (see `format.ts`). */
export const ModelThresholdJson = Schema.Struct({
  id: Schema.String,
  rule: Schema.Literal("target_fpr", "best_f1"),
  target_fpr: Schema.optional(Schema.Number),
  threshold: NullableNumber,
  fpr_resolution: Schema.optionalWith(NullableNumber, { default: () => null }),
  train: Schema.optionalWith(
    Schema.NullOr(
      Schema.Struct({
        tp: Schema.Number,
        fp: Schema.Number,
        tn: Schema.Number,
        fn: Schema.Number,
        precision: NullableNumber,
        recall: NullableNumber,
        f1: NullableNumber,
        fpr: NullableNumber
      })
    ),
    { default: () => null }
  )
})

/** What `hashhound score` needs from a card (other keys are ignored). */
export const ModelCardJson = Schema.Struct({
  format: Schema.optional(Schema.String),
  name: Schema.String,
  type: Schema.String,
  features: Schema.Array(Schema.String),
  feature_groups: Schema.Array(Schema.Struct({ type: Schema.String, raw: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })),
  allow_guarded_columns: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  training_sources: Schema.optionalWith(
    Schema.Array(Schema.Struct({ dataset: Schema.String, type: Schema.String, raw: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })),
    { default: () => [] }
  ),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { default: () => ({}) }),
  thresholds: Schema.Struct({ basis: Schema.optional(Schema.String), default: Schema.optional(Schema.NullOr(Schema.String)), values: Schema.Array(ModelThresholdJson) }),
  feature_medians: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.Number) }), { default: () => ({}) }),
  importance: Schema.optionalWith(
    Schema.Struct({
      gain: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
      permutation: Schema.optional(Schema.Struct({ values: Schema.Record({ key: Schema.String, value: Schema.Struct({ mean: Schema.Number, std: Schema.Number }) }) }))
    }),
    { default: () => ({}) }
  )
})
export type ModelCardJson = typeof ModelCardJson.Type

/** The id of the threshold at the smallest target FPR that has a value, else best F1's. */
export const defaultThresholdId = (values: ReadonlyArray<Pick<ModelThreshold, "id" | "rule" | "target_fpr" | "threshold">>): string | null => {
  const byFpr = values.filter((t) => t.rule === "target_fpr" && t.threshold !== null && t.target_fpr !== undefined).sort((a, b) => a.target_fpr! - b.target_fpr!)
  return byFpr[0]?.id ?? values.find((t) => t.threshold !== null)?.id ?? null
}
