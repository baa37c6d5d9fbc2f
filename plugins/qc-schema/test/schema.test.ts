/**
 * qc.schema: the QC contract, golden cases, batches with nulls, missing promised columns and
 * out-of-range values, and clean batches (testkit's realistic sample, ICMP without ports) that
 * must not trip anything; the dataset's info summary from `finish`.
 */
import { it } from "@effect/vitest"
import type { Finding, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { schemaQc } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(schemaQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(schemaQc))

const flow = (i: number, over: Row = {}): Row => ({
  src_ip: "10.0.0.1",
  dst_ip: "10.0.0.2",
  src_port: 50000 + i,
  dst_port: 443,
  protocol: 6,
  ip_version: 4,
  first_seen_us: 1_709_287_200_000_000 + i,
  last_seen_us: 1_709_287_201_000_000 + i,
  duration_s: 1,
  fwd_packets: 3,
  bwd_packets: 2,
  fwd_bytes: 300,
  bwd_bytes: 200,
  end_reason: "fin",
  ...over
})
const batchOf = (rows: ReadonlyArray<Row>) => batchFromRows(rows)
const stageOf = (yaml = "") => makeFromYaml(schemaQc, `type: qc.schema\n${yaml}`) as Effect.Effect<QcStage, unknown>
const at = { dataset: "d", capture: "c.csv", batch: 2 }
const judged = (findings: ReadonlyArray<Finding>) => findings.map((f) => [f.metric, f.severity, f.value])

describe("qc.schema", () => {
  it.effect("testkit's realistic sample batch and a clean batch raise nothing", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      expect(yield* stage.check(sampleBatch(), at)).toEqual([])
      expect(yield* stage.check(batchOf(Array.from({ length: 50 }, (_, i) => flow(i))), at)).toEqual([])
      const icmp = batchOf(Array.from({ length: 10 }, (_, i) => flow(i, { protocol: 1, src_port: null, dst_port: null })))
      expect(yield* stage.check(icmp, at)).toEqual([])
    }))

  it.effect("nulls in an expected column warn above 1 % and fail above half", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const some = Array.from({ length: 100 }, (_, i) => flow(i, i < 10 ? { duration_s: null } : {}))
      expect(judged(yield* stage.check(batchOf(some), at))).toEqual([["null_share.duration_s", "warn", 0.1]])
      const most = Array.from({ length: 100 }, (_, i) => flow(i, i < 60 ? { fwd_bytes: null } : {}))
      const findings = yield* stage.check(batchOf(most), at)
      expect(judged(findings)).toEqual([["null_share.fwd_bytes", "fail", 0.6]])
      expect(findings[0]!.message).toBe(
        "qc.schema: null share of fwd_bytes 0.6 above fail threshold null_share_above=0.5 (capture c.csv, batch 2) (60 of 100 rows)"
      )
    }))

  it.effect("out-of-range values fail per column, with an example value", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const rows = [
        ...Array.from({ length: 20 }, (_, i) => flow(i)),
        flow(90, { dst_port: 70000 }),
        flow(91, { protocol: 300 }),
        flow(92, { ip_version: 5 }),
        flow(93, { fwd_bytes: -40 }),
        flow(94, { duration_s: -0.5 }),
        flow(95, { end_reason: "<bogus>" }),
        flow(96, { vlan_id: 5000 })
      ]
      const findings = yield* stage.check(batchOf(rows), at)
      expect(judged(findings)).toEqual([
        ["out_of_range_rows.dst_port", "fail", 1],
        ["out_of_range_rows.protocol", "fail", 1],
        ["out_of_range_rows.ip_version", "fail", 1],
        ["out_of_range_rows.vlan_id", "fail", 1],
        ["out_of_range_rows.duration_s", "fail", 1],
        ["out_of_range_rows.fwd_bytes", "fail", 1],
        ["out_of_range_rows.end_reason", "fail", 1]
      ])
      expect(findings[0]!.message).toBe(
        "qc.schema: rows with dst_port out of range 1 above fail threshold out_of_range_rows_above=0 (capture c.csv, batch 2) (allowed an integer in 0..65535; e.g. 70000)"
      )
      expect(findings[6]!.message).toContain('e.g. "<bogus>"')
    }))

  it.effect("columns the config promises but the batch lacks fail; `all` judges every column present", () =>
    Effect.gen(function* () {
      const listed = yield* stageOf("expect_columns: [src_ip, tls_sni, http_host]")
      const findings = yield* listed.check(batchOf([flow(1)]), at)
      expect(judged(findings)).toEqual([["missing_columns", "fail", 2]])
      expect(findings[0]!.message).toContain("(tls_sni, http_host)")
      const all = yield* stageOf("expect_columns: all")
      const sparse = batchOf([flow(1, { tls_sni: "pool.example" }), flow(2, { tls_sni: null })])
      // exactly half is not above the fail threshold 0.5, only above warn
      expect(judged(yield* all.check(sparse, at))).toEqual([["null_share.tls_sni", "warn", 0.5]])
      const sparser = batchOf([flow(1, { tls_sni: "pool.example" }), flow(2, { tls_sni: null }), flow(3, { tls_sni: null })])
      expect(judged(yield* all.check(sparser, at))).toEqual([["null_share.tls_sni", "fail", 2 / 3]])
    }))

  it.effect("finish reports one info finding for the dataset, so a clean dataset shows the check ran", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const clean = [batchOf(Array.from({ length: 30 }, (_, i) => flow(i))), batchOf(Array.from({ length: 20 }, (_, i) => flow(30 + i)))]
      const finish = yield* stage.finish(memoryAccess("d", { d: clean }), [])
      expect(finish.map((f) => [f.code, f.severity, f.metric, f.value, f.count])).toEqual([["metric", "info", "max_null_share", 0, 50]])
      expect(finish[0]!.message).toBe("qc.schema: largest null share of an expected column 0 (dataset) (no nulls in 11 expected column(s) over 50 flows)")
      const gappy = [batchOf(Array.from({ length: 40 }, (_, i) => flow(i, i < 4 ? { duration_s: null } : {}))), batchOf(Array.from({ length: 10 }, (_, i) => flow(i, { fwd_bytes: null })))]
      const worse = yield* stage.finish(memoryAccess("d", { d: gappy }), [])
      expect(worse.map((f) => [f.severity, f.value])).toEqual([["info", 0.2]])
      expect(worse[0]!.message).toContain("(fwd_bytes in 11 expected column(s) over 50 flows)")
    }))

  it.effect("finish with `all` leaves out the merged label columns the stored dataset joins", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("expect_columns: all")
      const labelled = batchOf(Array.from({ length: 10 }, (_, i) => flow(i, { label: "benign", label_source: "labeler.scenario", label_detail: null })))
      const finish = yield* stage.finish(memoryAccess("d", { d: [labelled] }), [])
      expect(finish.map((f) => [f.metric, f.value])).toEqual([["max_null_share", 0]])
    }))

  it("refuses unknown columns and thresholds, naming the path", () => {
    const paths = (raw: unknown) => Either.match(schemaQc.decode(raw, "qc.3"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ expect_columns: ["src_ip", "sni"] })).toContain("qc.3.expect_columns.1")
    expect(paths({ fail: { nulls_above: 1 } })).toEqual(["qc.3.fail.nulls_above"])
    expect(paths({ expect_columns: "all" })).toEqual([])
  })
})
