/**
 * The models stage end to end over the runner's test plugins: metrics.json (held-out and
 * in-sample datasets, intervals, operating points, behaviours from label_raw, captures),
 * curves.json, the model card (feature groups with configs, flow columns, thresholds fixed on
 * out-of-fold training scores, importance, medians, training sources, results), what a report is
 * given, and reruns (a reused model keeps its card's thresholds; a new target FPR retrains).
 */
import { it } from "@effect/vitest"
import { definePlugin, registryLayer, type ReportStage } from "@hashhound/core"
import { Effect, Layer, Schema } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { CARD_FORMAT, CURVES_FORMAT, METRICS_FORMAT, type EvaluationCurves, type EvaluationMetrics, type ModelCard } from "../../src/evaluation/index.js"
import { runPipeline } from "../../src/run/index.js"
import { Progress } from "../../src/spec.js"
import { StorageLive } from "../../src/storage/index.js"
import { testSpec, writeUnit } from "../run/support/inputs.js"
import { testPlugins } from "../run/support/plugins.js"

const root = mkdtempSync(join(tmpdir(), "hh-eval-run-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(() => {
  writeUnit(join(root, "inputs/lab/a.jsonl"), 1, 230)
  writeUnit(join(root, "inputs/lab/b.jsonl"), 2, 180)
  writeUnit(join(root, "inputs/campus/x.jsonl"), 4, 140)
  writeUnit(join(root, "inputs/campus/y.jsonl"), 5, 90)
  // the lab captures again, one of them twice under another name: its flows are duplicates
  mkdirSync(join(root, "inputs/lab-twice"), { recursive: true })
  copyFileSync(join(root, "inputs/lab/a.jsonl"), join(root, "inputs/lab-twice/a.jsonl"))
  copyFileSync(join(root, "inputs/lab/b.jsonl"), join(root, "inputs/lab-twice/b.jsonl"))
  copyFileSync(join(root, "inputs/lab/a.jsonl"), join(root, "inputs/lab-twice/c-again.jsonl"))
})

/** A report that writes down the artefact keys it was given. */
const keysReport = definePlugin({
  id: "report.test-keys",
  kind: "report",
  version: "1.0.0",
  summary: "lists the artefact keys",
  config: Schema.Struct({}),
  make: () => Effect.succeed<ReportStage>({ render: (artifacts) => Effect.succeed([{ path: "reports/keys.json", contents: JSON.stringify(Object.keys(artifacts.json).sort()) }]) })
})

const layer = Layer.mergeAll(
  registryLayer([{ source: "test", plugins: [...testPlugins, keysReport] }]),
  StorageLive({ threads: 2 }),
  Layer.succeed(Progress, Progress.silent)
)

const spec = (output: string, targetFpr: ReadonlyArray<number> = [0.01], labInputs = "inputs/lab") => {
  const base = testSpec({
    baseDir: root,
    output: join(root, output),
    datasets: [
      { name: "lab", source: "source.test-lines", paths: [labInputs] },
      { name: "campus", source: "source.test-replay", paths: ["inputs/campus"] }
    ],
    features: [{ type: "features.test-volume" }, { type: "features.test-fanin" }],
    reports: [{ type: "report.test-keys" }],
    train: ["lab"],
    test: ["campus"]
  })
  return { ...base, evaluation: { ...base.evaluation!, target_fpr: targetFpr } }
}

const json = <A>(output: string, path: string): A => JSON.parse(readFileSync(join(root, output, path), "utf8")) as A

