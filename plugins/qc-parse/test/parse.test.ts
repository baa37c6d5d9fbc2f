/**
 * qc.parse: the QC contract, golden cases, source findings built to trip each category (corrupt
 * records, truncated packets, skipped link types, evicted flows) and clean runs (no damage, only
 * informational findings) that must not.
 */
import { it } from "@effect/vitest"
import { Finding, type QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { parseQc } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(parseQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(parseQc))

const sourceFinding = (code: string, capture: string, count?: number, severity: "info" | "warn" = "warn") =>
  new Finding({ source: "source.pcap", code, severity, message: `${code} in ${capture}`, capture, ...(count === undefined ? {} : { count }) })

/** 100 flows of 10 packets each: 1000 packets. */
const flows = batchFromRows(Array.from({ length: 100 }, () => ({ fwd_packets: 6, bwd_packets: 4 })))
const access = memoryAccess("d", { d: [flows] })
const stageOf = (yaml = "") => makeFromYaml(parseQc, `type: qc.parse\n${yaml}`) as Effect.Effect<QcStage, unknown>
const judged = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info").map((f) => [f.metric, f.severity, f.value])

describe("qc.parse", () => {
  it.effect("a clean read, or one with informational findings only, raises nothing above info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      expect(yield* stage.check(flows, { dataset: "d", capture: "a", batch: 0 })).toEqual([])
      expect(yield* stage.finish(access, [])).toEqual([])
      const info = yield* stage.finish(access, [sourceFinding("non_ip", "a.pcap", 12, "info"), sourceFinding("orphan_fragment", "a.pcap", 3, "info")])
      expect(judged(info)).toEqual([])
      expect(info.map((f) => [f.code, f.metric, f.value])).toEqual([
        ["uncategorised", "other.non_ip", 12],
        ["uncategorised", "other.orphan_fragment", 3]
      ])
    }))

  it.effect("more than 100 corrupt records fail, naming check, threshold, value and the worst captures", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const damage = [
        sourceFinding("corrupt_record", "b.pcap", 140),
        ...Array.from({ length: 8 }, () => sourceFinding("malformed_row", "a.csv")),
        sourceFinding("truncated_file", "c.pcap")
      ]
      const findings = yield* stage.finish(access, damage)
      expect(judged(findings)).toEqual([["corrupt_records", "fail", 149]])
      expect(findings.find((f) => f.severity === "fail")!.message).toBe(
        "qc.parse: corrupt records 149 above fail threshold corrupt_records_above=100 (dataset) (b.pcap 140, a.csv 8, c.pcap 1)"
      )
      expect(findings.filter((f) => f.severity === "info").map((f) => [f.capture, f.value])).toEqual([
        ["a.csv", 8],
        ["b.pcap", 140],
        ["c.pcap", 1]
      ])
      expect(judged(yield* stage.finish(access, [sourceFinding("corrupt_record", "b.pcap", 2)]))).toEqual([["corrupt_records", "warn", 2]])
    }))

  it.effect("truncated packets are judged as a share of the dataset's packets", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const many = yield* stage.finish(access, [sourceFinding("truncated_packet", "a.pcap", 30, "info")])
      expect(judged(many)).toEqual([["truncated_packets_share", "warn", 0.03]])
      expect(many.find((f) => f.severity === "warn")!.message).toContain("(30 of 1000 packets; a.pcap 30)")
      expect(judged(yield* stage.finish(access, [sourceFinding("truncated_packet", "a.pcap", 5, "info")]))).toEqual([])
    }))

  it.effect("skipped link types warn and evicted flows fail by share where configured", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("fail: { evicted_share_above: 0.05 }")
      const findings = yield* stage.finish(access, [sourceFinding("skipped_link_type", "wifi.pcap", 7), sourceFinding("evicted", "big.pcap", 20)])
      expect(judged(findings)).toEqual([
        ["skipped_link_type_frames", "warn", 7],
        ["evicted_flows_share", "fail", 0.2]
      ])
    }))

  it.effect("codes maps other codes into a category", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("codes: { corrupt: [bad_line] }")
      expect(judged(yield* stage.finish(access, [sourceFinding("bad_line", "x.log", 3), sourceFinding("corrupt_record", "x.log", 3)]))).toEqual([
        ["corrupt_records", "warn", 3]
      ])
    }))

  it("refuses unknown thresholds and categories, naming the path", () => {
    const paths = (raw: unknown) => Either.match(parseQc.decode(raw, "qc.4"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ fail: { corrupt_above: 1 } })).toEqual(["qc.4.fail.corrupt_above"])
    expect(paths({ codes: { damaged: ["x"] } })).toEqual(["qc.4.codes.damaged"])
  })
})
