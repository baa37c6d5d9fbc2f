/**
 * Thresholds: choosing them on the training data and applying them elsewhere.
 *
 * Holds: `ratesOf` (a confusion matrix with its rates, JSON-safe), `trainingThresholds` (per
 * target FPR the lowest threshold whose training FPR stays within it, and the best-F1 threshold;
 * when even the top training score costs more than the budget, the threshold sits just above the
 * highest training score, so nothing in training is flagged and only flows scoring higher than
 * any training flow are), and `operatingPoints` (on an evaluated dataset: each fixed training
 * threshold applied as it is, and the oracle threshold at each target FPR chosen on that dataset).
 * Labels are 1 (mining) and 0 (benign); unknown rows are left out before these are called.
 * Does not hold: the metrics themselves (`@hashhound/ml`).
 */
import { confusionAt, rates, thresholdAtBestF1, thresholdAtFpr, type Confusion } from "@hashhound/ml"
import { finiteOrNull, type ModelThreshold, type OperatingPoint, type Rates } from "./format.js"

export const ratesOf = (c: Confusion): Rates => {
  const r = rates(c)
  return { ...c, precision: finiteOrNull(r.precision), recall: finiteOrNull(r.recall), f1: finiteOrNull(r.f1), fpr: finiteOrNull(r.fpr) }
}

/** The smallest double above `value` (for "just above the highest score"). */
export const nextUp = (value: number): number => {
  if (Number.isNaN(value) || value === Number.POSITIVE_INFINITY) return value
  if (value === 0) return Number.MIN_VALUE
  const buffer = new DataView(new ArrayBuffer(8))
  buffer.setFloat64(0, value)
  const bits = buffer.getBigUint64(0)
  buffer.setBigUint64(0, value > 0 ? bits + 1n : bits - 1n)
  return buffer.getFloat64(0)
}

const maxScore = (scores: ArrayLike<number>): number => {
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!
  return max
}

export const fprId = (targetFpr: number): string => `fpr=${targetFpr}`
export const BEST_F1_ID = "best_f1"

/** Thresholds fixed on training scores: one per target FPR, then best F1. */
export const trainingThresholds = (scores: ArrayLike<number>, y: ArrayLike<number>, targetFprs: ReadonlyArray<number>): ReadonlyArray<ModelThreshold> => {
  let negatives = 0
  for (let i = 0; i < y.length; i++) if (y[i] !== 1) negatives++
  const resolution = negatives === 0 ? null : 1 / negatives
  const top = maxScore(scores)
  const byFpr = targetFprs.map((target): ModelThreshold => {
    const point = thresholdAtFpr(scores, y, target)
    if (point === undefined) return { id: fprId(target), rule: "target_fpr", target_fpr: target, threshold: null, fpr_resolution: resolution, train: null }
    const threshold = point.threshold === Number.POSITIVE_INFINITY ? nextUp(top) : point.threshold
    return { id: fprId(target), rule: "target_fpr", target_fpr: target, threshold, fpr_resolution: resolution, train: ratesOf(confusionAt(scores, y, threshold)) }
  })
  const best = thresholdAtBestF1(scores, y)
  const bestF1: ModelThreshold =
    best === undefined || negatives === 0
      ? { id: BEST_F1_ID, rule: "best_f1", threshold: null, fpr_resolution: resolution, train: null }
      : { id: BEST_F1_ID, rule: "best_f1", threshold: best.threshold, fpr_resolution: resolution, train: ratesOf(best.confusion) }
  return [...byFpr, bestF1]
}

const empty = (y: ArrayLike<number>): Rates => {
  let positives = 0
  for (let i = 0; i < y.length; i++) if (y[i] === 1) positives++
  return ratesOf({ tp: 0, fp: 0, tn: y.length - positives, fn: positives })
}

/**
 * Operating points on evaluated rows: `train:<id>` for each fixed threshold, then `test:fpr=…`
 * (the oracle threshold at each target FPR on these rows).
 */
export const operatingPoints = (
  scores: ArrayLike<number>,
  y: ArrayLike<number>,
  thresholds: ReadonlyArray<ModelThreshold>,
  targetFprs: ReadonlyArray<number>
): ReadonlyArray<OperatingPoint> => {
  const fixed = thresholds.map((t): OperatingPoint => {
    const counts = t.threshold === null ? empty(y) : ratesOf(confusionAt(scores, y, t.threshold))
    return { id: `train:${t.id}`, basis: "train", rule: t.rule, ...(t.target_fpr === undefined ? {} : { target_fpr: t.target_fpr }), threshold: t.threshold, ...counts }
  })
  const top = maxScore(scores)
  const oracle = targetFprs.map((target): OperatingPoint => {
    const point = thresholdAtFpr(scores, y, target)
    const threshold = point === undefined ? null : point.threshold === Number.POSITIVE_INFINITY ? nextUp(top) : point.threshold
    const counts = threshold === null ? empty(y) : ratesOf(confusionAt(scores, y, threshold))
    return { id: `test:${fprId(target)}`, basis: "test", rule: "target_fpr", target_fpr: target, threshold, ...counts }
  })
  return [...fixed, ...oracle]
}
