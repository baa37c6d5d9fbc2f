/**
 * model.gbdt behaviour beyond the shared contract: threads give the same model, learned missing
 * directions, growth limits, early stopping, class and explicit weights, subsampling
 * determinism, file version and corruption handling (and files from before the refit),
 * permutation importance.
 */
import { describe, expect, it } from "@effect/vitest"
import type { FeatureMatrix, ModelStage } from "@hashhound/core"
import { makeRng } from "@hashhound/ml"
import { Effect, Schema } from "effect"
import { GbdtConfig, gbdtPlugin, permutationImportance, rocAuc, type GbdtModel } from "../src/index.js"
import { makeGbdtStage } from "../src/stage.js"
import type { Tree } from "../src/tree.js"

const stageFor = (config: Record<string, unknown>) => gbdtPlugin.make(config) as Effect.Effect<ModelStage, unknown>

/** `signal` and `other` decide the label (with 5% flips); `noise_*` do not. */
const problem = (rows: number, seed: number, features = 6, positiveRate = 0.3): { x: FeatureMatrix; y: Uint8Array } => {
  const rng = makeRng(seed)
  const names = ["signal", "other", ...Array.from({ length: features - 2 }, (_, i) => `noise_${i}`)]
  const columns = names.map(() => new Float64Array(rows))
  const y = new Uint8Array(rows)
  for (let r = 0; r < rows; r++) {
    const positive = rng.float() < positiveRate
    columns[0]![r] = (positive ? 1 : 0) + rng.float() * 1.2
    columns[1]![r] = (positive ? 0.5 : 0) + rng.float()
    for (let f = 2; f < names.length; f++) columns[f]![r] = rng.float()
    y[r] = (rng.float() < 0.05 ? !positive : positive) ? 1 : 0
  }
  return { x: { names, rows, columns }, y }
}

const mean = (values: Float64Array): number => values.reduce((a, b) => a + b, 0) / values.length

const leaves = (tree: Tree): number => tree.feature.filter((f) => f < 0).length
const depth = (tree: Tree, node = 0): number =>
  tree.feature[node]! < 0 ? 0 : 1 + Math.max(depth(tree, tree.left[node]!), depth(tree, tree.right[node]!))

