/**
 * model.random-forest behaviour beyond the shared contract: the same forest on any number of
 * threads, the out-of-bag score, depth limits, features per split, learned missing directions,
 * class weights, file versions.
 */
import { describe, expect, it } from "@effect/vitest"
import type { FeatureMatrix, ModelStage } from "@hashhound/core"
import { makeRng, rocAuc } from "@hashhound/ml"
import { Effect, Schema } from "effect"
import { featuresPerSplit } from "../src/config.js"
import { ForestConfig, randomForestPlugin, type ForestModel, type ForestInfo } from "../src/index.js"
import { makeForestStage } from "../src/stage.js"
import type { ForestTree } from "../src/model.js"

const stageFor = (config: Record<string, unknown>) => randomForestPlugin.make(config) as Effect.Effect<ModelStage, unknown>

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

const depth = (tree: ForestTree, node = 0): number =>
  tree.feature[node]! < 0 ? 0 : 1 + Math.max(depth(tree, tree.left[node]!), depth(tree, tree.right[node]!))

const info = (fitted: unknown): ForestInfo => (fitted as ForestModel).info

describe("model.random-forest", () => {
  it("turns max_features into a count", () => {
    expect(featuresPerSplit("sqrt", 20)).toBe(4)
    expect(featuresPerSplit("log2", 20)).toBe(4)
    expect(featuresPerSplit("all", 20)).toBe(20)
    expect(featuresPerSplit(0.5, 20)).toBe(10)
    expect(featuresPerSplit(0.01, 20)).toBe(1)
    expect(featuresPerSplit("sqrt", 1)).toBe(1)
  })

  it.live("grows the same forest on two threads as on one", () =>
    Effect.gen(function* () {
      const data = problem(20_000, 1, 10)
      const config = { trees: 30, max_depth: 8 }
      // below the default start-up threshold (50M units of work), so lower it to make the workers start
      const one = makeForestStage(Schema.decodeUnknownSync(ForestConfig)({ ...config, threads: 1 }), { parallelMinWork: 1_000_000 })
      const two = makeForestStage(Schema.decodeUnknownSync(ForestConfig)({ ...config, threads: 2 }), { parallelMinWork: 1_000_000 })
      const a = yield* one.fit(data.x, data.y)
      const b = yield* two.fit(data.x, data.y)
      expect(info(a).threads_used).toBe(1)
      expect(info(b).threads_used).toBe(2)
      const strip = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/"threads(_used)?":\d+/g, "")
      expect(strip(yield* one.save(a))).toBe(strip(yield* two.save(b)))
    }), 120_000)

  it.effect("records an out-of-bag score close to the held-out one, and none without bootstrap", () =>
    Effect.gen(function* () {
      const train = problem(4000, 2)
      const test = problem(2000, 3)
      const stage = yield* stageFor({ trees: 60, max_depth: 8 })
      const fitted = yield* stage.fit(train.x, train.y)
      const held = rocAuc(yield* stage.predictProba(fitted, test.x), test.y)
      expect(info(fitted).oob_rows).toBe(4000)
      expect(Math.abs(info(fitted).oob_roc_auc! - held)).toBeLessThan(0.03)
      expect(info(fitted).oob_accuracy!).toBeGreaterThan(0.85)
      const noBootstrap = yield* (yield* stageFor({ trees: 5, bootstrap: false })).fit(train.x, train.y)
      expect(info(noBootstrap).oob_roc_auc).toBeNull()
      expect(info(noBootstrap).oob_rows).toBe(0)
    }))

  it.effect("respects max_depth and learns with entropy too", () =>
    Effect.gen(function* () {
      const data = problem(3000, 4)
      const test = problem(2000, 5)
      const stage = yield* stageFor({ trees: 20, max_depth: 3, criterion: "entropy" })
      const fitted = (yield* stage.fit(data.x, data.y)) as ForestModel
      expect(Math.max(...fitted.trees.map((tree) => depth(tree)))).toBe(3)
      expect(rocAuc(yield* stage.predictProba(fitted, test.x), test.y)).toBeGreaterThan(0.9)
    }))

  it.effect("learns where missing values go", () =>
    Effect.gen(function* () {
      const rng = makeRng(4)
      const rows = 4000
      const y = new Uint8Array(rows)
      const column = new Float64Array(rows)
      for (let r = 0; r < rows; r++) {
        y[r] = rng.float() < 0.5 ? 1 : 0
        column[r] = rng.float() < (y[r] === 1 ? 0.8 : 0.1) ? Number.NaN : rng.float()
      }
      const stage = yield* stageFor({ trees: 20, max_depth: 2 })
      const fitted = yield* stage.fit({ names: ["gappy"], rows, columns: [column] }, y)
      const scores = yield* stage.predictProba(fitted, { names: ["gappy"], rows: 2, columns: [Float64Array.from([Number.NaN, 0.5])] })
      expect(scores[0]!).toBeGreaterThan(0.75)
      expect(scores[1]!).toBeLessThan(0.25)
    }))

  it.effect("raises minority scores with balanced class weights", () =>
    Effect.gen(function* () {
      const data = problem(4000, 6, 6, 0.05)
      const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length
      const plain = yield* stageFor({ trees: 20, max_depth: 4 })
      const balanced = yield* stageFor({ trees: 20, max_depth: 4, class_weight: "balanced" })
      const base = mean(yield* plain.predictProba(yield* plain.fit(data.x, data.y), data.x))
      const weighted = mean(yield* balanced.predictProba(yield* balanced.fit(data.x, data.y), data.x))
      expect(weighted).toBeGreaterThan(base * 2)
    }))

  it.effect("refuses an unknown file version and another format", () =>
    Effect.gen(function* () {
      const data = problem(500, 7)
      const stage = yield* stageFor({ trees: 3 })
      const json = JSON.parse(new TextDecoder().decode(yield* stage.save(yield* stage.fit(data.x, data.y)))) as Record<string, unknown>
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
      const future = yield* Effect.flip(stage.load(encode({ ...json, version: 2 })))
      expect(future.message).toContain("version 2 is not supported (this build reads version 1)")
      const other = yield* Effect.flip(stage.load(encode({ ...json, format: "hashhound.model.gbdt" })))
      expect(other.message).toContain("not a hashhound.model.random-forest file")
    }))
})
