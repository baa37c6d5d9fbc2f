/**
 * model.xgboost-wasm: the shared model contract when ml-xgboost is installed (skipped, saying so,
 * when it is not; the common plugin checks run either way), and the refusals that happen before
 * the package is loaded: too many rows, a training matrix too big for ml-xgboost's stack (also at
 * the default limit), sample weights, unknown file versions, and the "install ml-xgboost" error
 * when it is absent; with the package, that loading it leaves WebAssembly as it was.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import type { ModelStage } from "@hashhound/core"
import { modelContract, pluginContract, separableProblem } from "@hashhound/testkit"
import { Effect } from "effect"
import { packageInstalled, xgboostWasmPlugin } from "../src/index.js"
import { loadPackage } from "../src/package.js"

const exampleYaml = fileURLToPath(new URL("../example.yaml", import.meta.url))
const installed = packageInstalled()
const stageFor = (config: Record<string, unknown>) => xgboostWasmPlugin.make(config) as Effect.Effect<ModelStage, unknown>

if (installed) {
  modelContract(xgboostWasmPlugin, { exampleYaml, config: { trees: 40, max_depth: 4 }, testTimeoutMs: 120_000 })
} else {
  pluginContract(xgboostWasmPlugin, { exampleYaml })
  modelContract(xgboostWasmPlugin, { exampleYaml, skip: "ml-xgboost is not installed (npm install ml-xgboost)" })
}

describe("model.xgboost-wasm refusals", () => {
  it.effect("refuses more than max_rows training rows before loading the package", () =>
    Effect.gen(function* () {
      const data = separableProblem(300, 1)
      const stage = yield* stageFor({ max_rows: 200 })
      const error = yield* Effect.flip(stage.fit(data.x, data.y))
      expect(error._tag).toBe("PluginError")
      expect(error.message).toContain("refusing 300 training rows (max_rows 200)")
    }))

  it.effect("refuses a training matrix larger than max_training_mib", () =>
    Effect.gen(function* () {
      // 300 rows x (4 features + 1) x 4 bytes = 6000 bytes
      const data = separableProblem(300, 2)
      const stage = yield* stageFor({ max_training_mib: 0.005 })
      const error = yield* Effect.flip(stage.fit(data.x, data.y))
      expect(error.message).toContain("MiB training matrix (max_training_mib 0.005)")
    }))

  it.effect("by default refuses a 20-feature matrix above 4.5 MiB (the package breaks just above 5 MiB)", () =>
    Effect.gen(function* () {
      // 56,174 rows x 21 x 4 bytes = 4.5 MiB + 24 bytes; one row fewer fits
      const rows = 56_174
      const names = Array.from({ length: 20 }, (_, f) => `f${f}`)
      const columns = names.map((_, f) => Float64Array.from({ length: rows }, (_, r) => (r * (f + 3)) % 101))
      const y = Uint8Array.from({ length: rows }, (_, r) => r % 2)
      const stage = yield* stageFor({ max_rows: 1_000_000 })
      const error = yield* Effect.flip(stage.fit({ names, rows, columns }, y))
      expect(error.message).toContain("refusing a 4.50 MiB training matrix (max_training_mib 4.5)")
    }))

  it.effect.skipIf(!installed)("loads the real package without leaving WebAssembly.instantiateStreaming hidden", () =>
    Effect.gen(function* () {
      const booster = yield* loadPackage
      expect(typeof booster.load).toBe("function")
      const wasm = (globalThis as { readonly WebAssembly?: { readonly instantiateStreaming?: unknown } }).WebAssembly
      expect(typeof wasm?.instantiateStreaming).toBe("function")
    }))

  it.effect("refuses sample weights, which the package cannot take", () =>
    Effect.gen(function* () {
      const data = separableProblem(100, 3)
      const stage = yield* stageFor({})
      const weights = Float64Array.from(data.y, (label) => (label === 1 ? 2 : 1))
      const error = yield* Effect.flip(stage.fit(data.x, data.y, weights))
      expect(error.message).toContain("takes no sample weights")
    }))

  it.effect("refuses an unknown file version before loading the package", () =>
    Effect.gen(function* () {
      const stage = yield* stageFor({})
      const bytes = new TextEncoder().encode(JSON.stringify({ format: "hashhound.model.xgboost-wasm", version: 4 }))
      const error = yield* Effect.flip(stage.load(bytes))
      expect(error.message).toContain("version 4 is not supported (this build reads version 1)")
    }))

  it.effect.skipIf(installed)("says to install ml-xgboost when it is absent", () =>
    Effect.gen(function* () {
      const data = separableProblem(100, 4)
      const stage = yield* stageFor({})
      const error = yield* Effect.flip(stage.fit(data.x, data.y))
      expect(error._tag).toBe("PluginError")
      expect(error.message).toContain("install ml-xgboost to use model.xgboost-wasm")
    }))
})