describe("the models stage's evaluation", () => {
  it.effect("leaves the label stage's duplicates out of training and of every metric, and still scores them", () =>
    Effect.gen(function* () {
      yield* runPipeline(spec("once")).pipe(Effect.provide(layer))
      yield* runPipeline(spec("twice", [0.01], "inputs/lab-twice")).pipe(Effect.provide(layer))
      type Training = ModelCard["training"][number]
      const cardOf = (output: string) => json<ModelCard>(output, "models/model.test-mean/card.json")
      const [once] = cardOf("once").training as ReadonlyArray<Training>
      const [again] = cardOf("twice").training as ReadonlyArray<Training>
      expect(once).toMatchObject({ dataset: "lab", rows: 410, duplicates_dropped: 0 })
      // c-again.jsonl repeats a.jsonl: its 230 flows are marked and left out, the rest is as before
      expect(again).toEqual({ ...once, rows: 640, duplicates_dropped: 230 })
      // fitted on the same flows, each once (their fan-in features differ: the copy was counted there)
      expect(cardOf("twice").training_rows).toEqual(cardOf("once").training_rows)
      expect(cardOf("twice").training_rows.rows).toBe(once!.mining + once!.benign)
      // the in-sample lab metrics count each flow once
      const lab = json<EvaluationMetrics>("twice", "evaluation/metrics.json").datasets["lab"]!
      expect(lab).toMatchObject({ rows: 640, duplicates_dropped: 230, mining: once!.mining, benign: once!.benign })
      // every flow is still scored (an alert does not care that a flow was seen before)
      const scored = yield* Effect.promise(async () => {
        const { DuckDBInstance } = await import("@duckdb/node-api")
        const db = await DuckDBInstance.create(":memory:")
        const connection = await db.connect()
        const result = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(root, "twice", "evaluation", "scores-lab.parquet")}')`)
        return result.getRowObjects()[0]!["n"]
      })
      expect(scored).toBe(640)
    }))

  it.effect("writes metrics.json, curves.json and a full model card", () =>
    Effect.gen(function* () {
      const summary = yield* runPipeline(spec("full")).pipe(Effect.provide(layer))
      expect(summary.models.trained).toEqual(["model.test-mean"])
      const metrics = json<EvaluationMetrics>("full", "evaluation/metrics.json")
      expect(metrics.format).toBe(METRICS_FORMAT)
      expect(metrics.train_datasets).toEqual(["lab"])
      expect(metrics.test_datasets).toEqual(["campus"])
      expect(Object.keys(metrics.datasets)).toEqual(["campus", "lab"])
      expect(metrics.models[0]).toMatchObject({ name: "model.test-mean", threshold_basis: "out-of-fold" })
      expect(metrics.models[0]!.thresholds.map((t) => t.id)).toEqual(["fpr=0.01", "best_f1"])
      const campus = metrics.datasets["campus"]!
      expect(campus).toMatchObject({ role: "test", in_sample: false, rows: 230 })
      expect(campus.mining + campus.benign + campus.unknown_dropped).toBe(230)
      expect(campus.roc_auc["model.test-mean"]).toBe(campus.models["model.test-mean"]!.roc_auc)
      const m = campus.models["model.test-mean"]!
      expect(m.roc_auc).toBeGreaterThan(0.9)
      expect(m.roc_auc_ci!.lo).toBeLessThanOrEqual(m.roc_auc!)
      expect(m.operating_points.map((p) => p.id)).toEqual(["train:fpr=0.01", "train:best_f1", "test:fpr=0.01"])
      for (const p of m.operating_points) expect(p.tp + p.fn + p.fp + p.tn).toBe(campus.mining + campus.benign)
      // label_raw MINER / BENIGN; OTHER rows are unknown and excluded
      expect(m.behaviours.map((b) => [b.value, b.label])).toEqual([
        ["MINER", "mining"],
        ["BENIGN", "benign"]
      ])
      expect(m.behaviours.reduce((sum, b) => sum + b.flows, 0)).toBe(campus.mining + campus.benign)
      expect(m.captures.map((c) => c.capture).sort()).toEqual(["x.jsonl", "y.jsonl"])
      expect(m.captures.reduce((sum, c) => sum + c.unknown, 0)).toBe(campus.unknown_dropped)
      expect(metrics.datasets["lab"]).toMatchObject({ role: "train", in_sample: true })

      const curves = json<EvaluationCurves>("full", "evaluation/curves.json")
      expect(curves.format).toBe(CURVES_FORMAT)
      const roc = curves.datasets["campus"]!["model.test-mean"]!.roc
      expect(roc.fpr.length).toBe(roc.tpr.length)
      expect([roc.fpr[0], roc.fpr.at(-1)]).toEqual([0, 1])

      const card = json<ModelCard>("full", "models/model.test-mean/card.json")
      expect(card.format).toBe(CARD_FORMAT)
      expect(card.feature_groups.map((g) => [g.type, g.raw, g.features])).toEqual([
        ["features.test-volume", {}, ["total_bytes", "bytes_ratio", "init_win"]],
        ["features.test-fanin", {}, ["port_flows"]]
      ])
      expect(card.flow_columns).toEqual(["bwd_bytes", "dst_port", "fwd_bytes", "fwd_init_win"])
      expect(card.training_sources).toEqual([{ dataset: "lab", type: "source.test-lines", raw: { paths: ["inputs/lab"], batch_rows: 50 } }])
      expect(card.training_rows.rows).toBe(card.training_rows.mining + card.training_rows.benign)
      // lab: 2 captures, too few for capture folds, so 5 folds of conversations (address pairs);
      // every mining flow of a capture goes to one pool address, so mining conversations = sources
      expect(card.thresholds.basis).toBe("out-of-fold")
      expect(card.thresholds.out_of_fold).toMatchObject({ folds: 5, grouping: "conversation", seed: 1 })
      expect(card.thresholds.out_of_fold!.groups).toBeGreaterThan(50)
      expect(card.metrics.out_of_fold).toMatchObject({ folds: 5, grouping: "conversation" })
      expect(card.metrics.out_of_fold!.roc_auc).toBeGreaterThan(0.9)
      // the threshold's training rates are those of the out-of-fold scores, over every training row
      const strict = card.thresholds.values[0]!.train!
      expect(strict.tp + strict.fn + strict.fp + strict.tn).toBe(card.training_rows.rows)
      expect(card.thresholds.default).toBe("fpr=0.01")
      expect(card.thresholds.values).toEqual(metrics.models[0]!.thresholds)
      expect(Object.keys(card.importance.permutation.values).sort()).toEqual(["bytes_ratio", "init_win", "port_flows", "total_bytes"])
      expect(card.importance.permutation).toMatchObject({ metric: "roc_auc_drop", repeats: 3, seed: 1 })
      expect(card.feature_medians["init_win"]).toBeNull()
      expect(card.metrics.training.in_sample).toBe(true)
      expect(Object.keys(card.metrics.datasets ?? {})).toEqual(["campus", "lab"])

      expect(json<Array<string>>("full", "reports/keys.json")).toEqual(
        expect.arrayContaining(["evaluation/metrics.json", "evaluation/curves.json", "models/model.test-mean/card.json", "manifest.json"])
      )
    }))

  it.effect("a rerun reuses the model and its card's thresholds; a new target FPR retrains", () =>
    Effect.gen(function* () {
      yield* runPipeline(spec("rerun")).pipe(Effect.provide(layer))
      const first = json<EvaluationMetrics>("rerun", "evaluation/metrics.json")
      const again = yield* runPipeline(spec("rerun")).pipe(Effect.provide(layer))
      expect(again.models).toMatchObject({ trained: [], reused: ["model.test-mean"], evaluated: false })
      expect(json<EvaluationMetrics>("rerun", "evaluation/metrics.json")).toEqual(first)
      const changed = yield* runPipeline(spec("rerun", [0.05, 0.01])).pipe(Effect.provide(layer))
      expect(changed.models.trained).toEqual(["model.test-mean"])
      const metrics = json<EvaluationMetrics>("rerun", "evaluation/metrics.json")
      expect(metrics.target_fpr).toEqual([0.05, 0.01])
      expect(metrics.models[0]!.thresholds.map((t) => t.id)).toEqual(["fpr=0.05", "fpr=0.01", "best_f1"])
      expect(json<ModelCard>("rerun", "models/model.test-mean/card.json").thresholds.default).toBe("fpr=0.01")
    }))
})
