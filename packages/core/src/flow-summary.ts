/**
 * The flow summary a QC report charts: what the stored flows of a dataset look like, computed
 * from FlowBatches by a pure accumulator and kept as plain JSON
 * (`datasets/<name>/qc/flow-summary.json`, written by the pipeline's QC stage, read by reports).
 *
 * Holds: the `FlowSummary` Schema (format `hashhound.flow-summary/1`), `FlowSummaryBuilder`
 * (add batches; per-row loops over typed arrays, fixed-size counters for protocols and ports,
 * capped maps for app hints), `summarizeFlows` (batches → summary) and the log-scale histogram
 * binning (`logBinIndex`, `binBounds`).
 * `FLOW_SUMMARY_COLUMNS` names the columns it reads, so a reader can project to them.
 * Does not hold: rendering (report plugins) or reading stored flows (the pipeline streams them;
 * this module never does I/O).
 */
import { Schema } from "effect"
import { readNumeric, readStrings, type FlowBatch } from "./flow-batch.js"

export const FLOW_SUMMARY_FORMAT = "hashhound.flow-summary/1"

/** Every column `FlowSummaryBuilder.add` reads (absent ones count as missing). */
export const FLOW_SUMMARY_COLUMNS: ReadonlyArray<string> = [
  "capture",
  "duration_s",
  "first_seen_us",
  "last_seen_us",
  "fwd_bytes",
  "bwd_bytes",
  "fwd_packets",
  "bwd_packets",
  "protocol",
  "dst_port",
  "tls_sni",
  "http_host",
  "dns_qname",
  "label",
  "label_detail"
]

/** Histogram bins per decade on the log axis. */
export const BINS_PER_DECADE = 4

const Bin = Schema.Struct({ lo: Schema.Number, hi: Schema.Number, count: Schema.Number })

export const LogHistogram = Schema.Struct({
  bins_per_decade: Schema.Number,
  /** contiguous bins [lo, hi) from the smallest to the largest positive value */
  bins: Schema.Array(Bin),
  /** values equal to 0 (not on a log axis) */
  zero: Schema.Number,
  negative: Schema.Number,
  /** null cells, or rows lacking the column */
  missing: Schema.Number
})
export type LogHistogram = typeof LogHistogram.Type

const ProtocolCount = Schema.Struct({ protocol: Schema.NullOr(Schema.Number), flows: Schema.Number })
const PortCount = Schema.Struct({ port: Schema.Number, flows: Schema.Number })
const ValueCount = Schema.Struct({ value: Schema.String, flows: Schema.Number })

export const CaptureSummary = Schema.Struct({
  capture: Schema.String,
  flows: Schema.Number,
  first_seen_us: Schema.NullOr(Schema.Number),
  last_seen_us: Schema.NullOr(Schema.Number)
})

/** Labels of one capture's flows, as the flow summary counts them. */
export const CaptureLabels = Schema.Struct({
  capture: Schema.String,
  flows: Schema.Number,
  mining: Schema.Number,
  benign: Schema.Number,
  unknown: Schema.Number,
  other: Schema.Number,
  conflicts: Schema.Number
})
export type CaptureLabels = typeof CaptureLabels.Type

export const FlowSummary = Schema.Struct({
  format: Schema.Literal(FLOW_SUMMARY_FORMAT),
  flows: Schema.Number,
  captures: Schema.Array(CaptureSummary),
  histograms: Schema.Struct({ duration_s: LogHistogram, bytes: LogHistogram, packets: LogHistogram }),
  /** flows per IANA protocol number (null: no protocol), most first */
  protocols: Schema.Array(ProtocolCount),
  /** the most common destination ports, most first */
  dst_ports: Schema.Array(PortCount),
  /** flows on other ports, and flows without a port (ICMP) */
  dst_ports_other: Schema.Number,
  dst_ports_none: Schema.Number,
  /** the most common app hints (strings from traffic: escape before showing) */
  app_hints: Schema.Struct({
    tls_sni: Schema.Array(ValueCount),
    http_host: Schema.Array(ValueCount),
    dns_qname: Schema.Array(ValueCount)
  }),
  /** per capture, when the batches carry a `label` column */
  labels: Schema.NullOr(Schema.Array(CaptureLabels))
})
export type FlowSummary = typeof FlowSummary.Type

