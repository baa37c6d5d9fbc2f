/**
 * qc.volume: the QC contract, golden cases, batches built to trip each threshold and clean
 * batches that must not, dataset-level findings from `finish`, and the quantile sketch's error.
 */
import { it } from "@effect/vitest"
import type { Finding, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract, type Row } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { volumeQc } from "../src/index.js"
import { QuantileSketch } from "../src/quantile-sketch.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(volumeQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(volumeQc))

/** A realistic answered TCP flow with payload; `over` changes fields. */
const flow = (i: number, over: Row = {}): Row => ({
  src_ip: `10.0.0.${i % 200}`,
  dst_ip: "198.51.100.7",
  src_port: 40000 + i,
  dst_port: 443,
  protocol: 6,
  first_seen_us: 1_700_000_000_000_000 + i * 1_000_000,
  duration_s: 1 + (i % 7),
  fwd_packets: 8 + (i % 5),
  bwd_packets: 7 + (i % 3),
  fwd_bytes: 900 + 13 * i,
  bwd_bytes: 4000 + 7 * i,
  fwd_payload_bytes: 300 + i,
  bwd_payload_bytes: 3200 + i,
  ...over
})

const batchOf = (rows: ReadonlyArray<Row>) => batchFromRows(rows)
const stageOf = (yaml: string) => makeFromYaml(volumeQc, `type: qc.volume\n${yaml}`) as Effect.Effect<QcStage, unknown>
const bad = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info")

describe("qc.volume", () => {
  it.effect("a clean batch and a clean dataset raise nothing above info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("")
      const batch = batchOf(Array.from({ length: 120 }, (_, i) => flow(i)))
      expect(yield* stage.check(batch, { dataset: "d", capture: "c.pcap", batch: 0 })).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: [batch] }), [])
      expect(bad(finish)).toEqual([])
      expect(finish.find((f) => f.metric === "flows")?.value).toBe(120)
      expect(finish.find((f) => f.metric === "bytes_p50")?.value).toBeGreaterThan(4000)
    }))

  it.effect("zero-payload flows trip the fail threshold, naming check, batch, threshold and value", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("")
      const rows = Array.from({ length: 100 }, (_, i) => flow(i, i < 95 ? { fwd_payload_bytes: 0, bwd_payload_bytes: 0 } : {}))
      const findings = yield* stage.check(batchOf(rows), { dataset: "d", capture: "scan.pcap", batch: 7 })
      expect(findings).toHaveLength(1)
      const f = findings[0]!
      expect(f).toMatchObject({ source: "qc.volume", severity: "fail", metric: "zero_payload_share", value: 0.95, threshold: 0.9, batch: 7, capture: "scan.pcap", count: 95 })
      expect(f.message).toBe("qc.volume: zero-payload share 0.95 above fail threshold zero_payload_share_above=0.9 (capture scan.pcap, batch 7) (95 of 100 flows)")
    }))

  it.effect("single-packet and unanswered shares warn; a share at the threshold does not", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("warn: { single_packet_share_above: 0.5, unanswered_share_above: 0.5 }")
      const rows = Array.from({ length: 100 }, (_, i) => flow(i, i < 60 ? { fwd_packets: 1, bwd_packets: 0, duration_s: 0 } : {}))
      const findings = yield* stage.check(batchOf(rows), { dataset: "d", capture: "c", batch: 0 })
      expect(findings.map((f) => [f.metric, f.severity, f.value])).toEqual([
        ["single_packet_share", "warn", 0.6],
        ["unanswered_share", "warn", 0.6]
      ])
      const even = Array.from({ length: 100 }, (_, i) => flow(i, i < 50 ? { fwd_packets: 1, bwd_packets: 0 } : {}))
      expect(yield* stage.check(batchOf(even), { dataset: "d", capture: "c", batch: 1 })).toEqual([])
    }))

  it.effect("batches below min_batch_flows are not judged alone, but the dataset is", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("min_batch_flows: 50")
      const rows = Array.from({ length: 10 }, (_, i) => flow(i, { fwd_payload_bytes: 0, bwd_payload_bytes: 0 }))
      const batch = batchOf(rows)
      expect(yield* stage.check(batch, { dataset: "d", capture: "c", batch: 0 })).toEqual([])
      const finish = bad(yield* stage.finish(memoryAccess("d", { d: [batch] }), []))
      expect(finish.map((f) => [f.metric, f.severity])).toEqual([["zero_payload_share", "fail"]])
      expect(finish[0]!.message).toContain("(dataset)")
    }))

  it.effect("an empty dataset fails min_flows", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("")
      const finish = bad(yield* stage.finish(memoryAccess("d", { d: [] }), []))
      expect(finish).toHaveLength(1)
      expect(finish[0]!.message).toBe("qc.volume: flow count 0 below fail threshold min_flows=1 (dataset)")
    }))

  it.effect("a threshold set to null is off; other keys keep their defaults", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("fail: { zero_payload_share_above: null }")
      const rows = Array.from({ length: 100 }, (_, i) => flow(i, { fwd_payload_bytes: 0, bwd_payload_bytes: 0 }))
      expect(yield* stage.check(batchOf(rows), { dataset: "d", capture: "c", batch: 0 })).toEqual([])
      const finish = bad(yield* stage.finish(memoryAccess("d", { d: [] }), []))
      expect(finish.map((f) => f.metric)).toEqual(["flows"])
    }))

  it("refuses unknown threshold names and shares outside 0..1, naming the path", () => {
    const paths = (raw: unknown) => Either.match(volumeQc.decode(raw, "qc.0"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ fail: { zero_payload_share: 0.9 } })).toEqual(["qc.0.fail.zero_payload_share"])
    expect(paths({ warn: { single_packet_share_above: 1.5 } })).toEqual(["qc.0.warn.single_packet_share_above"])
    expect(paths({ warn: { min_flows: -1 } })).toEqual(["qc.0.warn.min_flows"])
    expect(paths({ warn: { min_flows: 10 }, fail: { min_flows: 1 } })).toEqual([])
  })

  it("the quantile sketch is within 1 % of the exact quantiles", () => {
    const sketch = new QuantileSketch()
    const values: Array<number> = []
    let seed = 12345
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      const v = i % 10 === 0 ? 0 : Math.exp((seed / 2 ** 31) * 20)
      values.push(v)
      sketch.add(v)
    }
    values.sort((a, b) => a - b)
    for (const q of [0.1, 0.5, 0.9, 0.99]) {
      const exact = values[Math.floor(q * (values.length - 1))]!
      const estimate = sketch.quantile(q)
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * 0.0101 + 1e-12)
    }
    expect(sketch.quantile(1)).toBe(values[values.length - 1])
    expect(sketch.add(-1)).toBe(false)
    expect(sketch.add(Number.NaN)).toBe(false)
    expect(new QuantileSketch().quantile(0.5)).toBeNaN()
  })
})
