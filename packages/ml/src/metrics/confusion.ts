/**
 * Counts and rates at one threshold: the confusion matrix and what follows from it.
 *
 * Holds: `confusionAt` (true/false positives and negatives when rows scoring at or above a
 * threshold are flagged; NaN scores count as -Infinity, as everywhere in these metrics),
 * `confusionFromCounts`, and `rates` (precision, recall, F1, false-positive rate, accuracy; each
 * NaN where its denominator is zero, never a made-up 0 or 1).
 * Does not hold: choosing the threshold (`roc.ts` `thresholdAtFpr`), curves.
 */

export interface Confusion {
  /** flagged positives (mining flagged) */
  readonly tp: number
  /** flagged negatives (false alarms) */
  readonly fp: number
  /** unflagged negatives */
  readonly tn: number
  /** unflagged positives (missed mining) */
  readonly fn: number
}

export const confusionFromCounts = (tp: number, fp: number, positives: number, negatives: number): Confusion => ({
  tp,
  fp,
  tn: negatives - fp,
  fn: positives - tp
})

/** The confusion matrix when rows with `score >= threshold` are flagged (labels: 1 positive, anything else negative). */
export const confusionAt = (scores: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Confusion => {
  let tp = 0
  let fp = 0
  let tn = 0
  let fn = 0
  for (let i = 0; i < scores.length; i++) {
    const value = scores[i]!
    const flagged = (value !== value ? Number.NEGATIVE_INFINITY : value) >= threshold
    if (y[i] === 1) {
      if (flagged) tp++
      else fn++
    } else if (flagged) fp++
    else tn++
  }
  return { tp, fp, tn, fn }
}

export interface Rates {
  /** tp / (tp + fp): share of flagged rows that are mining */
  readonly precision: number
  /** tp / (tp + fn): share of mining rows flagged (true-positive rate) */
  readonly recall: number
  /** 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall */
  readonly f1: number
  /** fp / (fp + tn) */
  readonly fpr: number
  /** (tp + tn) / all */
  readonly accuracy: number
}

const ratio = (a: number, b: number): number => (b === 0 ? Number.NaN : a / b)

export const rates = (c: Confusion): Rates => ({
  precision: ratio(c.tp, c.tp + c.fp),
  recall: ratio(c.tp, c.tp + c.fn),
  f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  fpr: ratio(c.fp, c.fp + c.tn),
  accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn)
})
