/**
 * Duplicate flows within a dataset: the same flow seen twice (a capture ingested twice, two
 * sensors on one link, overlapping exports).
 *
 * Holds: `dedupeKeys` (per row the flow key `src_ip|dst_ip|src_port|dst_port|protocol|vlan_id`,
 * null when the row lacks addresses), `duplicateGroups` (pure, over arrays: which rows repeat
 * which), `DuplicateTracker` (the same rule fed batch by batch across a whole dataset) and
 * `markDuplicates` (adds `duplicate of <flow_id>` to the merged detail).
 *
 * Rule: two rows are duplicates when their flow keys are equal and their `first_seen_us` differ
 * by at most `toleranceUs` (0: exactly equal; the pipeline's `label_skew_s` is the natural
 * tolerance when sensors' clocks disagree). The first row in feeding order is kept; every later
 * one is a duplicate of the earliest kept row it matches. Feed batches in plan order (unit, then
 * batch index) so that "first" is the same on every run. A row without a key or without
 * `first_seen_us` is never a duplicate. Duplicates keep their own labels (nothing is lost); their
 * detail names the kept flow, and `labelSummary` counts them, so training can leave them out.
 * Does not hold: the label merge (`merge.ts`).
 */
import { readNumeric, readStrings, type FlowBatch } from "@hashhound/core"
import type { MergedLabels } from "./merge.js"

const numberPart = (values: Float64Array | undefined, row: number): string => {
  const value = values?.[row]
  return value === undefined || Number.isNaN(value) ? "" : String(value)
}

/** Per row the flow key without time, or null when the row has no src_ip/dst_ip. */
export const dedupeKeys = (batch: FlowBatch): Array<string | null> => {
  const rows = batch.numRows
  const out = new Array<string | null>(rows).fill(null)
  const src = readStrings(batch, "src_ip")
  const dst = readStrings(batch, "dst_ip")
  if (src === undefined || dst === undefined) return out
  const srcPort = readNumeric(batch, "src_port")
  const dstPort = readNumeric(batch, "dst_port")
  const protocol = readNumeric(batch, "protocol")
  const vlan = readNumeric(batch, "vlan_id")
  for (let row = 0; row < rows; row++) {
    const a = src[row]
    const b = dst[row]
    if (a === null || a === undefined || b === null || b === undefined) continue
    out[row] = `${a}|${b}|${numberPart(srcPort, row)}|${numberPart(dstPort, row)}|${numberPart(protocol, row)}|${numberPart(vlan, row)}`
  }
  return out
}

export interface DuplicateGroup {
  /** index of the kept row */
  readonly keep: number
  /** indices of the rows that repeat it, in order */
  readonly duplicates: ReadonlyArray<number>
}

interface Kept {
  /** first_seen of kept rows, ascending */
  readonly times: Array<number>
  readonly ids: Array<number>
}

/** Index (into `times`) of the first entry ≥ `value`. */
const lowerBound = (times: ReadonlyArray<number>, value: number): number => {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (times[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The kept entry matching `time` within `tolerance` (the earliest such), or -1. */
const matchKept = (kept: Kept, time: number, tolerance: number): number => {
  const at = lowerBound(kept.times, time - tolerance)
  return at < kept.times.length && kept.times[at]! <= time + tolerance ? at : -1
}

const insertKept = (kept: Kept, time: number, id: number): void => {
  const at = lowerBound(kept.times, time)
  kept.times.splice(at, 0, time)
  kept.ids.splice(at, 0, id)
}

/**
 * Rows that repeat an earlier row (same key, first_seen within `toleranceUs`), as groups in the
 * order their kept rows appear. Rows that repeat nothing are in no group.
 */
export const duplicateGroups = (
  keys: ReadonlyArray<string | null>,
  firstSeenUs: ArrayLike<number>,
  toleranceUs = 0
): ReadonlyArray<DuplicateGroup> => {
  const byKey = new Map<string, Kept>()
  const groups = new Map<number, Array<number>>()
  for (let row = 0; row < keys.length; row++) {
    const key = keys[row]
    const time = firstSeenUs[row]
    if (key === null || key === undefined || time === undefined || Number.isNaN(time)) continue
    let kept = byKey.get(key)
    if (kept === undefined) {
      kept = { times: [], ids: [] }
      byKey.set(key, kept)
    }
    const at = matchKept(kept, time, toleranceUs)
    if (at < 0) insertKept(kept, time, row)
    else {
      const keep = kept.ids[at]!
      const list = groups.get(keep)
      if (list === undefined) groups.set(keep, [row])
      else list.push(row)
    }
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([keep, duplicates]) => ({ keep, duplicates }))
}

/**
 * The duplicate rule across a dataset, batch by batch. Memory grows with the distinct flows
 * seen (one key string and one flow id each).
 */
export class DuplicateTracker {
  private readonly byKey = new Map<string, Kept>()
  private readonly keptIds: Array<string> = []
  private duplicateCount = 0

  constructor(private readonly toleranceUs = 0) {}

  /** Duplicates found so far. */
  get duplicates(): number {
    return this.duplicateCount
  }

  /** Per row of the batch: the flow id of the earlier flow it repeats, or null. */
  observe(batch: FlowBatch): Array<string | null> {
    const keys = dedupeKeys(batch)
    const firstSeen = readNumeric(batch, "first_seen_us")
    const flowIds = readStrings(batch, "flow_id")
    const out = new Array<string | null>(batch.numRows).fill(null)
    if (firstSeen === undefined) return out
    for (let row = 0; row < keys.length; row++) {
      const key = keys[row]
      const time = firstSeen[row]!
      if (key === null || key === undefined || Number.isNaN(time)) continue
      let kept = this.byKey.get(key)
      if (kept === undefined) {
        kept = { times: [], ids: [] }
        this.byKey.set(key, kept)
      }
      const at = matchKept(kept, time, this.toleranceUs)
      if (at < 0) {
        insertKept(kept, time, this.keptIds.length)
        this.keptIds.push(flowIds?.[row] ?? `row ${row}`)
      } else {
        out[row] = this.keptIds[kept.ids[at]!] ?? null
        this.duplicateCount++
      }
    }
    return out
  }
}

/** Merged labels with `duplicate of <flow_id>` added to the detail of every duplicate row. */
export const markDuplicates = (merged: MergedLabels, duplicateOf: ReadonlyArray<string | null>): MergedLabels => {
  const detail = merged.detail.map((why, row) => {
    const of = duplicateOf[row]
    if (of === null || of === undefined) return why
    return why === null ? `duplicate of ${of}` : `${why}; duplicate of ${of}`
  })
  return { ...merged, detail }
}

/** How many rows of a `duplicateOf` array are duplicates. */
export const countDuplicates = (duplicateOf: ReadonlyArray<string | null>): number => {
  let n = 0
  for (const of of duplicateOf) if (of !== null) n++
  return n
}
