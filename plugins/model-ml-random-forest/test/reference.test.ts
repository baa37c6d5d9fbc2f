/**
 * model.ml-random-forest: the shared model contract when ml-random-forest is installed (skipped,
 * saying so, when it is not; the common plugin checks run either way), and the refusals that
 * happen before the package is loaded: too many rows, sample weights, unknown file versions, and
 * the "install ml-random-forest" error when it is absent.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import type { ModelStage } from "@hashhound/core"
import { modelContract, pluginContract, separableProblem } from "@hashhound/testkit"
import { Effect } from "effect"
import { mlRandomForestPlugin, packageInstalled } from "../src/index.js"

const exampleYaml = fileURLToPath(new URL("../example.yaml", import.meta.url))
const installed = packageInstalled()
const stageFor = (config: Record<string, unknown>) => mlRandomForestPlugin.make(config) as Effect.Effect<ModelStage, unknown>

if (installed) {
  modelContract(mlRandomForestPlugin, { exampleYaml, config: { trees: 10, max_depth: 6, max_features: 1 }, testTimeoutMs: 120_000 })
} else {
  pluginContract(mlRandomForestPlugin, { exampleYaml })
  modelContract(mlRandomForestPlugin, { exampleYaml, skip: "ml-random-forest is not installed (npm install ml-random-forest)" })
}

describe("model.ml-random-forest refusals", () => {
  it.effect("refuses more than max_rows training rows before loading the package", () =>
    Effect.gen(function* () {
      const data = separableProblem(300, 1)
      const stage = yield* stageFor({ max_rows: 200 })
      const error = yield* Effect.flip(stage.fit(data.x, data.y))
      expect(error._tag).toBe("PluginError")
      expect(error.message).toContain("refusing 300 training rows (max_rows 200)")
    }))

  it.effect("refuses sample weights, which the package cannot take", () =>
    Effect.gen(function* () {
      const data = separableProblem(100, 2)
      const stage = yield* stageFor({})
      const weights = Float64Array.from(data.y, (label) => (label === 1 ? 2 : 1))
      const error = yield* Effect.flip(stage.fit(data.x, data.y, weights))
      expect(error.message).toContain("takes no sample weights")
    }))

  it.effect("refuses an unknown file version before loading the package", () =>
    Effect.gen(function* () {
      const stage = yield* stageFor({})
      const bytes = new TextEncoder().encode(JSON.stringify({ format: "hashhound.model.ml-random-forest", version: 7 }))
      const error = yield* Effect.flip(stage.load(bytes))
      expect(error.message).toContain("version 7 is not supported (this build reads version 1)")
    }))

  it.effect.skipIf(installed)("says to install ml-random-forest when it is absent", () =>
    Effect.gen(function* () {
      const data = separableProblem(100, 3)
      const stage = yield* stageFor({})
      const error = yield* Effect.flip(stage.fit(data.x, data.y))
      expect(error._tag).toBe("PluginError")
      expect(error.message).toContain("install ml-random-forest to use model.ml-random-forest")
    }))
})
