/**
 * Distribution shift between a reference sample and a current sample of one column.
 *
 * Holds: `Reservoir` (a fixed-size uniform sample with a seeded generator, so a rerun gives the
 * same answer), `psi` (population stability index over the reference's quantile bins, empty bins
 * floored at 1e-4) and `ks` (two-sample Kolmogorov–Smirnov statistic), both over sorted arrays.
 * Does not hold: which columns are compared or thresholds (see `index.ts`).
 */

/** mulberry32: a small seeded generator (uniform in [0, 1)). */
const generator = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform sample of at most `capacity` finite values (reservoir sampling). */
export class Reservoir {
  private readonly values: Float64Array
  private size = 0
  seen = 0
  private readonly random: () => number

  constructor(readonly capacity: number, seed = 1) {
    this.values = new Float64Array(capacity)
    this.random = generator(seed)
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return
    this.seen++
    if (this.size < this.capacity) {
      this.values[this.size++] = value
      return
    }
    const slot = Math.floor(this.random() * this.seen)
    if (slot < this.capacity) this.values[slot] = value
  }

  /** The sample, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort()
  }
}

/** Number of values ≤ x in a sorted array. */
const upperBound = (sorted: Float64Array, x: number): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Inner bin edges: the reference's k/bins quantiles, without repeats. */
export const quantileEdges = (reference: Float64Array, bins: number): ReadonlyArray<number> => {
  const edges: Array<number> = []
  for (let k = 1; k < bins; k++) {
    const edge = reference[Math.min(reference.length - 1, Math.floor((k * reference.length) / bins))]!
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge)
  }
  return edges
}

const FLOOR = 1e-4

/** Shares per bin of a sorted sample: bins (-∞, e0], (e0, e1], …, (e_last, ∞). */
export const binShares = (sorted: Float64Array, edges: ReadonlyArray<number>): Array<number> => {
  const shares: Array<number> = []
  let below = 0
  for (const edge of edges) {
    const upTo = upperBound(sorted, edge)
    shares.push((upTo - below) / sorted.length)
    below = upTo
  }
  shares.push((sorted.length - below) / sorted.length)
  return shares
}

/** PSI of `current` against `reference` (both sorted, non-empty) over the reference's quantile bins. */
export const psi = (reference: Float64Array, current: Float64Array, bins = 10): number => {
  const edges = quantileEdges(reference, bins)
  const expected = binShares(reference, edges)
  const actual = binShares(current, edges)
  let sum = 0
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, FLOOR)
    const a = Math.max(actual[i]!, FLOOR)
    sum += (a - e) * Math.log(a / e)
  }
  return sum
}

/** Two-sample KS statistic: the largest gap between the empirical CDFs (both sorted, non-empty). */
export const ks = (a: Float64Array, b: Float64Array): number => {
  let i = 0
  let j = 0
  let d = 0
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!)
    while (i < a.length && a[i]! <= x) i++
    while (j < b.length && b[j]! <= x) j++
    const gap = Math.abs(i / a.length - j / b.length)
    if (gap > d) d = gap
  }
  return d
}
