/**
 * The threshold with the best F1 score: the operating point that balances precision and recall
 * when no false-positive budget is given.
 *
 * Holds: `thresholdAtBestF1` (over every distinct score, highest first, the threshold whose F1 =
 * 2 tp / (2 tp + fp + fn) is largest; on a tie the higher threshold, which flags fewer rows).
 * A row is flagged when its score is at least the threshold; NaN scores rank lowest.
 * Does not hold: thresholds at a false-positive budget (`roc.ts` `thresholdAtFpr`).
 */
import { confusionFromCounts, type Confusion } from "./confusion.js"
import { thresholdCounts } from "./ranking.js"

export interface BestF1 {
  /** rows scoring at or above it are flagged */
  readonly threshold: number
  readonly f1: number
  readonly confusion: Confusion
}

/** The best-F1 threshold of `scores` against labels (1 positive); undefined without positives. */
export const thresholdAtBestF1 = (scores: ArrayLike<number>, y: ArrayLike<number>): BestF1 | undefined => {
  const counts = thresholdCounts(scores, y)
  const { positives, negatives } = counts
  if (positives === 0) return undefined
  let best: { threshold: number; f1: number; tp: number; fp: number } | undefined
  for (let i = 0; i < counts.thresholds.length; i++) {
    const tp = counts.tp[i]!
    const fp = counts.fp[i]!
    const f1 = (2 * tp) / (tp + fp + positives)
    if (best === undefined || f1 > best.f1) best = { threshold: counts.thresholds[i]!, f1, tp, fp }
  }
  if (best === undefined) return undefined
  return { threshold: best.threshold, f1: best.f1, confusion: confusionFromCounts(best.tp, best.fp, positives, negatives) }
}