describe("model.gbdt training", () => {
  it.live("builds the same model on two threads as on one, and really uses the worker", () =>
    Effect.gen(function* () {
      const data = problem(60_000, 1, 20)
      const config = { trees: 12, max_depth: 5, early_stopping_rounds: 0 }
      // below the default start-up threshold (2M cells), so lower it to make the worker start
      const one = makeGbdtStage(Schema.decodeUnknownSync(GbdtConfig)({ ...config, threads: 1 }), { poolMinCells: 1_000_000 })
      const two = makeGbdtStage(Schema.decodeUnknownSync(GbdtConfig)({ ...config, threads: 2 }), { poolMinCells: 1_000_000 })
      const a = (yield* one.fit(data.x, data.y)) as GbdtModel
      const b = (yield* two.fit(data.x, data.y)) as GbdtModel
      expect(a.info.threads_used).toBe(1)
      expect(b.info.threads_used).toBe(2)
      const bytesA = new TextDecoder().decode(yield* one.save(a))
      const bytesB = new TextDecoder().decode(yield* two.save(b))
      expect(bytesA.replace(/"threads_used":\d+/, "").replace(/"threads":\d+/, "")).toBe(
        bytesB.replace(/"threads_used":\d+/, "").replace(/"threads":\d+/, "")
      )
    }), 120_000)

  it.effect("learns where missing values go", () =>
    Effect.gen(function* () {
      const rng = makeRng(4)
      const rows = 4000
      const y = new Uint8Array(rows)
      const column = new Float64Array(rows)
      for (let r = 0; r < rows; r++) {
        y[r] = rng.float() < 0.5 ? 1 : 0
        const missing = rng.float() < (y[r] === 1 ? 0.8 : 0.1)
        column[r] = missing ? Number.NaN : rng.float()
      }
      const stage = yield* stageFor({ trees: 20, max_depth: 2, early_stopping_rounds: 0 })
      const fitted = yield* stage.fit({ names: ["gappy"], rows, columns: [column] }, y)
      const scores = yield* stage.predictProba(fitted, { names: ["gappy"], rows: 2, columns: [Float64Array.from([Number.NaN, 0.5])] })
      expect(scores[0]!).toBeGreaterThan(0.75)
      expect(scores[1]!).toBeLessThan(0.25)
    }))

  it.effect("keeps leaf-wise trees within max_leaves and depth-wise trees within max_depth", () =>
    Effect.gen(function* () {
      const data = problem(3000, 2)
      // min_child_weight 1: small leaves allowed, so the limits under test are the ones that bind
      const leafwise = (yield* (yield* stageFor({ trees: 10, growth: "leafwise", max_leaves: 5, max_depth: 10, min_child_weight: 1, early_stopping_rounds: 0 })).fit(data.x, data.y)) as GbdtModel
      for (const tree of leafwise.trees) expect(leaves(tree)).toBeLessThanOrEqual(5)
      expect(Math.max(...leafwise.trees.map(leaves))).toBe(5)
      const depthwise = (yield* (yield* stageFor({ trees: 10, max_depth: 3, min_child_weight: 1, early_stopping_rounds: 0 })).fit(data.x, data.y)) as GbdtModel
      for (const tree of depthwise.trees) expect(depth(tree)).toBeLessThanOrEqual(3)
      expect(Math.max(...depthwise.trees.map(depth))).toBe(3)
    }))

  it.effect("stops early on a validation split and keeps the best round", () =>
    Effect.gen(function* () {
      const data = problem(3000, 3)
      const config = { trees: 400, learning_rate: 0.5, max_depth: 6, early_stopping_rounds: 5, validation_fraction: 0.2 }
      const stage = yield* stageFor({ ...config, refit: false })
      const fitted = (yield* stage.fit(data.x, data.y)) as GbdtModel
      expect(fitted.info.trees_trained).toBeLessThan(400)
      expect(fitted.info.trees_kept).toBe(fitted.info.trees_trained - 5)
      expect(fitted.info.best_round).toBe(fitted.info.trees_kept)
      expect(fitted.info.refit).toBe(false)
      expect(fitted.info.validation_rows).toBe(Math.floor(fitted.info.validation_rows))
      expect(fitted.info.validation_rows).toBeGreaterThan(550)
      expect(fitted.info.training_rows + fitted.info.validation_rows).toBe(3000)
      expect(fitted.info.validation_metric).toBe("logloss")
      expect(fitted.info.validation_logloss).not.toBeNull()
      expect(fitted.info.validation_score).toBe(fitted.info.validation_logloss)
      // the default refit: the same early-stopping run, then all 3000 rows for the best number of
      // rounds scaled by 3000 / training rows
      const refit = (yield* (yield* stageFor(config)).fit(data.x, data.y)) as GbdtModel
      expect(refit.info.refit).toBe(true)
      expect(refit.info.trees_trained).toBe(fitted.info.trees_trained)
      expect(refit.info.best_round).toBe(fitted.info.best_round)
      expect(refit.info.training_rows).toBe(3000)
      expect(refit.info.trees_kept).toBe(Math.round((fitted.info.best_round! * 3000) / fitted.info.training_rows))
      expect(refit.trees.length).toBe(refit.info.trees_kept)
      // on ROC-AUC: it stops where the validation ranking stops improving
      const byAuc = (yield* (yield* stageFor({ ...config, refit: false, early_stopping_metric: "roc_auc" })).fit(data.x, data.y)) as GbdtModel
      expect(byAuc.info.validation_metric).toBe("roc_auc")
      expect(byAuc.info.validation_score).toBeGreaterThan(0.8)
      expect(byAuc.info.validation_logloss).toBeNull()
      expect(byAuc.info.trees_kept).toBe(byAuc.info.trees_trained - 5)
      const noStopping = (yield* (yield* stageFor({ trees: 30, early_stopping_rounds: 0 })).fit(data.x, data.y)) as GbdtModel
      expect(noStopping.info.validation_rows).toBe(0)
      expect(noStopping.info.trees_kept).toBe(30)
      expect(noStopping.info).toMatchObject({ best_round: null, refit: false, validation_metric: null, validation_score: null })
    }))

  it.effect("raises minority scores with balanced class weights and with explicit weights", () =>
    Effect.gen(function* () {
      const data = problem(4000, 5, 6, 0.05)
      const config = { trees: 30, early_stopping_rounds: 0 }
      const plain = yield* stageFor(config)
      const balanced = yield* stageFor({ ...config, class_weight: "balanced" })
      const base = mean(yield* plain.predictProba(yield* plain.fit(data.x, data.y), data.x))
      const weighted = mean(yield* balanced.predictProba(yield* balanced.fit(data.x, data.y), data.x))
      expect(weighted).toBeGreaterThan(base * 2)
      const weights = Float64Array.from(data.y, (label) => (label === 1 ? 10 : 1))
      const explicit = mean(yield* plain.predictProba(yield* plain.fit(data.x, data.y, weights), data.x))
      expect(explicit).toBeGreaterThan(base * 2)
    }))

  it.effect("is deterministic with row and column subsampling, and the seed matters", () =>
    Effect.gen(function* () {
      const data = problem(3000, 6)
      const config = { trees: 25, subsample: 0.6, colsample: 0.5, seed: 9 }
      const a = yield* stageFor(config)
      const b = yield* stageFor(config)
      const c = yield* stageFor({ ...config, seed: 10 })
      const sa = yield* a.predictProba(yield* a.fit(data.x, data.y), data.x)
      const sb = yield* b.predictProba(yield* b.fit(data.x, data.y), data.x)
      const sc = yield* c.predictProba(yield* c.fit(data.x, data.y), data.x)
      expect(Array.from(sa)).toEqual(Array.from(sb))
      expect(Array.from(sa)).not.toEqual(Array.from(sc))
      expect(rocAuc(sa, data.y)).toBeGreaterThan(0.85)
    }))

  it.effect("refuses an unknown file version, another format and corrupt trees", () =>
    Effect.gen(function* () {
      const data = problem(500, 7)
      const stage = yield* stageFor({ trees: 3 })
      const json = JSON.parse(new TextDecoder().decode(yield* stage.save(yield* stage.fit(data.x, data.y)))) as Record<string, unknown>
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
      const future = yield* Effect.flip(stage.load(encode({ ...json, version: 2 })))
      expect(future._tag).toBe("PluginError")
      expect(future.message).toContain("version 2 is not supported (this build reads version 1)")
      const other = yield* Effect.flip(stage.load(encode({ ...json, format: "hashhound.model.random-forest" })))
      expect(other.message).toContain("not a hashhound.model.gbdt file")
      const trees = json["trees"] as Array<Record<string, Array<number>>>
      const broken = { ...json, trees: [{ ...trees[0]!, left: trees[0]!["left"]!.map((v) => (v > 0 ? 9999 : v)) }] }
      const corrupt = yield* Effect.flip(stage.load(encode(broken)))
      expect(corrupt.message).toContain("children out of range")
      // a file written before the refit existed has none of its four record fields: still read
      const { best_round: _b, refit: _r, validation_metric: _m, validation_score: _s, ...older } = json["info"] as Record<string, unknown>
      const loaded = (yield* stage.load(encode({ ...json, info: older }))) as GbdtModel
      expect(loaded.info).toMatchObject({ best_round: null, refit: false, validation_metric: null, validation_score: null })
      expect(Array.from(yield* stage.predictProba(loaded, data.x))).toEqual(Array.from(yield* stage.predictProba(yield* stage.load(encode(json)), data.x)))
    }))

  it.effect("ranks informative features first by gain and by permutation importance", () =>
    Effect.gen(function* () {
      const data = problem(3000, 8)
      const stage = yield* stageFor({ trees: 30 })
      const fitted = yield* stage.fit(data.x, data.y)
      const gain = stage.importance!(fitted)
      expect(gain["signal"]!).toBeGreaterThan(gain["noise_0"]!)
      expect(Object.values(gain).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10)
      const permutation = yield* permutationImportance(stage, fitted, data.x, data.y, { repeats: 2, seed: 3 })
      expect(permutation["signal"]!.mean).toBeGreaterThan(0.05)
      expect(permutation["signal"]!.mean).toBeGreaterThan(permutation["noise_0"]!.mean)
      expect(Math.abs(permutation["noise_1"]!.mean)).toBeLessThan(0.02)
    }))
})
