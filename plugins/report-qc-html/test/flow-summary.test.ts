/**
 * The pure chart-data helper: log-scale histogram bins, protocol and port mix, app hints,
 * captures, labels, null handling, and the same summary however the flows are split into batches.
 */
import { binBounds, FlowSummary, logBinIndex, stampIdentity, summarizeFlows } from "@hashhound/core"
import { batchFromRows, sampleBatch, type Row } from "@hashhound/testkit"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"

const flow = (i: number, over: Row = {}): Row => ({
  capture: "a.pcap",
  protocol: 6,
  dst_port: 443,
  first_seen_us: 1_709_287_200_000_000 + i * 1_000_000,
  last_seen_us: 1_709_287_200_000_000 + i * 1_000_000 + 500_000,
  duration_s: 0.5,
  fwd_packets: 3,
  bwd_packets: 2,
  fwd_bytes: 300,
  bwd_bytes: 700,
  ...over
})

describe("flow summary", () => {
  it("bins positive values by quarter decades", () => {
    expect(logBinIndex(1)).toBe(0)
    expect(logBinIndex(9.99)).toBe(3)
    expect(logBinIndex(10)).toBe(4)
    expect(logBinIndex(1000)).toBe(12)
    expect(logBinIndex(0.001)).toBe(-12)
    expect(binBounds(4)).toEqual({ lo: 10, hi: Math.pow(10, 1.25) })
  })

  it("counts histograms, zeros, negatives and missing values", () => {
    const summary = summarizeFlows([
      batchFromRows([
        flow(0),
        flow(1, { duration_s: 0, fwd_packets: 1, bwd_packets: 0, fwd_bytes: 60, bwd_bytes: 0 }),
        flow(2, { duration_s: 12, fwd_bytes: 10_000, bwd_bytes: 90_000 }),
        flow(3, { duration_s: -1, fwd_packets: null, bwd_packets: null }),
        flow(4, { duration_s: null, first_seen_us: null })
      ])
    ])
    const d = summary.histograms.duration_s
    expect([d.zero, d.negative, d.missing]).toEqual([1, 1, 1])
    expect(d.bins.map((b) => b.count).reduce((a, b) => a + b, 0)).toBe(2)
    expect(d.bins[0]!.lo).toBeCloseTo(Math.pow(10, -0.5))
    expect(d.bins.at(-1)!.hi).toBeCloseTo(Math.pow(10, 1.25))
    const bytes = summary.histograms.bytes
    expect(bytes.bins.find((b) => b.lo <= 1000 && 1000 < b.hi)?.count).toBe(3)
    expect(bytes.bins.find((b) => b.lo <= 100_000 && 100_000 < b.hi)?.count).toBe(1)
    // bins are contiguous from the smallest to the largest value
    expect(bytes.bins.length).toBe(logBinIndex(100_000) - logBinIndex(60) + 1)
    expect(summary.histograms.packets.missing).toBe(1)
  })

  it("ranks protocols, ports and app hints, and keeps captures' time spans", () => {
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => flow(i, { tls_sni: "pool.example.org" })),
      ...Array.from({ length: 3 }, (_, i) => flow(10 + i, { dst_port: 3333, tls_sni: "www.example.com", capture: "b.pcap" })),
      flow(20, { protocol: 17, dst_port: 53, dns_qname: "pool.example.org" }),
      flow(21, { protocol: 1, dst_port: null }),
      flow(22, { protocol: null, dst_port: 8080, http_host: "x.test" })
    ]
    const summary = summarizeFlows([batchFromRows(rows)], { topPorts: 2, topHints: 1 })
    expect(summary.flows).toBe(11)
    expect(summary.protocols).toEqual([
      { protocol: 6, flows: 8 },
      { protocol: 1, flows: 1 },
      { protocol: 17, flows: 1 },
      { protocol: null, flows: 1 }
    ])
    expect(summary.dst_ports).toEqual([
      { port: 443, flows: 5 },
      { port: 3333, flows: 3 }
    ])
    expect([summary.dst_ports_other, summary.dst_ports_none]).toEqual([2, 1])
    expect(summary.app_hints.tls_sni).toEqual([{ value: "pool.example.org", flows: 5 }])
    expect(summary.app_hints.http_host).toEqual([{ value: "x.test", flows: 1 }])
    expect(summary.captures.map((c) => [c.capture, c.flows, c.first_seen_us, c.last_seen_us])).toEqual([
      ["a.pcap", 8, 1_709_287_200_000_000, 1_709_287_222_500_000],
      ["b.pcap", 3, 1_709_287_210_000_000, 1_709_287_212_500_000]
    ])
    expect(summary.labels).toBeNull()
  })

  it("counts labels, unknowns and conflicts per capture when there is a label column", () => {
    const rows: ReadonlyArray<Row> = [
      { capture: "x.pcap", label: "mining", label_detail: "stratum" },
      { capture: "x.pcap", label: "mining", label_detail: "conflict: labeler.ioc=mining vs labeler.scenario=benign" },
      { capture: "x.pcap", label: null, label_detail: null },
      { capture: "y.pcap", label: "benign", label_detail: null },
      { capture: "y.pcap", label: "unknown", label_detail: null },
      { capture: "y.pcap", label: "Botnet", label_detail: null }
    ]
    const summary = summarizeFlows([batchFromRows(rows)])
    expect(summary.labels).toEqual([
      { capture: "x.pcap", flows: 3, mining: 2, benign: 0, unknown: 1, other: 0, conflicts: 1 },
      { capture: "y.pcap", flows: 3, mining: 0, benign: 1, unknown: 1, other: 1, conflicts: 0 }
    ])
  })

  it("gives the same summary whatever the batching, and JSON that decodes as a FlowSummary", () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      flow(i, { duration_s: (i % 17) * 0.37, fwd_bytes: 40 + i * i, dst_port: [443, 80, 3333, 53][i % 4]!, capture: i % 3 === 0 ? "a" : "b" })
    )
    const whole = summarizeFlows([batchFromRows(rows)])
    const split = summarizeFlows([batchFromRows(rows.slice(0, 100)), batchFromRows(rows.slice(100, 101)), batchFromRows(rows.slice(101))])
    expect(split).toEqual(whole)
    const json: unknown = JSON.parse(JSON.stringify(summarizeFlows([stampIdentity(sampleBatch(), "d", "s.csv", 0)])))
    expect(Schema.decodeUnknownSync(FlowSummary)(json).flows).toBe(6)
    expect(summarizeFlows([]).flows).toBe(0)
    expect(summarizeFlows([batchFromRows([{ src_ip: "10.0.0.1" }])]).histograms.bytes.missing).toBe(1)
  })
})
