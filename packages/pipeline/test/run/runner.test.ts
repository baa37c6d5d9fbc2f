/**
 * runPipeline end to end over the test plugins: the run layout and what DuckDB reads from it,
 * reruns that skip everything, redoing only what a config change touches, force, and QC failure.
 */
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect } from "vitest"
import type { ProgressEvent } from "../../src/spec.js"
import { runPipeline } from "../../src/run/index.js"
import { changed, duckRows, listFiles, snapshot } from "./support/files.js"
import { testLayer, testSpec, writeUnit } from "./support/inputs.js"

const root = mkdtempSync(join(tmpdir(), "hh-run-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(() => {
  writeUnit(join(root, "inputs/lab/a.jsonl"), 1, 230, 60)
  writeUnit(join(root, "inputs/lab/b.jsonl"), 2, 180, 0)
  writeUnit(join(root, "inputs/lab/c.jsonl"), 3, 120, 45)
  writeUnit(join(root, "inputs/campus/x.jsonl"), 4, 140, 0)
  writeUnit(join(root, "inputs/campus/y.jsonl"), 5, 90, 0)
})

const baseSpec = (output: string, overrides: Partial<Parameters<typeof testSpec>[0]> = {}) =>
  testSpec({
    baseDir: root,
    output: join(root, output),
    datasets: [
      { name: "lab", source: "source.test-lines", paths: ["inputs/lab"] },
      { name: "campus", source: "source.test-replay", paths: ["inputs/campus"] }
    ],
    train: ["lab"],
    test: ["campus", "lab"],
    ...overrides
  })

