/**
 * Timing regularity of a flow's first packets, from the gaps in `splt_iat_ms`.
 *
 * Holds: `gapStats`, the coefficient of variation of the early gaps and the regularity score
 * `early_gap_regularity`, defined here:
 *
 *   For a period p ∈ {1, 2, 3}, cut the gap sequence g₁…gₘ into ⌊m/p⌋ consecutive windows of p
 *   gaps and sum each window (the time between packet i and packet i + p). If the packet timing
 *   repeats with period p (a request/response pair every T seconds is p = 2; job, submit, reply
 *   is p = 3), those sums are equal. Their coefficient of variation, scaled by √p, is
 *   cv_p = √p · σ(sums) / μ(sums). The √p puts every p on the same footing for random
 *   (Poisson) arrivals, whose gaps have CV 1 and whose p-sums have CV 1/√p. The score is
 *   1 − min(1, min_p cv_p): 1 for clockwork timing, 0 for timing as irregular as random arrivals
 *   or worse. A period needs at least 2 windows and a positive mean; with none usable the score
 *   is null. With few gaps the sample CV runs low and the minimum over three periods picks the
 *   lowest, so random arrivals score above 0 on average (simulated: 0.26 with 19 gaps, 0.42 with
 *   9, 0.51 with 4), while timers with ±5 % jitter score 0.97–0.99 (period 1 or 2); compare
 *   flows by the score, do not read it as a probability.
 *
 * Stratum pools push jobs on a timer and miners submit shares at a steady rate, so a mining
 * flow's packets (especially in flows cut by the active timeout, which start mid-conversation)
 * tend to score high; interactive traffic scores low. The gaps are the list items after the
 * first (which is 0 by definition); null items are skipped.
 * Does not hold: reading the lists (core's `readLists`).
 */

export interface GapStats {
  /** population std / mean of the gaps; NaN when undefined */
  cv: number
  /** the regularity score in [0, 1]; NaN when undefined */
  regularity: number
}

/** CV and regularity of `gaps[0 .. m)` (already compacted, no NaN); writes into `out`. */
export const gapStats = (gaps: Float64Array, m: number, out: GapStats): void => {
  out.cv = Number.NaN
  out.regularity = Number.NaN
  let best = Number.POSITIVE_INFINITY
  for (let p = 1; p <= 3; p++) {
    const windows = Math.floor(m / p)
    if (windows < 2) break
    let sum = 0
    let sumSq = 0
    for (let w = 0; w < windows; w++) {
      let s = 0
      for (let k = w * p; k < w * p + p; k++) s += gaps[k]!
      sum += s
      sumSq += s * s
    }
    const mean = sum / windows
    if (!(mean > 0)) continue
    const variance = Math.max(0, sumSq / windows - mean * mean)
    // Relative error below 1e-12 is rounding, not spread: clockwork timing scores exactly 1.
    const cv = variance <= mean * mean * 1e-24 ? 0 : Math.sqrt(variance) / mean
    if (p === 1) out.cv = cv
    const scaled = Math.sqrt(p) * cv
    if (scaled < best) best = scaled
  }
  if (best !== Number.POSITIVE_INFINITY) out.regularity = 1 - Math.min(1, best)
}
