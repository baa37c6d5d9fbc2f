/**
 * qc.duplicates: the QC contract, golden cases, copies inside a batch, across batches, a capture
 * ingested twice (same flows, or same content hash of two units) and partly overlapping captures, and clean data (same key at another time,
 * status records) that must not trip anything.
 */
import { it } from "@effect/vitest"
import type { Finding, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract, type Row } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { duplicatesQc } from "../src/index.js"
import { countDuplicates, fingerprints } from "../src/fingerprint.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(duplicatesQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(duplicatesQc))

const T = 1_709_287_200_000_000
const flow = (i: number, capture = "a.pcap", over: Row = {}): Row => ({
  capture,
  src_ip: `10.1.${i >> 8}.${i & 255}`,
  dst_ip: "203.0.113.9",
  src_port: 30000 + i,
  dst_port: 3333,
  protocol: 6,
  first_seen_us: T + i * 1_000_000,
  fwd_packets: 10,
  bwd_packets: 9,
  fwd_bytes: 1200 + i,
  bwd_bytes: 900,
  ...over
})
const batchOf = (rows: ReadonlyArray<Row>) => batchFromRows(rows)
const stageOf = (yaml = "") => makeFromYaml(duplicatesQc, `type: qc.duplicates\n${yaml}`) as Effect.Effect<QcStage, unknown>
const judged = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info").map((f) => [f.metric, f.severity, f.value])