const inputRows = (file: string) =>
  readFileSync(join(root, "inputs", file), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{\""))
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("runPipeline", () => {
  it.effect("writes the run layout with readable Parquet, labels, QC, features, a model and metrics", () =>
    Effect.gen(function* () {
      const events: Array<ProgressEvent> = []
      const spec = baseSpec("full", {
        qc: [
          { type: "qc.test-limit", column: "fwd_packets", max: 1000, severity: "warn" },
          { type: "qc.test-limit", column: "bwd_bytes", max: 400_000, severity: "warn", phase: "labels" }
        ]
      })
      const summary = yield* runPipeline(spec).pipe(Effect.provide(testLayer(events)))
      expect(summary.status).toBe("ok")
      const lab = summary.datasets.find((d) => d.name === "lab")!
      expect(lab.units).toEqual({ read: 3, skipped: 0 })
      expect(lab.flows).toBe(530)
      expect(lab.batches.written).toBe(5 + 4 + 3)
      const files = listFiles(spec.output)
      for (const file of [
        "manifest.json",
        "datasets/lab/flows/part-00000-00000.parquet",
        "datasets/lab/flows/part-00002-00002.parquet",
        "datasets/lab/labels/part-00001-00003.parquet",
        "datasets/lab/features/features.test-volume/part-00000-00004.parquet",
        "datasets/lab/features/features.test-fanin/part-00002-00000.parquet",
        "datasets/lab/qc/batch-00000-00001.json",
        "datasets/lab/qc/unit-00000.json",
        "datasets/lab/qc/dataset.json",
        "datasets/lab/qc/labels-00000-00001.json",
        "datasets/campus/flows/part-00001-00001.parquet",
        "models/model.test-mean/model.bin",
        "models/model.test-mean/card.json",
        "evaluation/scores-campus.parquet",
        "evaluation/scores-lab.parquet",
        "evaluation/metrics.json"
      ]) {
        expect(files, file).toContain(file)
      }
      expect(files.filter((file) => file.endsWith(".tmp"))).toEqual([])
      expect(files.filter((file) => file.startsWith("datasets/lab/checkpoints/") && file.endsWith(".bin"))).toEqual([])

      // flows read back by a separate DuckDB equal the input lines, in order
      const flows = yield* Effect.promise(() =>
        duckRows(
          `SELECT flow_id, capture, batch, src_ip, dst_port, fwd_bytes, splt_len, label_raw FROM read_parquet('${spec.output}/datasets/lab/flows/*.parquet') WHERE capture = 'a.jsonl' ORDER BY batch, CAST(split_part(flow_id, '/', 4) AS INTEGER)`
        )
      )
      const expected = inputRows("lab/a.jsonl")
      expect(flows.length).toBe(expected.length)
      flows.forEach((row, index) => {
        expect(row["flow_id"]).toBe(`lab/a.jsonl/${Math.floor(index / 50)}/${index % 50}`)
        expect(row["src_ip"]).toBe(expected[index]!["src_ip"])
        expect(row["dst_port"]).toBe(expected[index]!["dst_port"])
        expect(Number(row["fwd_bytes"])).toBe(expected[index]!["fwd_bytes"])
        expect(row["splt_len"]).toEqual(expected[index]!["splt_len"])
      })

      // labels: port labeler first, dataset labels second, OTHER rows unknown with no source
      const labels = yield* Effect.promise(() =>
        duckRows(
          `SELECT f.label_raw, l.label, l.label_source, l.label_detail, count(*) AS n FROM read_parquet('${spec.output}/datasets/lab/flows/*.parquet') f JOIN read_parquet('${spec.output}/datasets/lab/labels/*.parquet') l USING (flow_id) GROUP BY ALL ORDER BY 1`
        )
      )
      expect(labels.map(({ n: _n, ...rest }) => rest)).toEqual([
        { label_raw: "BENIGN", label: "benign", label_source: "labeler.test-raw", label_detail: "label_raw=BENIGN" },
        { label_raw: "MINER", label: "mining", label_source: "labeler.test-port", label_detail: "pool port 3333" },
        { label_raw: "OTHER", label: "unknown", label_source: null, label_detail: "labeler.test-raw: label_raw=OTHER" }
      ])

      // features: batch group values, null for a missing column; SQL window over the whole dataset
      const features = yield* Effect.promise(() =>
        duckRows(
          `SELECT count(*) AS n, count(*) FILTER (WHERE v.total_bytes = f.fwd_bytes + f.bwd_bytes) AS ok, count(v.init_win) AS init_win, count(*) FILTER (WHERE s.port_flows = (SELECT count(*) FROM read_parquet('${spec.output}/datasets/lab/flows/*.parquet') g WHERE g.dst_port = f.dst_port)) AS fanin FROM read_parquet('${spec.output}/datasets/lab/flows/*.parquet') f JOIN read_parquet('${spec.output}/datasets/lab/features/features.test-volume/*.parquet') v USING (flow_id) JOIN read_parquet('${spec.output}/datasets/lab/features/features.test-fanin/*.parquet') s USING (flow_id)`
        )
      )
      expect(features).toEqual([{ n: "530", ok: "530", init_win: "0", fanin: "530" }])

      // source findings sit in the batch after which they were read; the end-of-unit one in the unit file
      const batch1 = JSON.parse(readFileSync(join(spec.output, "datasets/lab/qc/batch-00000-00001.json"), "utf8")) as {
        source_findings: Array<{ code: string; capture: string }>
      }
      expect(batch1.source_findings.map((f) => f.code)).toEqual(["corrupt_record"])
      const tail = JSON.parse(readFileSync(join(spec.output, "datasets/lab/qc/unit-00000.json"), "utf8")) as {
        source_findings: Array<{ code: string }>
      }
      expect(tail.source_findings.map((f) => f.code)).toEqual(["end_of_unit"])
      const qc = JSON.parse(readFileSync(join(spec.output, "datasets/lab/qc/dataset.json"), "utf8")) as {
        status: string
        finish_findings: Array<{ message: string }>
        totals: Record<string, number>
      }
      expect(qc.status).toBe("warn")
      expect(qc.finish_findings.map((f) => f.message)).toEqual(["530 flows, 530 labelled, 8 source findings", "530 flows, 530 labelled, 8 source findings"])
      const labelsPhase = files
        .filter((file) => file.startsWith("datasets/lab/qc/labels-"))
        .flatMap((file) => (JSON.parse(readFileSync(join(spec.output, file), "utf8")) as { qc_findings: Array<{ code: string }> }).qc_findings)
      expect(labelsPhase.length).toBeGreaterThan(0)
      expect(qc.totals["warn"]).toBe(5 + labelsPhase.length)

      const metrics = JSON.parse(readFileSync(join(spec.output, "evaluation/metrics.json"), "utf8")) as {
        datasets: Record<string, { roc_auc: Record<string, number> }>
      }
      expect(metrics.datasets["campus"]!.roc_auc["model.test-mean"]).toBeGreaterThan(0.9)
      const card = JSON.parse(readFileSync(join(spec.output, "models/model.test-mean/card.json"), "utf8")) as {
        features: Array<string>
        training: Array<{ dataset: string; mining: number; benign: number }>
      }
      expect(card.features).toEqual(["total_bytes", "bytes_ratio", "init_win", "port_flows"])
      expect(card.training[0]!.dataset).toBe("lab")
      expect(events.filter((e) => e._tag === "UnitDone" && !e.skipped).length).toBe(5)
    }))

  it.effect("reruns skip everything; a labeler change redoes labels only; force redoes all", () =>
    Effect.gen(function* () {
      const events: Array<ProgressEvent> = []
      const spec = baseSpec("rerun")
      yield* runPipeline(spec).pipe(Effect.provide(testLayer()))
      const first = snapshot(spec.output)
      const manifestText = readFileSync(join(spec.output, "manifest.json"), "utf8")

      const again = yield* runPipeline(spec).pipe(Effect.provide(testLayer(events)))
      const second = snapshot(spec.output)
      expect([...second.keys()]).toEqual([...first.keys()])
      expect(changed(first, second).filter((file) => file !== "manifest.json")).toEqual([])
      expect(readFileSync(join(spec.output, "manifest.json"), "utf8")).toBe(manifestText)
      expect(again.datasets.map((d) => [d.name, d.units, d.batches.written, d.labels.unitsLabelled, d.features?.groupsComputed])).toEqual([
        ["lab", { read: 0, skipped: 3 }, 0, 0, 0],
        ["campus", { read: 0, skipped: 2 }, 0, 0, 0]
      ])
      expect(again.models).toMatchObject({ trained: [], reused: ["model.test-mean"], evaluated: false })
      expect(again.models.auc["model.test-mean"]!["campus"]).toBeGreaterThan(0.9)
      expect(events.filter((e) => e._tag === "UnitDone").every((e) => e._tag === "UnitDone" && e.skipped)).toBe(true)

      // lab's port labeler now also calls 8080 mining: only lab's labels (and what reads labels) change
      const relabelled = baseSpec("rerun", {
        datasets: [
          {
            name: "lab",
            source: "source.test-lines",
            paths: ["inputs/lab"],
            labels: [
              { type: "labeler.test-port", raw: { mining_ports: [3333, 8080] } },
              { type: "labeler.test-raw", raw: { map: { MINER: "mining", BENIGN: "benign" } } }
            ]
          },
          { name: "campus", source: "source.test-replay", paths: ["inputs/campus"] }
        ]
      })
      const summary = yield* runPipeline(relabelled).pipe(Effect.provide(testLayer()))
      const third = snapshot(spec.output)
      const rewritten = changed(second, third)
      const flowsFiles = [...second.keys()].filter((file) => file.includes("/flows/"))
      expect(flowsFiles.length).toBe(12 + 5)
      expect(rewritten.filter((file) => file.includes("/flows/") || file.includes("/features/") || file.includes("/qc/batch-"))).toEqual([])
      const labLabels = [...second.keys()].filter((file) => file.startsWith("datasets/lab/labels/"))
      expect(labLabels.length).toBe(12)
      expect(rewritten.filter((file) => file.startsWith("datasets/lab/labels/"))).toEqual(labLabels)
      expect(rewritten.filter((file) => file.startsWith("datasets/campus/labels/"))).toEqual([])
      expect(rewritten).toContain("models/model.test-mean/card.json")
      expect(rewritten).toContain("datasets/lab/qc/dataset.json")
      expect(summary.datasets.map((d) => [d.units.read, d.labels.unitsLabelled, d.features?.groupsComputed])).toEqual([
        [0, 3, 0],
        [0, 0, 0]
      ])
      const other = yield* Effect.promise(() =>
        duckRows(
          `SELECT DISTINCT l.label, l.label_detail FROM read_parquet('${spec.output}/datasets/lab/flows/*.parquet') f JOIN read_parquet('${spec.output}/datasets/lab/labels/*.parquet') l USING (flow_id) WHERE f.label_raw = 'OTHER'`
        )
      )
      expect(other).toEqual([{ label: "mining", label_detail: "pool port 8080; labeler.test-raw: label_raw=OTHER" }])

      // a QC threshold change redoes QC findings only; the source's findings stay where they were
      const sourceFindingsBefore = readFileSync(join(spec.output, "datasets/lab/qc/batch-00000-00001.json"), "utf8")
      const stricter = { ...relabelled, qc: [{ ...relabelled.qc[0]!, raw: { column: "fwd_packets", max: 30, severity: "warn" } }] }
      yield* runPipeline(stricter).pipe(Effect.provide(testLayer()))
      const afterQc = snapshot(spec.output)
      const qcRewritten = changed(third, afterQc)
      expect(qcRewritten.filter((file) => !file.includes("/qc/") && file !== "manifest.json")).toEqual([])
      expect(qcRewritten.filter((file) => file.includes("/qc/batch-")).length).toBe(17)
      const batchJson = JSON.parse(readFileSync(join(spec.output, "datasets/lab/qc/batch-00000-00001.json"), "utf8")) as {
        source_findings: Array<unknown>
        qc_findings: Array<{ threshold: number }>
      }
      expect(batchJson.source_findings).toEqual((JSON.parse(sourceFindingsBefore) as { source_findings: Array<unknown> }).source_findings)
      expect(batchJson.qc_findings.map((f) => f.threshold)).toEqual([30])

      // force: every stored file is written again
      const forced = yield* runPipeline(stricter, { force: true }).pipe(Effect.provide(testLayer()))
      const fourth = snapshot(spec.output)
      expect([...fourth.keys()]).toEqual([...afterQc.keys()])
      expect(changed(afterQc, fourth)).toEqual([...afterQc.keys()])
      expect(forced.datasets.map((d) => d.units)).toEqual([
        { read: 3, skipped: 0 },
        { read: 2, skipped: 0 }
      ])
    }))

  it.effect("a failing QC check stops that dataset's features and training on it; the others go on; the run fails", () =>
    Effect.gen(function* () {
      writeUnit(join(root, "inputs/odd/z.jsonl"), 9, 120, 0)
      const lines = readFileSync(join(root, "inputs/odd/z.jsonl"), "utf8").trim().split("\n")
      const big = JSON.parse(lines[70]!) as Record<string, unknown>
      big["fwd_bytes"] = 5_000_000_000
      lines[70] = JSON.stringify(big)
      writeFileSync(join(root, "inputs/odd/z.jsonl"), `${lines.join("\n")}\n`)
      const datasets = [
        { name: "lab", source: "source.test-lines", paths: ["inputs/lab"] },
        { name: "odd", source: "source.test-replay", paths: ["inputs/odd"] }
      ]
      const qc = [{ type: "qc.test-limit", column: "fwd_bytes", max: 100_000_000, severity: "fail" }]
      const spec = baseSpec("qcfail", { datasets, qc, train: ["lab"], test: ["odd", "lab"] })
      const summary = yield* runPipeline(spec).pipe(Effect.provide(testLayer()))
      expect(summary.status).toBe("failed")
      const odd = summary.datasets.find((d) => d.name === "odd")!
      expect(odd.qc).toBe("fail")
      expect(odd.features).toBeUndefined()
      expect(summary.failures.map((f) => [f.dataset, f.check, f.batch])).toEqual([["odd", "qc.test-limit", 1]])
      expect(summary.failures[0]!.message).toBe(
        "QC check qc.test-limit failed on dataset odd batch 1: fwd_bytes above 100000000 [z.jsonl] (max fwd_bytes=5000000000, threshold 100000000)"
      )
      expect(summary.datasets.find((d) => d.name === "lab")!.features).toEqual({ groupsComputed: 2, groupsSkipped: 0 })
      expect(existsSync(join(spec.output, "datasets/odd/features"))).toBe(false)
      expect(existsSync(join(spec.output, "datasets/odd/flows/part-00000-00002.parquet"))).toBe(true)
      expect(existsSync(join(spec.output, "evaluation/scores-odd.parquet"))).toBe(false)
      const metrics = JSON.parse(readFileSync(join(spec.output, "evaluation/metrics.json"), "utf8")) as { skipped_datasets: Array<string> }
      expect(metrics.skipped_datasets).toEqual(["odd"])
      const manifest = JSON.parse(readFileSync(join(spec.output, "manifest.json"), "utf8")) as { status: string }
      expect(manifest.status).toBe("failed")

      // training on the failed dataset is refused, and nothing else is redone
      const before = snapshot(spec.output)
      const blocked = yield* runPipeline(baseSpec("qcfail", { datasets, qc, train: ["odd"], test: ["lab"] })).pipe(Effect.provide(testLayer()))
      expect(blocked.models.blocked).toBe("training skipped: train dataset odd failed QC")
      expect(changed(before, snapshot(spec.output)).filter((file) => file !== "manifest.json")).toEqual([])
    }))
})
