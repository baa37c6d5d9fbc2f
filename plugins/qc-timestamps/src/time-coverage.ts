/**
 * Dataset-level timestamp measurements, per capture: rows whose `first_seen_us` falls back
 * behind every earlier batch of the capture (beyond the tolerance), and gaps, stretches of time
 * that no flow of the capture covers.
 *
 * Holds: `CaptureCoverage` (add a stored batch; keeps the plausible [first, last] intervals in
 * growing Float64Arrays) and `gapsOf` (sort by start, sweep, list gaps longer than a minimum).
 * Does not hold: per-row checks inside a batch (see `time-checks.ts`).
 */
import { readNumeric, type FlowBatch } from "@hashhound/core"
import type { TimeLimits } from "./time-checks.js"

export interface Gap {
  readonly startUs: number
  readonly endUs: number
}

/** One capture's intervals and its order across batches. */
export class CaptureCoverage {
  starts = new Float64Array(1024)
  ends = new Float64Array(1024)
  size = 0
  /** latest first_seen of the batches added so far */
  private highWater = Number.NEGATIVE_INFINITY
  /** rows behind the earlier batches' latest first_seen by more than the tolerance */
  backwardsAcrossBatches = 0
  maxBackwardsUs = 0
  /** batches in which such rows were found */
  readonly backwardsBatches: Array<number> = []

  constructor(readonly capture: string) {}

  private push(start: number, end: number): void {
    if (this.size === this.starts.length) {
      const starts = new Float64Array(this.size * 2)
      starts.set(this.starts)
      const ends = new Float64Array(this.size * 2)
      ends.set(this.ends)
      this.starts = starts
      this.ends = ends
    }
    this.starts[this.size] = start
    this.ends[this.size] = end
    this.size++
  }

  /** Add the rows of `batch` (all of this capture) from `from` to `to` (exclusive). */
  add(batch: FlowBatch, limits: TimeLimits, batchIndex: number, rowsOf?: ReadonlyArray<number>): void {
    const first = readNumeric(batch, "first_seen_us")
    if (first === undefined) return
    const last = readNumeric(batch, "last_seen_us")
    const previous = this.highWater
    let batchMax = Number.NEGATIVE_INFINITY
    let backwardsHere = 0
    const count = rowsOf === undefined ? batch.numRows : rowsOf.length
    for (let i = 0; i < count; i++) {
      const row = rowsOf === undefined ? i : rowsOf[i]!
      const f = first[row]!
      if (Number.isNaN(f)) continue
      const l = last === undefined || Number.isNaN(last[row]!) ? f : Math.max(f, last[row]!)
      if (f < limits.notBeforeUs || f > limits.notAfterUs || l > limits.notAfterUs) continue
      this.push(f, l)
      if (f < previous - limits.backwardsToleranceUs) {
        backwardsHere++
        if (previous - f > this.maxBackwardsUs) this.maxBackwardsUs = previous - f
      }
      if (f > batchMax) batchMax = f
    }
    if (backwardsHere > 0) {
      this.backwardsAcrossBatches += backwardsHere
      this.backwardsBatches.push(batchIndex)
    }
    if (batchMax > this.highWater) this.highWater = batchMax
  }

  /** The capture's first and last plausible instants (µs), or undefined when it has none. */
  span(): { readonly firstUs: number; readonly lastUs: number } | undefined {
    if (this.size === 0) return undefined
    let lo = Number.POSITIVE_INFINITY
    let hi = Number.NEGATIVE_INFINITY
    for (let i = 0; i < this.size; i++) {
      if (this.starts[i]! < lo) lo = this.starts[i]!
      if (this.ends[i]! > hi) hi = this.ends[i]!
    }
    return { firstUs: lo, lastUs: hi }
  }

  /** Gaps longer than `minUs`, in time order. */
  gaps(minUs: number): ReadonlyArray<Gap> {
    return gapsOf(this.starts.subarray(0, this.size), this.ends.subarray(0, this.size), minUs)
  }
}

/** Gaps longer than `minUs` between intervals [starts[i], ends[i]] (any order). */
export const gapsOf = (starts: Float64Array, ends: Float64Array, minUs: number): ReadonlyArray<Gap> => {
  const n = starts.length
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => starts[a]! - starts[b]!)
  const out: Array<Gap> = []
  let coveredUntil = Number.NEGATIVE_INFINITY
  for (let k = 0; k < n; k++) {
    const i = order[k]!
    const start = starts[i]!
    if (coveredUntil !== Number.NEGATIVE_INFINITY && start - coveredUntil > minUs) out.push({ startUs: coveredUntil, endUs: start })
    if (ends[i]! > coveredUntil) coveredUntil = ends[i]!
  }
  return out
}