describe("qc.duplicates", () => {
  it.effect("distinct flows, and the same key at other times (status records), raise nothing", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const statusRecords = Array.from({ length: 50 }, (_, i) => flow(7, "a.pcap", { first_seen_us: T + i * 5_000_000 }))
      const b0 = batchOf([...Array.from({ length: 100 }, (_, i) => flow(i)), ...statusRecords])
      const b1 = batchOf(Array.from({ length: 100 }, (_, i) => flow(100 + i, "b.pcap")))
      expect(yield* stage.check(b0, { dataset: "d", capture: "a.pcap", batch: 0 })).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: [b0, b1] }), [])
      expect(judged(finish)).toEqual([])
      expect(finish[0]).toMatchObject({ metric: "duplicate_rows_total", value: 0 })
    }))

  it.effect("copies inside a batch warn by count and fail by share, naming the batch", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const few = [...Array.from({ length: 100 }, (_, i) => flow(i)), flow(3), flow(3), flow(40)]
      const findings = yield* stage.check(batchOf(few), { dataset: "d", capture: "a.pcap", batch: 4 })
      expect(judged(findings)).toEqual([["duplicate_rows", "warn", 3]])
      expect(findings[0]!.message).toBe(
        "qc.duplicates: duplicate rows within the batch 3 above warn threshold duplicate_rows_above=0 (capture a.pcap, batch 4) (3 of 103 flows are copies)"
      )
      const many = [...Array.from({ length: 50 }, (_, i) => flow(i)), ...Array.from({ length: 50 }, (_, i) => flow(i))]
      const failing = yield* stage.check(batchOf(many), { dataset: "d", capture: "a.pcap", batch: 5 })
      expect(judged(failing)).toEqual([["duplicate_share", "fail", 0.5]])
      expect(failing[0]!.message).toContain("above fail threshold duplicate_share_above=0.1 (capture a.pcap, batch 5)")
    }))

  it.effect("copies in another batch are found by finish", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const b0 = batchOf(Array.from({ length: 100 }, (_, i) => flow(i)))
      const b1 = batchOf([...Array.from({ length: 100 }, (_, i) => flow(100 + i)), flow(5), flow(6)])
      expect(yield* stage.check(b1, { dataset: "d", capture: "a.pcap", batch: 1 })).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: [b0, b1] }), [])
      expect(judged(finish)).toEqual([["duplicate_rows", "warn", 2]])
      expect(finish[1]!.message).toContain("duplicate rows across batches 2 above warn threshold duplicate_rows_above=0 (dataset)")
    }))

  it.effect("the same capture ingested twice fails; a partial overlap warns", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("fail: { duplicate_share_above: null }\nwarn: { duplicate_rows_above: null }")
      const original = Array.from({ length: 80 }, (_, i) => flow(i, "week1/mon.pcap"))
      const again = original.map((row) => ({ ...row, capture: "week1/mon-copy.pcap" }))
      const partly = [...Array.from({ length: 30 }, (_, i) => flow(200 + i, "tue.pcap")), ...Array.from({ length: 30 }, (_, i) => flow(300 + i, "wed.pcap"))]
      const partlyB = [...Array.from({ length: 20 }, (_, i) => flow(200 + i, "wed.pcap"))]
      const finish = yield* stage.finish(
        memoryAccess("d", { d: [batchOf(original), batchOf(again), batchOf(partly.slice(0, 30)), batchOf(partly.slice(30)), batchOf(partlyB)] }),
        []
      )
      expect(judged(finish)).toEqual([
        ["identical_captures", "fail", 1],
        ["capture_overlap_share", "warn", 20 / 30]
      ])
      expect(finish[1]!.message).toBe(
        "qc.duplicates: captures ingested twice 1 above fail threshold identical_captures_above=0 (dataset) (week1/mon.pcap = week1/mon-copy.pcap)"
      )
      expect(finish[2]!.message).toContain("captures tue.pcap and wed.pcap")
    }))

  it.effect("two unit ids with one content hash are the same input ingested twice, counted once per pair", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("warn: { duplicate_rows_above: null }\nfail: { duplicate_share_above: null }")
      const original = Array.from({ length: 40 }, (_, i) => flow(i, "a.pcap"))
      const copy = original.map((row) => ({ ...row, capture: "copy/a.pcap" }))
      const other = Array.from({ length: 10 }, (_, i) => flow(500 + i, "c.pcap"))
      const batches = [batchOf(original), batchOf(copy), batchOf(other)]
      const units = [
        { id: "a.pcap", fingerprint: "sha256:aa" },
        { id: "c.pcap", fingerprint: "sha256:cc" },
        { id: "copy/a.pcap", fingerprint: "sha256:aa" },
        // the same bytes again, read to no flows (an empty capture, or one every flow of which was dropped)
        { id: "d.pcap", fingerprint: "sha256:cc" }
      ]
      const asked: Array<ReadonlyArray<string> | undefined> = []
      const access = memoryAccess("d", { d: batches }, units)
      const finish = yield* stage.finish({ ...access, read: (which, columns) => (asked.push(columns), access.read(which, columns)) }, [])
      expect(judged(finish)).toEqual([["identical_captures", "fail", 2]])
      expect(finish.find((f) => f.metric === "identical_captures")!.message).toBe(
        "qc.duplicates: captures ingested twice 2 above fail threshold identical_captures_above=0 (dataset) (a.pcap = copy/a.pcap (same content hash); c.pcap = d.pcap (same content hash))"
      )
      expect(asked).toEqual([["src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "capture"]])
      // without units only the identical flows speak
      const flowsOnly = yield* stage.finish(memoryAccess("d", { d: batches }), [])
      expect(judged(flowsOnly)).toEqual([["identical_captures", "fail", 1]])
    }))

  it("fingerprints tell rows apart by every fingerprint column and skip all-null rows", () => {
    const batch = batchOf([flow(1), flow(1), flow(1, "a", { bwd_bytes: 901 }), flow(1, "a", { src_ip: "10.1.0.2" }), { capture: "x" }])
    const prints = fingerprints(batch, ["src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes"])
    expect(prints[0]).toBe(prints[1])
    expect(new Set([prints[0], prints[2], prints[3]]).size).toBe(3)
    expect(prints[4]).toBeNaN()
    expect(Number.isSafeInteger(prints[0])).toBe(true)
    expect(countDuplicates(prints)).toEqual({ rows: 4, duplicates: 1 })
    // on the key alone, the rows with other counts are copies too
    expect(countDuplicates(fingerprints(batch, ["src_ip", "dst_ip", "dst_port"]))).toEqual({ rows: 4, duplicates: 2 })
  })

  it("refuses columns that are not flow columns, naming the path", () => {
    const paths = (raw: unknown) => Either.match(duplicatesQc.decode(raw, "qc.2"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ columns: ["src_ip", "srcip"] })).toEqual(["qc.2.columns.1"])
    expect(paths({ columns: [] })).toEqual(["qc.2.columns"])
    expect(duplicatesQc.columnsFor({ columns: ["src_ip", "dst_ip"] }).requires).toEqual(["src_ip", "dst_ip"])
  })
})
