/**
 * Label counts over labelled batches: flows per label, conflicts, per capture.
 *
 * Holds: `LabelCounts` (mining, benign, unknown — null counts as unknown —, other values, and
 * conflicts), `hasConflict` (does a row's label_detail carry the pipeline's conflict mark?),
 * `countBatch` (one batch's counts, split by its capture column when it has one) and the
 * derived coverage and minority shares.
 * Does not hold: thresholds (see `index.ts`).
 */
import { readStrings, type FlowBatch } from "@hashhound/core"

export interface LabelCounts {
  flows: number
  mining: number
  benign: number
  unknown: number
  /** label values outside mining | benign | unknown */
  other: number
  conflicts: number
}

export const emptyCounts = (): LabelCounts => ({ flows: 0, mining: 0, benign: 0, unknown: 0, other: 0, conflicts: 0 })

export const addCounts = (into: LabelCounts, from: LabelCounts): void => {
  into.flows += from.flows
  into.mining += from.mining
  into.benign += from.benign
  into.unknown += from.unknown
  into.other += from.other
  into.conflicts += from.conflicts
}

/** Share of flows with a label other than unknown. */
export const coverageOf = (c: LabelCounts): number => (c.flows === 0 ? Number.NaN : (c.mining + c.benign) / c.flows)

/** Share of the smaller class among mining + benign flows. */
export const minorityShareOf = (c: LabelCounts): number =>
  c.mining + c.benign === 0 ? Number.NaN : Math.min(c.mining, c.benign) / (c.mining + c.benign)

/**
 * The mark the pipeline's label merge writes for a conflict, as one `; `-separated part of
 * label_detail: `conflict: <winner id>=<label> vs <other id>=<label>`, ids being labeler plugin
 * ids. Only this mark counts: a labeler's own detail can carry words from traffic or from a
 * dataset (a JSON-RPC method `resolve_conflict`, a raw label "Conflict") that are no conflict.
 */
const CONFLICT_MARK = /(?:^|; )conflict: labeler\.[a-z0-9]+(?:-[a-z0-9]+)*=(mining|benign) vs labeler\.[a-z0-9]+(?:-[a-z0-9]+)*=(mining|benign)(?= \(|;|$)/g

/**
 * Does `detail` carry a conflict mark whose winner is `label` and whose other labeler said the
 * other class? (The merge only marks definite answers that differ from the winner's.)
 */
export const hasConflict = (detail: string, label: string | null): boolean => {
  for (const match of detail.matchAll(CONFLICT_MARK)) {
    const [, winner, other] = match
    if (winner !== other && (label === null || label === winner)) return true
  }
  return false
}

/** Does the batch carry labels at all? */
export const hasLabels = (batch: FlowBatch): boolean => batch.getChild("label") !== null

/** Counts per capture of one batch (`fallbackCapture` where it has no capture column). */
export const countBatch = (batch: FlowBatch, fallbackCapture: string): Map<string, LabelCounts> => {
  const out = new Map<string, LabelCounts>()
  const labels = readStrings(batch, "label")
  const details = readStrings(batch, "label_detail")
  const captures = readStrings(batch, "capture")
  for (let row = 0; row < batch.numRows; row++) {
    const capture = captures?.[row] ?? fallbackCapture
    let counts = out.get(capture)
    if (counts === undefined) {
      counts = emptyCounts()
      out.set(capture, counts)
    }
    counts.flows++
    const label = labels?.[row] ?? null
    if (label === "mining") counts.mining++
    else if (label === "benign") counts.benign++
    else if (label === null || label === "unknown") counts.unknown++
    else counts.other++
    const detail = details?.[row]
    if (detail !== null && detail !== undefined && hasConflict(detail, label)) counts.conflicts++
  }
  return out
}
