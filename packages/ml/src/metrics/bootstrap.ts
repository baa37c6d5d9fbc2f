/**
 * How sure a ROC-AUC is: a seeded percentile-bootstrap confidence interval.
 *
 * Holds: `bootstrapRocAuc` (resample the rows with replacement `resamples` times from a seeded
 * generator, take the ROC-AUC of each resample, report the point estimate and the percentile
 * interval at `level`). The scores are ranked once; a resample is a count per row, and its AUC is
 * a weighted pass over that ranking, so a resample costs O(rows), not a sort. Resamples that miss
 * a class are left out and the number kept is reported. `bootstrapRocAucDifference` is the
 * paired version for two models scored on the same rows: each resample draws the rows once and
 * measures both models on them, so the interval is that of AUC(a) − AUC(b), not two separate
 * intervals.
 * Does not hold: intervals of other metrics, stratified bootstraps.
 */
import { makeRng } from "../random.js"
import { ranking } from "./ranking.js"
import { rankedRocAuc, rocAuc } from "./roc.js"

export interface BootstrapOptions {
  /** resamples (default 1000) */
  readonly resamples?: number
  /** coverage of the interval in (0, 1) (default 0.95) */
  readonly level?: number
  /** seed of the resampling (default 1) */
  readonly seed?: number
}

export interface AucInterval {
  /** ROC-AUC of the rows as given */
  readonly auc: number
  readonly lower: number
  readonly upper: number
  readonly level: number
  /** resamples that held both classes (the interval is over these); 0 gives a NaN interval */
  readonly resamples: number
}

/** Linear interpolation between order statistics of ascending `sorted` (R's type 7). */
export const quantileSorted = (sorted: Float64Array, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

export const bootstrapRocAuc = (scores: ArrayLike<number>, y: ArrayLike<number>, options: BootstrapOptions = {}): AucInterval => {
  const resamples = Math.max(1, Math.floor(options.resamples ?? 1000))
  const level = options.level ?? 0.95
  const rng = makeRng(options.seed ?? 1)
  const n = scores.length
  const ranked = ranking(scores)
  const counts = new Float64Array(n)
  const aucs = new Float64Array(resamples)
  let kept = 0
  for (let r = 0; r < resamples && n > 0; r++) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[rng.below(n)]! += 1
    const auc = rankedRocAuc(ranked, y, counts)
    if (auc === auc) aucs[kept++] = auc
  }
  const sorted = aucs.subarray(0, kept).sort()
  const tail = (1 - level) / 2
  return { auc: rocAuc(scores, y), lower: quantileSorted(sorted, tail), upper: quantileSorted(sorted, 1 - tail), level, resamples: kept }
}

export interface AucDifference {
  /** ROC-AUC of `a` minus that of `b` on the rows as given */
  readonly difference: number
  readonly lower: number
  readonly upper: number
  readonly level: number
  /** resamples that held both classes */
  readonly resamples: number
}

/** Paired percentile-bootstrap interval of ROC-AUC(a) − ROC-AUC(b) over the same rows and labels. */
export const bootstrapRocAucDifference = (
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BootstrapOptions = {}
): AucDifference => {
  const resamples = Math.max(1, Math.floor(options.resamples ?? 1000))
  const level = options.level ?? 0.95
  const rng = makeRng(options.seed ?? 1)
  const n = Math.min(a.length, b.length)
  const rankedA = ranking(a)
  const rankedB = ranking(b)
  const counts = new Float64Array(n)
  const differences = new Float64Array(resamples)
  let kept = 0
  for (let r = 0; r < resamples && n > 0; r++) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[rng.below(n)]! += 1
    const difference = rankedRocAuc(rankedA, y, counts) - rankedRocAuc(rankedB, y, counts)
    if (difference === difference) differences[kept++] = difference
  }
  const sorted = differences.subarray(0, kept).sort()
  const tail = (1 - level) / 2
  return { difference: rocAuc(a, y) - rocAuc(b, y), lower: quantileSorted(sorted, tail), upper: quantileSorted(sorted, 1 - tail), level, resamples: kept }
}
