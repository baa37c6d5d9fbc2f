/**
 * The evaluation's files, as types: `evaluation/metrics.json`, `evaluation/curves.json` and the
 * model card `models/<name>/card.json`. These shapes are a stable contract (report plugins and
 * `hashhound score` read them); a breaking change gets a new `format` string.
 *
 * metrics.json (`format: "hashhound.evaluation/1"`):
 * ```
 * { format, key, target_fpr: [0.001, …],
 *   settings: { bootstrap_resamples, bootstrap_seed, confidence, calibration_bins, curve_points_max,
 *               breakdown_groups_max },
 *   models: [{ name, type, threshold_basis: "out-of-fold" | "in-sample",
 *              thresholds: [ModelThreshold] }],          // fixed on the training data
 *   train_datasets, test_datasets, skipped_datasets,      // skipped: failed QC, not scored
 *   datasets: { <name>: {
 *     role: "test" | "train", in_sample,                  // in_sample: a training dataset scored by its own models
 *     rows, mining, benign, unknown_dropped,              // unknown rows are excluded from every metric
 *     duplicates_dropped,                                 // so are rows marked `duplicate of <flow_id>`
 *     roc_auc: { <model>: number | null },                // kept from the first evaluation, for compatibility
 *     models: { <model>: ModelMetrics } } } }
 * ModelThreshold = { id: "fpr=0.001" | "best_f1", rule: "target_fpr" | "best_f1", target_fpr?,
 *                    threshold: number | null, fpr_resolution: number | null, train: Rates | null }
 * ModelMetrics  = { roc_auc, roc_auc_ci: { lo, hi, resamples, confidence } | null, pr_auc (average
 *                   precision), prevalence, brier,
 *                   calibration: [{ lo, hi, count, mean_score, positive_rate }],
 *                   operating_points: [OperatingPoint],
 *                   behaviours: [{ value: label_raw | null, label, flows, flagged: { <point id>: n },
 *                                  roc_auc }],          // the group against the other class
 *                   behaviours_other?: { groups, flows },
 *                   captures: [{ capture, flows, mining, benign, unknown,
 *                                flagged_mining: { <point id>: n }, flagged_benign: { <point id>: n },
 *                                roc_auc_mining }],     // its mining flows against all benign flows
 *                   captures_other?: { groups, flows } }
 * OperatingPoint = { id: "train:fpr=0.001" | "test:fpr=0.001" | "train:best_f1", basis: "train" | "test",
 *                    rule, target_fpr?, threshold, tp, fp, tn, fn, precision, recall, f1, fpr }
 * Rates = { tp, fp, tn, fn, precision, recall, f1, fpr }     (null where a denominator is 0)
 * ```
 * A flow is flagged when its score is at least the threshold. `basis: "train"` points use the
 * model's threshold fixed on the training data; `basis: "test"` points choose the threshold on the
 * evaluated data itself (an oracle, for reference). Breakdowns count flags at the `train` points.
 *
 * curves.json (`format: "hashhound.curves/1"`): `{ format, datasets: { <name>: { <model>: {
 * roc: { fpr: [], tpr: [] }, pr: { recall: [], precision: [] } } } } }`, each curve at most
 * `curve_points_max` points (downsampled by path length, ends kept).
 *
 * card.json (`format: "hashhound.model-card/1"`): see `ModelCard`.
 * Does not hold: computing any of it (see the other modules of `evaluation/`).
 */

export const METRICS_FORMAT = "hashhound.evaluation/1"
export const CURVES_FORMAT = "hashhound.curves/1"
export const CARD_FORMAT = "hashhound.model-card/1"

/** Counts and rates at one threshold; rates are null where their denominator is zero. */
export interface Rates {
  readonly tp: number
  readonly fp: number
  readonly tn: number
  readonly fn: number
  readonly precision: number | null
  readonly recall: number | null
  readonly f1: number | null
  readonly fpr: number | null
}

export type ThresholdRule = "target_fpr" | "best_f1"

/** A threshold fixed on the training data. */
export interface ModelThreshold {
  /** `fpr=0.001` or `best_f1` */
  readonly id: string
  readonly rule: ThresholdRule
  readonly target_fpr?: number
  /** flag flows scoring at or above it; null when the training data lacks a class */
  readonly threshold: number | null
  /** 1 / benign training flows: the smallest FPR step the training data can measure */
  readonly fpr_resolution: number | null
  /** what the threshold does on the training scores it was chosen on (out-of-fold or in-sample) */
  readonly train: Rates | null
}

