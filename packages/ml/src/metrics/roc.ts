/**
 * ROC analysis of scores against labels 0/1 (1 = mining).
 *
 * Holds: `rocAuc` (area under the ROC curve by the rank-sum / Mann–Whitney formula, tied scores
 * given their average rank; NaN scores rank lowest; NaN when a class is absent), `weightedRocAuc`
 * (the same with a non-negative weight or count per row, which the bootstrap uses), `rocCurve`
 * (false- and true-positive rates at every distinct threshold, from (0, 0) to (1, 1)) and
 * `thresholdAtFpr` (the operating point with the most detections whose false-positive rate stays
 * at or below a target).
 * Does not hold: precision-recall (`precision-recall.ts`), counts at a given threshold
 * (`confusion.ts`), intervals (`bootstrap.ts`). A row is flagged at threshold t when its score is
 * at least t.
 */
import { confusionFromCounts, type Confusion } from "./confusion.js"
import { ranking, thresholdCounts, thresholdCurve, type Ranking } from "./ranking.js"

/** ROC-AUC of `scores` against labels (1 positive, anything else negative); NaN when one class is absent. */
export const rocAuc = (scores: ArrayLike<number>, y: ArrayLike<number>): number => {
  const { order, groupEnds } = ranking(scores)
  const n = order.length
  let positives = 0
  let rankSum = 0
  let start = 0
  for (const end of groupEnds) {
    // ranks start+1..end (1-based) share their average
    const averageRank = (start + 1 + end) / 2
    for (let k = start; k < end; k++) {
      if (y[order[k]!] === 1) {
        positives++
        rankSum += averageRank
      }
    }
    start = end
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return Number.NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** ROC-AUC over a ranking already made, each row counted `weights[row]` times. */
export const rankedRocAuc = (ranked: Ranking, y: ArrayLike<number>, weights: ArrayLike<number>): number => {
  const { order, groupEnds } = ranked
  let negativesBelow = 0
  let positives = 0
  let pairs = 0
  let start = 0
  for (const end of groupEnds) {
    let groupPositives = 0
    let groupNegatives = 0
    for (let k = start; k < end; k++) {
      const row = order[k]!
      if (y[row] === 1) groupPositives += weights[row]!
      else groupNegatives += weights[row]!
    }
    // a positive beats every negative below it and ties half with the negatives of its group
    pairs += groupPositives * (negativesBelow + groupNegatives / 2)
    negativesBelow += groupNegatives
    positives += groupPositives
    start = end
  }
  if (!(positives > 0) || !(negativesBelow > 0)) return Number.NaN
  return pairs / (positives * negativesBelow)
}

/** ROC-AUC with a non-negative weight per row; NaN when either class has no weight. */
export const weightedRocAuc = (scores: ArrayLike<number>, y: ArrayLike<number>, weights: ArrayLike<number>): number =>
  rankedRocAuc(ranking(scores), y, weights)

export interface RocCurve {
  /** false-positive rate per point, ascending from 0 to 1 */
  readonly fpr: Float64Array
  /** true-positive rate per point, ascending from 0 to 1 */
  readonly tpr: Float64Array
  /** the threshold of each point: +Infinity first (nothing flagged), then every distinct score descending */
  readonly thresholds: Float64Array
}

/** Every point of the ROC curve (no point dropped); rates are NaN where their class is absent. */
export const rocCurve = (scores: ArrayLike<number>, y: ArrayLike<number>): RocCurve => {
  const counts = thresholdCounts(scores, y)
  const { positives, negatives } = counts
  const curve = thresholdCurve(counts, [negatives === 0 ? Number.NaN : 0, positives === 0 ? Number.NaN : 0], (tp, fp) => [fp / negatives, tp / positives])
  return { fpr: curve.x, tpr: curve.y, thresholds: curve.thresholds }
}

/** A threshold with what it does on the scored rows. */
export interface OperatingPoint {
  /** rows scoring at or above it are flagged; +Infinity flags nothing */
  readonly threshold: number
  readonly fpr: number
  readonly tpr: number
  readonly confusion: Confusion
}

/**
 * The lowest threshold whose false-positive rate is at most `targetFpr` (so the one with the most
 * detections under that budget). When even the highest score costs more, the threshold is
 * +Infinity and nothing is flagged. Undefined when either class is absent.
 */
export const thresholdAtFpr = (scores: ArrayLike<number>, y: ArrayLike<number>, targetFpr: number): OperatingPoint | undefined => {
  const counts = thresholdCounts(scores, y)
  const { positives, negatives } = counts
  if (positives === 0 || negatives === 0) return undefined
  let threshold = Number.POSITIVE_INFINITY
  let tp = 0
  let fp = 0
  for (let i = 0; i < counts.thresholds.length; i++) {
    if (counts.fp[i]! / negatives > targetFpr) break
    threshold = counts.thresholds[i]!
    tp = counts.tp[i]!
    fp = counts.fp[i]!
  }
  return { threshold, fpr: fp / negatives, tpr: tp / positives, confusion: confusionFromCounts(tp, fp, positives, negatives) }
}
