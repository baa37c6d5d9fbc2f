/**
 * The QC stage's artefacts over the test plugins: qc/flow-summary.json (core's FlowSummary) and
 * qc/labels.json (core's LabelReport) with the counts the input files hold, the same files
 * whether a labels-phase check reads whole batches or not, reports getting them as artefacts,
 * `DatasetAccess` giving units and projected reads, per-check findings in the RunSummary, and
 * a rerun that leaves them alone (but writes a deleted one again).
 */
import { it } from "@effect/vitest"
import { FlowSummary, LABEL_REPORT_FORMAT, LabelReport } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { runPipeline } from "../../src/run/index.js"
import { changed, snapshot } from "./support/files.js"
import { testLayer, testSpec, writeUnit } from "./support/inputs.js"

const root = mkdtempSync(join(tmpdir(), "hh-qc-artefacts-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(() => {
  writeUnit(join(root, "inputs/lab/a.jsonl"), 11, 230, 60)
  writeUnit(join(root, "inputs/lab/b.jsonl"), 12, 180, 0)
})

const ACCESS_COLUMNS = ["capture", "dst_port", "label", "not_a_stored_column"]

/** raw labels decide; the port labeler also calls 443 mining, so every BENIGN row is a conflict. */
const spec = (output: string, labelsPhase: boolean) =>
  testSpec({
    baseDir: root,
    output: join(root, output),
    datasets: [
      {
        name: "lab",
        source: "source.test-lines",
        paths: ["inputs/lab"],
        labels: [
          { type: "labeler.test-raw", raw: { map: { MINER: "mining", BENIGN: "benign", OTHER: "unknown" } } },
          { type: "labeler.test-port", raw: { mining_ports: [3333, 443] } }
        ]
      }
    ],
    qc: [
      { type: "qc.test-access", columns: ACCESS_COLUMNS },
      labelsPhase
        ? { type: "qc.test-limit", column: "fwd_packets", max: 30, severity: "warn", phase: "labels" }
        : { type: "qc.test-limit", column: "fwd_packets", max: 30, severity: "warn" }
    ],
    features: [],
    models: [],
    reports: [{ type: "report.test-artefacts" }]
  })

const inputRows = (file: string) =>
  readFileSync(join(root, "inputs/lab", file), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{\""))
    .map((line) => JSON.parse(line) as Record<string, unknown>)

const readJsonFile = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"))

