/**
 * Per-batch timestamp measurements: implausible times, times outside the capture window,
 * negative and zero durations, and `first_seen_us` going backwards within the batch.
 *
 * Holds: `TimeLimits` (µs bounds the config resolves to) and `measureBatch`, one pass over the
 * time and packet columns with no allocation per row.
 * Does not hold: cross-batch order or gaps (see `time-coverage.ts`), thresholds (`index.ts`).
 */
import { readNumeric, type FlowBatch } from "@hashhound/core"

export interface TimeLimits {
  /** earliest plausible time (µs) */
  readonly notBeforeUs: number
  /** latest plausible time (µs): `now` plus the tolerance */
  readonly notAfterUs: number
  /** the capture window, when the config gives one */
  readonly windowStartUs?: number | undefined
  readonly windowEndUs?: number | undefined
  /** how far (µs) first_seen may go back behind the latest first_seen before a row counts as backwards */
  readonly backwardsToleranceUs: number
}

export interface BatchTimes {
  readonly rows: number
  /** rows with a first_seen_us */
  readonly timed: number
  readonly implausible: number
  /** first implausible first_seen (µs), for the message */
  readonly implausibleExample: number
  readonly outsideWindow: number
  readonly negativeDuration: number
  /** flows of two packets or more */
  readonly multiPacket: number
  readonly zeroDurationMultiPacket: number
  readonly backwards: number
  /** largest step back (µs) behind the running maximum */
  readonly maxBackwardsUs: number
}

const at = (column: Float64Array | undefined, row: number): number => (column === undefined ? Number.NaN : column[row]!)

export const measureBatch = (batch: FlowBatch, limits: TimeLimits): BatchTimes => {
  const rows = batch.numRows
  const first = readNumeric(batch, "first_seen_us")
  const last = readNumeric(batch, "last_seen_us")
  const duration = readNumeric(batch, "duration_s")
  const fwdPackets = readNumeric(batch, "fwd_packets")
  const bwdPackets = readNumeric(batch, "bwd_packets")
  let timed = 0
  let implausible = 0
  let implausibleExample = Number.NaN
  let outsideWindow = 0
  let negativeDuration = 0
  let multiPacket = 0
  let zeroDurationMultiPacket = 0
  let backwards = 0
  let maxBackwardsUs = 0
  let highWater = Number.NEGATIVE_INFINITY
  for (let row = 0; row < rows; row++) {
    const f = at(first, row)
    const l = at(last, row)
    const d = at(duration, row)
    if (!Number.isNaN(f)) {
      timed++
      const end = Number.isNaN(l) ? f : Math.max(f, l)
      const bad = f < limits.notBeforeUs || f > limits.notAfterUs || end > limits.notAfterUs
      if (bad) {
        implausible++
        if (Number.isNaN(implausibleExample)) implausibleExample = f < limits.notBeforeUs ? f : end
      } else {
        if (
          (limits.windowStartUs !== undefined && f < limits.windowStartUs) ||
          (limits.windowEndUs !== undefined && end > limits.windowEndUs)
        )
          outsideWindow++
        if (f < highWater - limits.backwardsToleranceUs) {
          backwards++
          if (highWater - f > maxBackwardsUs) maxBackwardsUs = highWater - f
        }
        if (f > highWater) highWater = f
      }
    }
    const span = !Number.isNaN(d) ? d : !Number.isNaN(f) && !Number.isNaN(l) ? (l - f) / 1e6 : Number.NaN
    if (span < 0 || (!Number.isNaN(f) && !Number.isNaN(l) && l < f)) negativeDuration++
    const fp = at(fwdPackets, row)
    const bp = at(bwdPackets, row)
    const packets = (Number.isNaN(fp) ? 0 : fp) + (Number.isNaN(bp) ? 0 : bp)
    if (packets >= 2 && !Number.isNaN(span)) {
      multiPacket++
      if (span === 0) zeroDurationMultiPacket++
    }
  }
  return {
    rows,
    timed,
    implausible,
    implausibleExample,
    outsideWindow,
    negativeDuration,
    multiPacket,
    zeroDurationMultiPacket,
    backwards,
    maxBackwardsUs
  }
}
