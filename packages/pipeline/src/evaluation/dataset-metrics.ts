/**
 * Everything measured for one model on one dataset.
 *
 * Holds: `evaluateModel` (scores of every dataset row → ROC-AUC with a seeded bootstrap interval,
 * PR-AUC as average precision, prevalence, Brier score and reliability bins, the operating points
 * (fixed training thresholds and the oracle thresholds at each target FPR), the per-behaviour and
 * per-capture breakdowns at the fixed thresholds, and the downsampled curves). Unknown rows are
 * left out (they are not in `rows.known`).
 * Does not hold: loading data or scoring (the models stage), the metric maths (`@hashhound/ml`).
 */
import { averagePrecision, bootstrapRocAuc, calibration } from "@hashhound/ml"
import { breakdowns, type EvaluationRows } from "./breakdowns.js"
import { curvesOf } from "./curves.js"
import { finiteOrNull, type CurveJson, type EvaluationSettings, type ModelMetrics, type ModelThreshold } from "./format.js"
import { operatingPoints } from "./thresholds.js"

export interface ModelEvaluation {
  readonly metrics: ModelMetrics
  readonly curves: CurveJson
}

/** Scores of the labelled rows, in `rows.known` order. */
export const knownScores = (rows: EvaluationRows, scores: ArrayLike<number>): Float64Array => Float64Array.from(rows.known, (row) => scores[row]!)

export const evaluateModel = (
  rows: EvaluationRows,
  scores: ArrayLike<number>,
  thresholds: ReadonlyArray<ModelThreshold>,
  targetFprs: ReadonlyArray<number>,
  settings: EvaluationSettings
): ModelEvaluation => {
  const s = knownScores(rows, scores)
  const y = rows.y
  const both = rows.counts.mining > 0 && rows.counts.benign > 0
  const interval = both ? bootstrapRocAuc(s, y, { resamples: settings.bootstrap_resamples, level: settings.confidence, seed: settings.bootstrap_seed }) : undefined
  const calib = calibration(s, y, settings.calibration_bins)
  const points = operatingPoints(s, y, thresholds, targetFprs)
  const fixed = points.filter((point) => point.basis === "train")
  const lo = finiteOrNull(interval?.lower)
  const hi = finiteOrNull(interval?.upper)
  const metrics: ModelMetrics = {
    roc_auc: finiteOrNull(interval?.auc),
    roc_auc_ci: lo === null || hi === null ? null : { lo, hi, resamples: interval!.resamples, confidence: settings.confidence },
    pr_auc: both ? finiteOrNull(averagePrecision(s, y)) : null,
    prevalence: y.length === 0 ? null : rows.counts.mining / y.length,
    brier: finiteOrNull(calib.brier),
    calibration: calib.bins.map((bin) => ({ lo: bin.lower, hi: bin.upper, count: bin.count, mean_score: finiteOrNull(bin.meanScore), positive_rate: finiteOrNull(bin.positiveRate) })),
    operating_points: points,
    ...breakdowns(rows, s, fixed, settings.breakdown_groups_max)
  }
  return { metrics, curves: curvesOf(s, y, settings.curve_points_max) }
}
