/**
 * The plugin's glue around ml-xgboost, exercised without the package: a stand-in booster with
 * the same API (a linear score through a sigmoid, exported as bytes like the real one) is run
 * through the whole shared model contract, and every booster the plugin creates or loads must be
 * freed again (WebAssembly memory is not garbage-collected).
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { definePlugin, type PluginError } from "@hashhound/core"
import { modelContract, separableProblem } from "@hashhound/testkit"
import { Effect } from "effect"
import { XgbConfig } from "../src/config.js"
import { MISSING_MARKER } from "../src/dense.js"
import type { BoosterClass, BoosterInstance } from "../src/package.js"
import { makeXgbStage } from "../src/stage.js"

let live = 0
const seenMissing: Array<number> = []

class FakeBooster implements BoosterInstance {
  weights: Array<number> = []
  centre: Array<number> = []
  constructor(readonly options: Record<string, unknown>) {
    live++
  }
  static load(model: unknown): BoosterInstance {
    const saved = model as { name: string; model: Array<number>; options: Record<string, unknown> }
    if (saved.name !== "ml-xgboost") throw new RangeError(`Invalid model: ${saved.name}`)
    const booster = new FakeBooster(saved.options)
    const half = saved.model.length / 2
    booster.weights = saved.model.slice(0, half)
    booster.centre = saved.model.slice(half)
    return booster
  }
  train = (x: Array<Array<number>>, y: Array<number>): void => {
    if (x.some((row) => row.some((v) => Number.isNaN(v)))) throw new Error("There are NAN in the matrix, however, you did not set missing=NAN")
    seenMissing.push(x.flat().filter((v) => v === MISSING_MARKER).length)
    const features = x[0]!.length
    const mean = (label: number, f: number) => {
      const values = x.filter((_, i) => y[i] === label).map((row) => row[f]!)
      return values.reduce((a, b) => a + b, 0) / values.length
    }
    this.weights = Array.from({ length: features }, (_, f) => 4 * (mean(1, f) - mean(0, f)))
    this.centre = Array.from({ length: features }, (_, f) => (mean(1, f) + mean(0, f)) / 2)
  }
  predict = (x: Array<Array<number>>): Array<number> =>
    x.map((row) => 1 / (1 + Math.exp(-row.reduce((sum, v, f) => sum + this.weights[f]! * (v - this.centre[f]!), 0))))
  toJSON = (): unknown => ({ name: "ml-xgboost", model: [...this.weights, ...this.centre], options: this.options })
  free = (): void => {
    live--
  }
}

const standIn: Effect.Effect<BoosterClass, PluginError> = Effect.succeed(FakeBooster)

const gluePlugin = definePlugin({
  id: "model.xgboost-wasm",
  kind: "model",
  version: "0.1.0",
  summary: "model.xgboost-wasm over a stand-in for the package",
  config: XgbConfig,
  make: (decoded) => Effect.sync(() => makeXgbStage(decoded, standIn))
})

modelContract(gluePlugin, { exampleYaml: fileURLToPath(new URL("../example.yaml", import.meta.url)), config: { trees: 10 } })

describe("model.xgboost-wasm glue", () => {
  it.effect("frees every booster it creates or loads, and passes NaN as the missing marker", () =>
    Effect.gen(function* () {
      const stage = yield* gluePlugin.make({})
      const data = separableProblem(300, 1)
      const gappy = { ...data.x, columns: data.x.columns.map((c, i) => (i === 0 ? c.map((v, r) => (r % 4 === 0 ? Number.NaN : v)) : c)) }
      const before = seenMissing.length
      const fitted = yield* stage.fit(gappy, data.y)
      expect(seenMissing[before]).toBe(75)
      yield* stage.predictProba(fitted, data.x)
      const loaded = yield* stage.load(yield* stage.save(fitted))
      yield* stage.predictProba(loaded, data.x)
      expect(live).toBe(0)
    }))
})