export interface OperatingPoint extends Rates {
  /** `train:fpr=0.001`, `test:fpr=0.001`, `train:best_f1` */
  readonly id: string
  readonly basis: "train" | "test"
  readonly rule: ThresholdRule
  readonly target_fpr?: number
  readonly threshold: number | null
}

export interface CalibrationBinJson {
  readonly lo: number
  readonly hi: number
  readonly count: number
  readonly mean_score: number | null
  readonly positive_rate: number | null
}

export interface BehaviourRow {
  readonly value: string | null
  readonly label: "mining" | "benign"
  readonly flows: number
  readonly flagged: Readonly<Record<string, number>>
  /** mining group: its flows against every benign flow; benign group: every mining flow against its flows */
  readonly roc_auc: number | null
}

export interface CaptureRow {
  readonly capture: string | null
  readonly flows: number
  readonly mining: number
  readonly benign: number
  readonly unknown: number
  readonly flagged_mining: Readonly<Record<string, number>>
  readonly flagged_benign: Readonly<Record<string, number>>
  /** the capture's mining flows against every benign flow of the dataset (null without mining flows) */
  readonly roc_auc_mining: number | null
}

export interface GroupsLeftOut {
  readonly groups: number
  readonly flows: number
}

export interface ModelMetrics {
  readonly roc_auc: number | null
  readonly roc_auc_ci: { readonly lo: number; readonly hi: number; readonly resamples: number; readonly confidence: number } | null
  readonly pr_auc: number | null
  readonly prevalence: number | null
  readonly brier: number | null
  readonly calibration: ReadonlyArray<CalibrationBinJson>
  readonly operating_points: ReadonlyArray<OperatingPoint>
  readonly behaviours: ReadonlyArray<BehaviourRow>
  readonly behaviours_other?: GroupsLeftOut
  readonly captures: ReadonlyArray<CaptureRow>
  readonly captures_other?: GroupsLeftOut
}

export interface EvaluatedLabelCounts {
  readonly rows: number
  readonly mining: number
  readonly benign: number
  readonly unknown_dropped: number
  /** rows the label stage marked `duplicate of <flow_id>`: left out of training and of every metric */
  readonly duplicates_dropped: number
}

export interface DatasetMetrics extends EvaluatedLabelCounts {
  readonly role: "test" | "train"
  readonly in_sample: boolean
  readonly roc_auc: Readonly<Record<string, number | null>>
  readonly models: Readonly<Record<string, ModelMetrics>>
}

export interface EvaluationSettings {
  readonly bootstrap_resamples: number
  readonly bootstrap_seed: number
  readonly confidence: number
  readonly calibration_bins: number
  readonly curve_points_max: number
  readonly breakdown_groups_max: number
}

export const DEFAULT_SETTINGS: EvaluationSettings = {
  bootstrap_resamples: 200,
  bootstrap_seed: 1,
  confidence: 0.95,
  calibration_bins: 10,
  curve_points_max: 500,
  breakdown_groups_max: 100
}

/**
 * Which training scores the fixed thresholds come from: `out-of-fold` (each training row scored
 * by a model fitted on the other folds, see `out-of-fold.ts`), or `in-sample` (the final model's
 * scores of its own training rows) when the training data has too few groups for 2 folds.
 */
export type ThresholdBasis = "in-sample" | "out-of-fold"

export interface EvaluationMetrics {
  readonly format: typeof METRICS_FORMAT
  readonly key: string
  readonly target_fpr: ReadonlyArray<number>
  readonly settings: EvaluationSettings
  readonly models: ReadonlyArray<{ readonly name: string; readonly type: string; readonly threshold_basis: ThresholdBasis; readonly thresholds: ReadonlyArray<ModelThreshold> }>
  readonly train_datasets: ReadonlyArray<string>
  readonly test_datasets: ReadonlyArray<string>
  readonly skipped_datasets: ReadonlyArray<string>
  readonly datasets: Readonly<Record<string, DatasetMetrics>>
}

export interface CurveJson {
  readonly roc: { readonly fpr: ReadonlyArray<number>; readonly tpr: ReadonlyArray<number> }
  readonly pr: { readonly recall: ReadonlyArray<number>; readonly precision: ReadonlyArray<number> }
}

export interface EvaluationCurves {
  readonly format: typeof CURVES_FORMAT
  readonly datasets: Readonly<Record<string, Readonly<Record<string, CurveJson>>>>
}

/** A JSON-safe number: NaN and ±Infinity become null. */
export const finiteOrNull = (value: number | undefined): number | null => (value === undefined || !Number.isFinite(value) ? null : value)
