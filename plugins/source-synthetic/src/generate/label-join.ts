/**
 * Joining flows read back from a generated capture with its ground-truth labels file, on the
 * 5-tuple (either direction) and time overlap, into `label_raw` = `mining:<behaviour>` or
 * `benign:<behaviour>`.
 *
 * Holds: `LabelIndex` (built from a labels file) and `labelBatch`, which adds the column to a
 * FlowBatch and counts flows no label row covers.
 * Does not hold: reading the capture (that is `captureEvents` from @hashhound/flowmeter).
 */
import { type FlowBatch, readNumeric, readStrings, utf8Vector, withColumns } from "@hashhound/core"
import type { LabelRow } from "./labels.js"

const key = (protocol: number, a: string, ap: number, b: string, bp: number): string =>
  a < b || (a === b && ap <= bp) ? `${protocol}|${a}|${ap}|${b}|${bp}` : `${protocol}|${b}|${bp}|${a}|${ap}`

/** Slack when comparing times (µs): flows and labels are stamped from the same clock. */
const SLACK_US = 1_000

export class LabelIndex {
  private readonly byKey = new Map<string, Array<LabelRow>>()

  constructor(rows: ReadonlyArray<LabelRow>) {
    for (const row of rows) {
      const k = key(row.protocol, row.srcIp, row.srcPort, row.dstIp, row.dstPort)
      const list = this.byKey.get(k)
      if (list === undefined) this.byKey.set(k, [row])
      else list.push(row)
    }
  }

  /** The label row whose time span overlaps [firstUs, lastUs] most, if any. */
  find(protocol: number, a: string, ap: number, b: string, bp: number, firstUs: number, lastUs: number): LabelRow | undefined {
    const list = this.byKey.get(key(protocol, a, ap, b, bp))
    if (list === undefined) return undefined
    let best: LabelRow | undefined
    let bestOverlap = -Infinity
    for (const row of list) {
      const overlap = Math.min(lastUs, row.lastSeenUs) - Math.max(firstUs, row.firstSeenUs)
      if (overlap >= -SLACK_US && overlap > bestOverlap) {
        best = row
        bestOverlap = overlap
      }
    }
    return best
  }
}

/** `batch` with `label_raw` from `index`; `unmatched` counts rows left null. */
export const labelBatch = (batch: FlowBatch, index: LabelIndex): { batch: FlowBatch; unmatched: number } => {
  const rows = batch.numRows
  const srcIp = readStrings(batch, "src_ip") ?? []
  const dstIp = readStrings(batch, "dst_ip") ?? []
  const srcPort = readNumeric(batch, "src_port") ?? new Float64Array(rows)
  const dstPort = readNumeric(batch, "dst_port") ?? new Float64Array(rows)
  const protocol = readNumeric(batch, "protocol") ?? new Float64Array(rows)
  const first = readNumeric(batch, "first_seen_us") ?? new Float64Array(rows)
  const last = readNumeric(batch, "last_seen_us") ?? new Float64Array(rows)
  const labels: Array<string | null> = new Array(rows)
  let unmatched = 0
  for (let row = 0; row < rows; row++) {
    const hit = index.find(
      protocol[row]!,
      srcIp[row] ?? "",
      Number.isNaN(srcPort[row]!) ? 0 : srcPort[row]!,
      dstIp[row] ?? "",
      Number.isNaN(dstPort[row]!) ? 0 : dstPort[row]!,
      first[row]!,
      last[row]!
    )
    if (hit === undefined) unmatched++
    labels[row] = hit === undefined ? null : `${hit.label}:${hit.behaviour}`
  }
  return { batch: withColumns(batch, { label_raw: utf8Vector(labels) }), unmatched }
}
