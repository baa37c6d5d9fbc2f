/**
 * Duplicate flows within a dataset: the same flow seen twice (a capture ingested twice, two
 * sensors on one link, overlapping captures or exports).
 *
 * Holds: `DEDUPE_COLUMNS` (what the rule reads), `DUPLICATE_RULE` (its version, part of the
 * labels key), `dedupeKeys` (per row the flow key `src_ip|dst_ip|src_port|dst_port|protocol|vlan_id`,
 * null when the row lacks addresses), `duplicateGroups` (pure, over arrays: which rows repeat
 * which), `DuplicateTracker` (the same rule fed batch by batch across a whole dataset),
 * `markDuplicates` (adds `duplicate of <flow_id>` to the merged detail) and `duplicateOfDetail`
 * (that mark read back from a stored label_detail).
 *
 * Rule: two rows are duplicates when their flow keys are equal and their `first_seen_us` differ
 * by at most `toleranceUs` (0: exactly equal). The label stage uses the pipeline's `label_skew_s`
 * as the tolerance (the clocks of two sensors disagree as much as label windows and captures
 * may). The first row in feeding order is kept; every later one is a duplicate of the earliest
 * kept row it matches. The label stage feeds every unit of a dataset in unit-number order, then
 * batch index, so "first" is the same on every run (an interrupted and resumed one included)
 * and a unit added later never turns an earlier unit's flows into duplicates. A row without a key
 * or without `first_seen_us` is never a duplicate.
 * Duplicates are flagged, not dropped: they keep their own labels and stay in flows, labels and
 * features (nothing is lost); their `label_detail` ends with `duplicate of <kept flow_id>`, and
 * the label report counts them (`duplicates`, per dataset and capture). The models stage leaves
 * them out of training and of every metric (`duplicates_dropped`) but still scores them; another
 * analysis can do the same (`label_detail NOT LIKE '%duplicate of %'`).
 * Does not hold: the label merge (`merge.ts`), the feeding order (the runner's `run/labels.ts`).
 */
import { readNumeric, readStrings, type FlowBatch } from "@hashhound/core"
import type { MergedLabels } from "./merge.js"

/** The columns `dedupeKeys` and `DuplicateTracker` read (a batch may lack some: fewer keys). */
export const DEDUPE_COLUMNS: ReadonlyArray<string> = ["flow_id", "src_ip", "dst_ip", "src_port", "dst_port", "protocol", "vlan_id", "first_seen_us"]

/** The duplicate rule's version: a change to the rule or its mark changes every labels key. */
export const DUPLICATE_RULE = "duplicates/1: flow key, first_seen within label_skew_s, first in unit-number then batch order kept; flagged in label_detail"

const DUPLICATE_MARK = "duplicate of "

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
 * seen: per kept flow its key string, its first_seen and its flow id (a key with several kept
 * flows, e.g. a long connection split by a timeout, also holds their times sorted).
 */
export class DuplicateTracker {
  /** key → index of its only kept flow (most keys) */
  private readonly single = new Map<string, number>()
  /** key → its kept flows sorted by first_seen, for keys with more than one */
  private readonly several = new Map<string, Kept>()
  private readonly keptTimes: Array<number> = []
  private readonly keptIds: Array<string> = []
  private duplicateCount = 0

  constructor(private readonly toleranceUs = 0) {}

  /** Duplicates found so far. */
  get duplicates(): number {
    return this.duplicateCount
  }

  /** Distinct flows kept so far. */
  get kept(): number {
    return this.keptIds.length
  }

  private keep(time: number, id: string): number {
    this.keptTimes.push(time)
    return this.keptIds.push(id) - 1
  }

  /** Per row of the batch: the flow id of the earlier flow it repeats, or null. */
  observe(batch: FlowBatch): Array<string | null> {
    const keys = dedupeKeys(batch)
    const firstSeen = readNumeric(batch, "first_seen_us")
    const flowIds = readStrings(batch, "flow_id")
    const out = new Array<string | null>(batch.numRows).fill(null)
    if (firstSeen === undefined) return out
    const tolerance = this.toleranceUs
    for (let row = 0; row < keys.length; row++) {
      const key = keys[row]
      const time = firstSeen[row]!
      if (key === null || key === undefined || Number.isNaN(time)) continue
      const id = flowIds?.[row] ?? `row ${row}`
      const kept = this.several.get(key)
      let of = -1
      if (kept !== undefined) {
        const at = matchKept(kept, time, tolerance)
        if (at < 0) insertKept(kept, time, this.keep(time, id))
        else of = kept.ids[at]!
      } else {
        const only = this.single.get(key)
        if (only === undefined) {
          // a joined key is a rope of its parts until read: reading one character flattens it,
          // which halves what each kept key holds (the parts are freed)
          key.charCodeAt(0)
          this.single.set(key, this.keep(time, id))
        } else if (Math.abs(this.keptTimes[only]! - time) <= tolerance) of = only
        else {
          const both: Kept = { times: [this.keptTimes[only]!], ids: [only] }
          insertKept(both, time, this.keep(time, id))
          this.several.set(key, both)
          this.single.delete(key)
        }
      }
      if (of >= 0) {
        out[row] = this.keptIds[of] ?? null
        this.duplicateCount++
      }
    }
    return out
  }
}

/** Merged labels with `duplicate of <flow_id>` added to the detail of every duplicate row (always last). */
export const markDuplicates = (merged: MergedLabels, duplicateOf: ReadonlyArray<string | null>): MergedLabels => {
  const detail = merged.detail.map((why, row) => {
    const of = duplicateOf[row]
    if (of === null || of === undefined) return why
    return why === null ? `${DUPLICATE_MARK}${of}` : `${why}; ${DUPLICATE_MARK}${of}`
  })
  return { ...merged, detail }
}

/**
 * The kept flow a stored label_detail names as `duplicate of <flow_id>` (the mark
 * `markDuplicates` puts last: the whole detail or its last `; ` part), or null.
 */
export const duplicateOfDetail = (detail: string | null | undefined): string | null => {
  if (detail === null || detail === undefined) return null
  const at = detail.lastIndexOf(DUPLICATE_MARK)
  if (at < 0 || (at > 0 && !detail.startsWith("; ", at - 2))) return null
  const of = detail.slice(at + DUPLICATE_MARK.length)
  return of === "" ? null : of
}

/** How many rows of a `duplicateOf` array are duplicates. */
export const countDuplicates = (duplicateOf: ReadonlyArray<string | null>): number => {
  let n = 0
  for (const of of duplicateOf) if (of !== null) n++
  return n
}