describe("QC artefacts", () => {
  it.effect("flow-summary.json and labels.json hold the stored flows' counts; reports get them; rerun skips", () =>
    Effect.gen(function* () {
      const run = spec("labels-phase", true)
      const summary = yield* runPipeline(run).pipe(Effect.provide(testLayer()))
      const qcDir = join(run.output, "datasets/lab/qc")
      const rows = [...inputRows("a.jsonl"), ...inputRows("b.jsonl")]
      const count = (raw: string) => rows.filter((row) => row["label_raw"] === raw).length

      // flow summary: the shape reports decode, and the input's numbers
      const flows = Schema.decodeUnknownSync(FlowSummary)(readJsonFile(join(qcDir, "flow-summary.json")))
      expect(flows.flows).toBe(410)
      expect(flows.captures.map((c) => [c.capture, c.flows])).toEqual([
        ["a.jsonl", 230],
        ["b.jsonl", 180]
      ])
      expect(flows.protocols).toEqual([{ protocol: 6, flows: 410 }])
      expect(Object.fromEntries(flows.dst_ports.map((p) => [p.port, p.flows]))).toEqual({ 3333: count("MINER"), 443: count("BENIGN"), 8080: count("OTHER") })
      const bytes = flows.histograms.bytes
      expect(bytes.bins.reduce((sum, bin) => sum + bin.count, 0) + bytes.zero + bytes.negative + bytes.missing).toBe(410)
      expect(flows.app_hints.tls_sni.reduce((sum, hint) => sum + hint.flows, 0)).toBe(count("BENIGN"))
      expect(flows.labels?.map((l) => [l.capture, l.mining + l.benign + l.unknown, l.conflicts])).toEqual([
        ["a.jsonl", 230, inputRows("a.jsonl").filter((row) => row["label_raw"] === "BENIGN").length],
        ["b.jsonl", 180, inputRows("b.jsonl").filter((row) => row["label_raw"] === "BENIGN").length]
      ])

      // label report: who decided, explicit unknowns, the conflict pair
      const labels = Schema.decodeUnknownSync(LabelReport)(readJsonFile(join(qcDir, "labels.json")))
      expect(labels).toMatchObject({
        format: LABEL_REPORT_FORMAT,
        dataset: "lab",
        duplicates_counted: true,
        duplicates: 0,
        flows: 410,
        mining: count("MINER"),
        benign: count("BENIGN"),
        unknown: count("OTHER"),
        explicit_unknown: count("OTHER"),
        labelled: count("MINER") + count("BENIGN"),
        conflicts: count("BENIGN"),
        by_source: { "labeler.test-raw": 410 },
        conflict_pairs: { "labeler.test-raw=benign vs labeler.test-port=mining": count("BENIGN") }
      })
      expect(labels.coverage).toBeCloseTo((count("MINER") + count("BENIGN")) / 410, 12)
      expect(Object.keys(labels.captures)).toEqual(["a.jsonl", "b.jsonl"])
      expect(labels.captures["b.jsonl"]!.flows).toBe(180)

      // the report was given both files (and dataset.json) as artefacts
      const given = readJsonFile(join(run.output, "reports/artefacts-lab.json")) as { keys: Array<string>; flows: number }
      expect(given.keys).toEqual(
        expect.arrayContaining(["datasets/lab/qc/dataset.json", "datasets/lab/qc/flow-summary.json", "datasets/lab/qc/labels.json"])
      )
      expect(given.flows).toBe(410)

      // finish saw the units with their fingerprints and a projected read (absent columns left out)
      const lab = summary.datasets[0]!
      const access = lab.checks.find((c) => c.check === "qc.test-access")!
      expect(access.counts).toEqual({ info: 2, warn: 0, fail: 0 })
      expect(access.examples.map((f) => f.severity)).toEqual(["info"])
      const dataset = readJsonFile(join(qcDir, "dataset.json")) as { finish_findings: Array<{ code: string; message: string; value?: number }> }
      const columns = dataset.finish_findings.find((f) => f.code === "columns")!
      expect(columns.message.split(",")).toEqual(["capture", "dst_port", "label"])
      expect(columns.value).toBe(410)
      expect(dataset.finish_findings.find((f) => f.code === "units")!.message).toMatch(/^a\.jsonl@[0-9a-f]{8},b\.jsonl@[0-9a-f]{8}$/)

      // per-check counts and examples in the summary, the source's findings included
      const limit = lab.checks.find((c) => c.check === "qc.test-limit")!
      expect(limit.counts.warn).toBeGreaterThan(0)
      expect(limit.examples[0]).toMatchObject({ source: "qc.test-limit", severity: "warn" })
      const source = lab.checks.find((c) => c.check === "source.test-lines")!
      expect(source.counts).toEqual({ info: 2, warn: 3, fail: 0 })
      expect(source.examples.map((f) => f.code)).toEqual(["corrupt_record", "end_of_unit"])
      const totals = lab.checks.reduce((sum, c) => ({ info: sum.info + c.counts.info, warn: sum.warn + c.counts.warn, fail: sum.fail + c.counts.fail }), { info: 0, warn: 0, fail: 0 })
      expect(totals).toEqual(lab.findings)

      // a rerun touches neither file; a deleted one is written again
      const before = snapshot(run.output)
      const again = yield* runPipeline(run).pipe(Effect.provide(testLayer()))
      expect(changed(before, snapshot(run.output)).filter((file) => file !== "manifest.json")).toEqual([])
      expect(again.datasets[0]!.checks).toEqual(lab.checks)
      const text = readFileSync(join(qcDir, "flow-summary.json"), "utf8")
      rmSync(join(qcDir, "flow-summary.json"))
      yield* runPipeline(run).pipe(Effect.provide(testLayer()))
      expect(readFileSync(join(qcDir, "flow-summary.json"), "utf8")).toBe(text)
    }))

  it.effect("without a labels-phase check (projected reads) the artefacts are the same", () =>
    Effect.gen(function* () {
      const whole = spec("whole", true)
      const projected = spec("projected", false)
      yield* runPipeline(whole).pipe(Effect.provide(testLayer()))
      yield* runPipeline(projected).pipe(Effect.provide(testLayer()))
      for (const file of ["flow-summary.json", "labels.json"]) {
        expect(readFileSync(join(projected.output, "datasets/lab/qc", file), "utf8"), file).toBe(
          readFileSync(join(whole.output, "datasets/lab/qc", file), "utf8")
        )
      }
    }))
})
