/**
 * Precision-recall analysis of scores against labels 0/1 (1 = mining), the view that matters when
 * mining is rare.
 *
 * Holds: `prCurve` (precision and recall at every distinct threshold, highest first, after the
 * conventional start point recall 0 / precision 1) and `averagePrecision` (the PR-AUC as
 * scikit-learn's average precision: the sum over thresholds of the recall gained times the
 * precision there, a step function with no interpolation; NaN without positives).
 * Does not hold: ROC (`roc.ts`) or rates at one threshold (`confusion.ts`).
 */
import { thresholdCounts, thresholdCurve } from "./ranking.js"

export interface PrCurve {
  /** recall per point, non-decreasing from 0 */
  readonly recall: Float64Array
  /** precision per point (1 at the start point) */
  readonly precision: Float64Array
  /** +Infinity for the start point, then every distinct score descending */
  readonly thresholds: Float64Array
}

/** Every point of the precision-recall curve; recall is NaN throughout when there are no positives. */
export const prCurve = (scores: ArrayLike<number>, y: ArrayLike<number>): PrCurve => {
  const counts = thresholdCounts(scores, y)
  const curve = thresholdCurve(counts, [counts.positives === 0 ? Number.NaN : 0, 1], (tp, fp) => [tp / counts.positives, tp / (tp + fp)])
  return { recall: curve.x, precision: curve.y, thresholds: curve.thresholds }
}

/** Average precision, Σ (R_k − R_{k−1}) · P_k over the distinct thresholds; NaN when there are no positives. */
export const averagePrecision = (scores: ArrayLike<number>, y: ArrayLike<number>): number => {
  const counts = thresholdCounts(scores, y)
  if (counts.positives === 0) return Number.NaN
  let area = 0
  let previousTp = 0
  for (let i = 0; i < counts.thresholds.length; i++) {
    const tp = counts.tp[i]!
    if (tp > previousTp) area += ((tp - previousTp) / counts.positives) * (tp / (tp + counts.fp[i]!))
    previousTp = tp
  }
  return area
}