/** The bin of a positive value: floor(log10(v) · BINS_PER_DECADE). */
export const logBinIndex = (value: number): number => Math.floor(Math.log10(value) * BINS_PER_DECADE + 1e-9)

/** [lo, hi) of a bin index. */
export const binBounds = (index: number): { readonly lo: number; readonly hi: number } => ({
  lo: Math.pow(10, index / BINS_PER_DECADE),
  hi: Math.pow(10, (index + 1) / BINS_PER_DECADE)
})

/** A log-binned histogram being filled. */
class HistogramCounter {
  private readonly counts = new Map<number, number>()
  zero = 0
  negative = 0
  missing = 0

  add(value: number): void {
    if (Number.isNaN(value)) this.missing++
    else if (value < 0) this.negative++
    else if (value === 0) this.zero++
    else if (Number.isFinite(value)) {
      const index = logBinIndex(value)
      this.counts.set(index, (this.counts.get(index) ?? 0) + 1)
    } else this.missing++
  }

  result(): LogHistogram {
    const indices = [...this.counts.keys()]
    const bins: Array<{ lo: number; hi: number; count: number }> = []
    if (indices.length > 0) {
      const lo = Math.min(...indices)
      const hi = Math.max(...indices)
      for (let index = lo; index <= hi; index++) bins.push({ ...binBounds(index), count: this.counts.get(index) ?? 0 })
    }
    return { bins_per_decade: BINS_PER_DECADE, bins, zero: this.zero, negative: this.negative, missing: this.missing }
  }
}

/** Distinct strings counted, with a cap on how many distinct values are kept. */
class TopCounter {
  private readonly counts = new Map<string, number>()
  constructor(private readonly cap = 50_000) {}

  add(value: string | null): void {
    if (value === null || value === "") return
    const seen = this.counts.get(value)
    if (seen !== undefined) this.counts.set(value, seen + 1)
    else if (this.counts.size < this.cap) this.counts.set(value, 1)
  }

  top(n: number): Array<{ value: string; flows: number }> {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([value, flows]) => ({ value, flows }))
  }
}

export interface FlowSummaryOptions {
  /** destination ports listed (default 20) */
  readonly topPorts?: number
  /** app hint values listed per kind (default 15) */
  readonly topHints?: number
}

const sumOrNaN = (a: number, b: number): number => (Number.isNaN(a) && Number.isNaN(b) ? Number.NaN : (Number.isNaN(a) ? 0 : a) + (Number.isNaN(b) ? 0 : b))

/** Accumulates a FlowSummary over batches. */
export class FlowSummaryBuilder {
  private flows = 0
  private readonly duration = new HistogramCounter()
  private readonly bytes = new HistogramCounter()
  private readonly packets = new HistogramCounter()
  private readonly protocols = new Float64Array(256)
  private protocolNone = 0
  private readonly ports = new Float64Array(65536)
  private portNone = 0
  private readonly sni = new TopCounter()
  private readonly host = new TopCounter()
  private readonly qname = new TopCounter()
  private readonly captures = new Map<string, { flows: number; first: number; last: number }>()
  private readonly labels = new Map<string, { -readonly [K in keyof CaptureLabels]: CaptureLabels[K] }>()
  private labelled = false

