/**
 * Counting a source's findings by kind of damage: corrupt records, truncated packets, frames of
 * skipped link types and flows evicted early, per capture and in total.
 *
 * Holds: the default finding codes of each category (those the flowmeter and the export readers
 * emit), `ParseTally` and `tallyFindings` (a finding stands for `count` occurrences, 1 when
 * absent), and `totalsOf` for packets and flows of the stored dataset (the share denominators).
 * Does not hold: thresholds (see `index.ts`).
 */
import { readNumeric, type Finding, type FlowBatch } from "@hashhound/core"

export const CATEGORIES = ["corrupt", "truncated", "skipped_link_type", "evicted"] as const
export type Category = (typeof CATEGORIES)[number]

export const DEFAULT_CODES: Readonly<Record<Category, ReadonlyArray<string>>> = {
  corrupt: ["corrupt_record", "truncated_file", "malformed_row", "malformed_packet", "bad_timestamp", "unknown_interface"],
  truncated: ["truncated_packet"],
  skipped_link_type: ["skipped_link_type"],
  evicted: ["evicted"]
}

export interface ParseTally {
  readonly total: Record<Category, number>
  /** per category, occurrences per capture ("(no capture)" when the finding names none) */
  readonly byCapture: Record<Category, Map<string, number>>
  /** codes seen that no category claims, with their occurrences */
  readonly other: Map<string, number>
}

export const tallyFindings = (findings: ReadonlyArray<Finding>, codes: Readonly<Record<Category, ReadonlyArray<string>>>): ParseTally => {
  const categoryOf = new Map<string, Category>()
  for (const category of CATEGORIES) for (const code of codes[category]) categoryOf.set(code, category)
  const tally: ParseTally = {
    total: { corrupt: 0, truncated: 0, skipped_link_type: 0, evicted: 0 },
    byCapture: { corrupt: new Map(), truncated: new Map(), skipped_link_type: new Map(), evicted: new Map() },
    other: new Map()
  }
  for (const finding of findings) {
    const n = finding.count !== undefined && Number.isFinite(finding.count) && finding.count >= 0 ? finding.count : 1
    const category = categoryOf.get(finding.code)
    if (category === undefined) {
      tally.other.set(finding.code, (tally.other.get(finding.code) ?? 0) + n)
      continue
    }
    tally.total[category] += n
    const capture = finding.capture ?? "(no capture)"
    tally.byCapture[category].set(capture, (tally.byCapture[category].get(capture) ?? 0) + n)
  }
  return tally
}

/** "a.pcap 40, b.pcap 2, …": the captures with the most occurrences. */
export const topCaptures = (counts: ReadonlyMap<string, number>, limit = 3): string => {
  const sorted = [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
  const shown = sorted.slice(0, limit).map(([capture, n]) => `${capture} ${n}`)
  return `${shown.join(", ")}${sorted.length > limit ? `, … (${sorted.length} captures)` : ""}`
}

export interface Totals {
  flows: number
  packets: number
}

/** Add a batch's flows and packets (fwd + bwd) to the totals. */
export const addTotals = (totals: Totals, batch: FlowBatch): void => {
  totals.flows += batch.numRows
  const fwd = readNumeric(batch, "fwd_packets")
  const bwd = readNumeric(batch, "bwd_packets")
  for (let row = 0; row < batch.numRows; row++) {
    const f = fwd?.[row] ?? Number.NaN
    const b = bwd?.[row] ?? Number.NaN
    if (!Number.isNaN(f) && f > 0) totals.packets += f
    if (!Number.isNaN(b) && b > 0) totals.packets += b
  }
}
