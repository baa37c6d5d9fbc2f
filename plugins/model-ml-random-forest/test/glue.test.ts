/**
 * The plugin's glue around ml-random-forest, exercised without the package: a stand-in class
 * with the same API (a linear score whose "trees" vote at spread-out thresholds) is run through
 * the whole shared model contract, so option mapping, mean imputation, vote shares, feature
 * alignment and the save/load wrapper are tested even where the package is absent.
 */
import { fileURLToPath } from "node:url"
import { definePlugin, type PluginError } from "@hashhound/core"
import { modelContract } from "@hashhound/testkit"
import { Effect } from "effect"
import { MlForestConfig } from "../src/config.js"
import type { ForestClass, ForestInstance, MatrixLike } from "../src/package.js"
import { makeMlForestStage } from "../src/stage.js"

interface FakeState {
  readonly trees: number
  weights: Array<number>
  centre: Array<number>
  thresholds: Array<number>
}

class FakeForest implements ForestInstance {
  readonly state: FakeState
  constructor(options: Record<string, unknown>) {
    this.state = { trees: Number(options["nEstimators"]), weights: [], centre: [], thresholds: [] }
  }
  static load(model: unknown): ForestInstance {
    const saved = model as FakeState & { name: string }
    if (saved.name !== "RFClassifier") throw new RangeError(`Invalid model: ${saved.name}`)
    const forest = new FakeForest({ nEstimators: saved.trees })
    Object.assign(forest.state, saved)
    return forest
  }
  private score(row: Array<number>): number {
    return row.reduce((sum, v, f) => sum + this.state.weights[f]! * (v - this.state.centre[f]!), 0)
  }
  train = (x: Array<Array<number>>, y: Array<number>): void => {
    const features = x[0]!.length
    const mean = (label: number, f: number) => {
      const rows = x.filter((_, i) => y[i] === label)
      return rows.reduce((sum, row) => sum + row[f]!, 0) / rows.length
    }
    this.state.weights = Array.from({ length: features }, (_, f) => mean(1, f) - mean(0, f))
    this.state.centre = Array.from({ length: features }, (_, f) => (mean(1, f) + mean(0, f)) / 2)
    const scores = x.map((row) => this.score(row)).sort((a, b) => a - b)
    this.state.thresholds = Array.from({ length: this.state.trees }, (_, t) => scores[Math.floor(((t + 0.5) / this.state.trees) * scores.length)]!)
  }
  predictionValues = (x: Array<Array<number>>): MatrixLike => {
    const scores = x.map((row) => this.score(row))
    return { rows: x.length, columns: this.state.trees, get: (row, tree) => (scores[row]! > this.state.thresholds[tree]! ? 1 : 0) }
  }
  toJSON = (): unknown => ({ name: "RFClassifier", ...this.state })
  featureImportance = (): Array<number> => {
    const total = this.state.weights.reduce((sum, w) => sum + Math.abs(w), 0)
    return this.state.weights.map((w) => Math.abs(w) / total)
  }
}

const standIn: Effect.Effect<ForestClass, PluginError> = Effect.succeed(FakeForest)

const gluePlugin = definePlugin({
  id: "model.ml-random-forest",
  kind: "model",
  version: "0.1.0",
  summary: "model.ml-random-forest over a stand-in for the package",
  config: MlForestConfig,
  make: (config) => Effect.sync(() => makeMlForestStage(config, standIn))
})

modelContract(gluePlugin, {
  exampleYaml: fileURLToPath(new URL("../example.yaml", import.meta.url)),
  config: { trees: 200 }
})