  add(batch: FlowBatch): this {
    const rows = batch.numRows
    this.flows += rows
    const duration = readNumeric(batch, "duration_s")
    const first = readNumeric(batch, "first_seen_us")
    const last = readNumeric(batch, "last_seen_us")
    const fwdBytes = readNumeric(batch, "fwd_bytes")
    const bwdBytes = readNumeric(batch, "bwd_bytes")
    const fwdPackets = readNumeric(batch, "fwd_packets")
    const bwdPackets = readNumeric(batch, "bwd_packets")
    const protocol = readNumeric(batch, "protocol")
    const port = readNumeric(batch, "dst_port")
    const capture = readStrings(batch, "capture")
    for (let row = 0; row < rows; row++) {
      const d = duration?.[row] ?? Number.NaN
      const f = first?.[row] ?? Number.NaN
      const l = last?.[row] ?? Number.NaN
      this.duration.add(!Number.isNaN(d) ? d : !Number.isNaN(f) && !Number.isNaN(l) ? (l - f) / 1e6 : Number.NaN)
      this.bytes.add(sumOrNaN(fwdBytes?.[row] ?? Number.NaN, bwdBytes?.[row] ?? Number.NaN))
      this.packets.add(sumOrNaN(fwdPackets?.[row] ?? Number.NaN, bwdPackets?.[row] ?? Number.NaN))
      const p = protocol?.[row] ?? Number.NaN
      if (Number.isInteger(p) && p >= 0 && p <= 255) this.protocols[p]! += 1
      else this.protocolNone++
      const dp = port?.[row] ?? Number.NaN
      if (Number.isInteger(dp) && dp >= 0 && dp <= 65535) this.ports[dp]! += 1
      else this.portNone++
      const name = capture?.[row] ?? "(unnamed)"
      let span = this.captures.get(name)
      if (span === undefined) {
        span = { flows: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY }
        this.captures.set(name, span)
      }
      span.flows++
      if (!Number.isNaN(f) && f < span.first) span.first = f
      const end = Number.isNaN(l) ? f : l
      if (!Number.isNaN(end) && end > span.last) span.last = end
    }
    for (const [column, counter] of [
      ["tls_sni", this.sni],
      ["http_host", this.host],
      ["dns_qname", this.qname]
    ] as const) {
      const values = readStrings(batch, column)
      if (values !== undefined) for (const value of values) counter.add(value)
    }
    this.addLabels(batch, capture)
    return this
  }

  private addLabels(batch: FlowBatch, capture: ReadonlyArray<string | null> | undefined): void {
    const labels = readStrings(batch, "label")
    if (labels === undefined) return
    this.labelled = true
    const details = readStrings(batch, "label_detail")
    for (let row = 0; row < batch.numRows; row++) {
      const name = capture?.[row] ?? "(unnamed)"
      let counts = this.labels.get(name)
      if (counts === undefined) {
        counts = { capture: name, flows: 0, mining: 0, benign: 0, unknown: 0, other: 0, conflicts: 0 }
        this.labels.set(name, counts)
      }
      counts.flows++
      const label = labels[row] ?? null
      if (label === "mining") counts.mining++
      else if (label === "benign") counts.benign++
      else if (label === null || label === "unknown") counts.unknown++
      else counts.other++
      const detail = details?.[row]
      if (detail !== null && detail !== undefined && /conflict/i.test(detail)) counts.conflicts++
    }
  }

  result(options: FlowSummaryOptions = {}): FlowSummary {
    const topPorts = options.topPorts ?? 20
    const topHints = options.topHints ?? 15
    const protocols: Array<{ protocol: number | null; flows: number }> = []
    this.protocols.forEach((flows, protocol) => {
      if (flows > 0) protocols.push({ protocol, flows })
    })
    if (this.protocolNone > 0) protocols.push({ protocol: null, flows: this.protocolNone })
    protocols.sort((a, b) => b.flows - a.flows || (a.protocol ?? 999) - (b.protocol ?? 999))
    const ports: Array<{ port: number; flows: number }> = []
    this.ports.forEach((flows, port) => {
      if (flows > 0) ports.push({ port, flows })
    })
    ports.sort((a, b) => b.flows - a.flows || a.port - b.port)
    const shown = ports.slice(0, topPorts)
    return {
      format: FLOW_SUMMARY_FORMAT,
      flows: this.flows,
      captures: [...this.captures]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([capture, span]) => ({
          capture,
          flows: span.flows,
          first_seen_us: Number.isFinite(span.first) ? span.first : null,
          last_seen_us: Number.isFinite(span.last) ? span.last : null
        })),
      histograms: { duration_s: this.duration.result(), bytes: this.bytes.result(), packets: this.packets.result() },
      protocols,
      dst_ports: shown,
      dst_ports_other: ports.slice(topPorts).reduce((sum, p) => sum + p.flows, 0),
      dst_ports_none: this.portNone,
      app_hints: { tls_sni: this.sni.top(topHints), http_host: this.host.top(topHints), dns_qname: this.qname.top(topHints) },
      labels: this.labelled ? [...this.labels.values()].sort((a, b) => (a.capture < b.capture ? -1 : a.capture > b.capture ? 1 : 0)) : null
    }
  }
}

/** The summary of a dataset's batches. */
export const summarizeFlows = (batches: Iterable<FlowBatch>, options: FlowSummaryOptions = {}): FlowSummary => {
  const builder = new FlowSummaryBuilder()
  for (const batch of batches) builder.add(batch)
  return builder.result(options)
}
