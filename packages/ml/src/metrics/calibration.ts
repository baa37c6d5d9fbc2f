/**
 * Calibration of probability scores: does "0.8" mean mining eight times in ten?
 *
 * Holds: `calibration` (a reliability curve over equal-width probability bins on [0, 1]: per
 * non-empty bin its edges, row count, mean score and observed share of mining; and the Brier score,
 * the mean of (score − label)² over all scored rows). Scores outside [0, 1] are put in the end bins
 * (the Brier score uses them as they are); NaN scores are left out of both and counted as missing.
 * Does not hold: recalibration (Platt, isotonic) or ranking metrics (`roc.ts`).
 */

export interface CalibrationBin {
  /** lower edge (inclusive) */
  readonly lower: number
  /** upper edge (exclusive, inclusive for the last bin) */
  readonly upper: number
  readonly count: number
  /** mean score of the bin's rows (x of the reliability curve) */
  readonly meanScore: number
  /** share of the bin's rows labelled 1 (y of the reliability curve) */
  readonly positiveRate: number
}

export interface Calibration {
  /** the non-empty bins, ascending */
  readonly bins: ReadonlyArray<CalibrationBin>
  /** mean squared difference between score and label over the scored rows; NaN when none */
  readonly brier: number
  /** rows with a score */
  readonly count: number
  /** rows whose score is NaN */
  readonly missing: number
}

/** Reliability curve over `binCount` equal-width bins (default 10) and the Brier score. */
export const calibration = (scores: ArrayLike<number>, y: ArrayLike<number>, binCount = 10): Calibration => {
  const bins = Math.max(1, Math.floor(binCount))
  const count = new Float64Array(bins)
  const scoreSum = new Float64Array(bins)
  const positives = new Float64Array(bins)
  let squared = 0
  let scored = 0
  let missing = 0
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!
    if (p !== p) {
      missing++
      continue
    }
    const label = y[i] === 1 ? 1 : 0
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))
    count[bin]! += 1
    scoreSum[bin]! += p
    positives[bin]! += label
    squared += (p - label) ** 2
    scored++
  }
  const out: Array<CalibrationBin> = []
  for (let b = 0; b < bins; b++) {
    const n = count[b]!
    if (n === 0) continue
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: n, meanScore: scoreSum[b]! / n, positiveRate: positives[b]! / n })
  }
  return { bins: out, brier: scored === 0 ? Number.NaN : squared / scored, count: scored, missing }
}
