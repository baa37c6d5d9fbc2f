/**
 * qc.labels: the QC contract (phase labels), golden cases, batches with labeler conflicts and
 * invalid labels, datasets with poorly labelled captures and one-sided classes, and clean
 * labelled data (and unlabelled data) that must not trip anything, and "conflict" in a
 * labeler's own detail (from traffic or a dataset label) that is no labeler conflict.
 */
import { it } from "@effect/vitest"
import type { Finding, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { labelsQc } from "../src/index.js"
import { hasConflict } from "../src/label-counts.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(labelsQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(labelsQc))

const labelled = (capture: string, label: string | null, detail: string | null = null): Row => ({ capture, src_ip: "10.0.0.1", label, label_source: label === null ? null : "labeler.scenario", label_detail: detail })
const rows = (n: number, capture: string, label: string | null, detail: string | null = null) => Array.from({ length: n }, () => labelled(capture, label, detail))
const batchOf = (list: ReadonlyArray<Row>) => batchFromRows(list, { columns: ["capture", "src_ip", "label", "label_source", "label_detail"] })
const stageOf = (yaml = "") => makeFromYaml(labelsQc, `type: qc.labels\n${yaml}`) as Effect.Effect<QcStage, unknown>
const judged = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info").map((f) => [f.metric, f.severity, f.capture ?? null, f.value])
const CONFLICT = "conflict: labeler.ioc=mining vs labeler.scenario=benign"

describe("qc.labels", () => {
  it.effect("runs in the labels phase; well-labelled captures raise nothing above info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      expect(stage.phase).toBe("labels")
      const b0 = batchOf([...rows(40, "xmrig.pcap", "mining"), ...rows(2, "xmrig.pcap", "unknown")])
      const b1 = batchOf([...rows(60, "office.pcap", "benign"), ...rows(5, "office.pcap", null)])
      expect(yield* stage.check(b0, { dataset: "d", capture: "xmrig.pcap", batch: 0 })).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: [b0, b1] }), [])
      expect(judged(finish)).toEqual([])
      expect(finish.filter((f) => f.metric === "coverage_share").map((f) => [f.capture ?? null, f.value])).toEqual([
        ["office.pcap", 60 / 65],
        ["xmrig.pcap", 40 / 42],
        [null, 100 / 107]
      ])
      expect(finish.find((f) => f.metric === "minority_share")?.message).toContain("minority class share (mining) 0.4")
    }))

  it.effect("conflicts warn by count and fail above a tenth of a batch, naming the batch", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const few = batchOf([...rows(95, "c.pcap", "mining"), ...rows(5, "c.pcap", "mining", CONFLICT)])
      expect(judged(yield* stage.check(few, { dataset: "d", capture: "c.pcap", batch: 1 }))).toEqual([["conflict_rows", "warn", "c.pcap", 5]])
      const many = batchOf([...rows(80, "c.pcap", "mining"), ...rows(20, "c.pcap", "mining", CONFLICT)])
      const findings = yield* stage.check(many, { dataset: "d", capture: "c.pcap", batch: 2 })
      expect(judged(findings)).toEqual([["conflict_share", "fail", "c.pcap", 0.2]])
      expect(findings[0]!.message).toBe(
        "qc.labels: label conflict share 0.2 above fail threshold conflict_share_above=0.1 (capture c.pcap, batch 2) (20 of 100 flows)"
      )
    }))

  it.effect("only the merge's conflict mark counts: the word from traffic or a dataset label does not", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      // what labeler.stratum writes for a flow whose JSON-RPC methods came from traffic, and
      // what labeler.dataset writes for a raw label: "conflict" in them is no labeler conflict
      const innocent = batchOf([
        ...rows(30, "rpc.pcap", "benign", "JSON-RPC methods seen, not a pool-mining set: resolve_conflict, conflict.list"),
        ...rows(30, "rpc.pcap", "benign", 'label_raw "Conflict: vs" (map)'),
        ...rows(30, "rpc.pcap", "benign", "conflict: labeler.scenario=benign vs labeler.stratum=benign"),
        ...rows(10, "rpc.pcap", "benign", "labeler.scenario: no rule for conflict-zone.pcap")
      ])
      expect(yield* stage.check(innocent, { dataset: "d", capture: "rpc.pcap", batch: 0 })).toEqual([])
      // the mark as the merge writes it after the winner's own detail, with the loser's detail
      const marked = "pool JSON-RPC (stratum): mining.subscribe, mining.authorize; conflict: labeler.stratum=mining vs labeler.scenario=benign (default)"
      const real = batchOf([...rows(85, "pool.pcap", "mining"), ...rows(15, "pool.pcap", "mining", marked)])
      expect(judged(yield* stage.check(real, { dataset: "d", capture: "pool.pcap", batch: 3 }))).toEqual([["conflict_share", "fail", "pool.pcap", 0.15]])
      const finish = yield* stage.finish(memoryAccess("d", { d: [innocent, real] }), [])
      expect(finish.find((f) => f.metric === "conflict_flows")?.value).toBe(15)
    }))

  it("hasConflict reads the merge's mark, its winner being the row's label", () => {
    const mark = "conflict: labeler.ioc=mining vs labeler.scenario=benign"
    expect(hasConflict(mark, "mining")).toBe(true)
    expect(hasConflict(`IOC pool.example:3333; ${mark}; labeler.dataset: no label_raw`, "mining")).toBe(true)
    expect(hasConflict(`${mark} (rule office hours)`, "mining")).toBe(true)
    expect(hasConflict(mark, "benign")).toBe(false)
    expect(hasConflict(`x${mark}`, "mining")).toBe(false)
    expect(hasConflict("conflict: labeler.ioc=mining vs labeler.scenario=unknown", "mining")).toBe(false)
    expect(hasConflict("conflict: labeler.ioc=mining vs labeler.scenario=benignish", "mining")).toBe(false)
    expect(hasConflict("resolve_conflict", "benign")).toBe(false)
  })

  it.effect("labels outside mining | benign | unknown fail", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const findings = yield* stage.check(batchOf([...rows(10, "c", "benign"), ...rows(2, "c", "Botnet")]), { dataset: "d", capture: "c", batch: 0 })
      expect(judged(findings)).toEqual([["invalid_label_rows", "fail", "c", 2]])
    }))

  it.effect("a mostly unlabelled capture warns on coverage; a one-sided dataset on balance when asked", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("warn: { minority_share_below: 0.05 }")
      const good = batchOf(rows(50, "lab.pcap", "benign"))
      const poor = batchOf([...rows(10, "campus.pcap", "benign"), ...rows(90, "campus.pcap", "unknown")])
      const finish = yield* stage.finish(memoryAccess("d", { d: [good, poor] }), [])
      expect(judged(finish)).toEqual([
        ["coverage_share", "warn", "campus.pcap", 0.1],
        ["coverage_share", "warn", null, 0.4],
        ["minority_share", "warn", null, 0]
      ])
      expect(finish.find((f) => f.severity === "warn")!.message).toBe(
        "qc.labels: label coverage 0.1 below warn threshold coverage_share_below=0.5 (capture campus.pcap) (0 mining, 10 benign, 90 unknown of 100; 0 conflicts)"
      )
    }))

  it.effect("a dataset without label columns is reported once, as info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const flows = batchFromRows([{ src_ip: "10.0.0.1" }])
      expect(yield* stage.check(flows, { dataset: "d", capture: "c", batch: 0 })).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: [flows] }), [])
      expect(finish.map((f) => [f.code, f.severity])).toEqual([["no_labels", "info"]])
    }))
})
