/**
 * A fixed-size quantile sketch for non-negative values (flow bytes, packets, durations).
 *
 * Holds: `QuantileSketch`: logarithmic buckets with 1 % relative accuracy (DDSketch-style) in one
 * Float64Array, a separate count of zeros, `add` (no allocation) and `quantile(q)`. Values below
 * 1e-9 count as zero; negative and non-finite values are not added (the caller counts them).
 * Does not hold: which columns are sketched (see `volume-stats.ts`).
 */

const RELATIVE_ACCURACY = 0.01
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
/** buckets cover gamma^-OFFSET … gamma^(BUCKETS-OFFSET): about 1e-9 … 1e18 */
const OFFSET = 1100
const BUCKETS = 3200
const ZERO_BELOW = 1e-9

export class QuantileSketch {
  private readonly buckets = new Float64Array(BUCKETS)
  private zeros = 0
  private total = 0
  private maxValue = Number.NEGATIVE_INFINITY
  private minValue = Number.POSITIVE_INFINITY

  /** Add one value; returns false (and adds nothing) for negative or non-finite values. */
  add(value: number): boolean {
    if (!Number.isFinite(value) || value < 0) return false
    this.total++
    if (value > this.maxValue) this.maxValue = value
    if (value < this.minValue) this.minValue = value
    if (value < ZERO_BELOW) {
      this.zeros++
      return true
    }
    const index = Math.min(BUCKETS - 1, Math.max(0, Math.ceil(Math.log(value) / LOG_GAMMA) + OFFSET))
    this.buckets[index]! += 1
    return true
  }

  get count(): number {
    return this.total
  }

  get max(): number {
    return this.total === 0 ? Number.NaN : this.maxValue
  }

  get min(): number {
    return this.total === 0 ? Number.NaN : this.minValue
  }

  /** The q-quantile (0..1) within 1 % relative error; NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN
    if (q >= 1) return this.maxValue
    if (q <= 0) return this.minValue
    const rank = q * (this.total - 1)
    if (rank < this.zeros) return 0
    let seen = this.zeros
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.buckets[index]!
      if (seen > rank) {
        const estimate = (2 * Math.pow(GAMMA, index - OFFSET)) / (GAMMA + 1)
        return Math.min(this.maxValue, Math.max(this.minValue, estimate))
      }
    }
    return this.maxValue
  }
}
