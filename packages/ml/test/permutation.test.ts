/**
 * Permutation importance through the ModelStage contract, with a stand-in model whose score is
 * one feature: the drop is exact where it can be worked out by hand.
 */
import { describe, expect, it } from "@effect/vitest"
import type { FeatureMatrix, ModelStage } from "@hashhound/core"
import { Effect } from "effect"
import { permutationImportance } from "../src/permutation.js"

/** Scores every row with the value of the feature called "signal"; ignores every other feature. */
const signalModel: ModelStage = {
  params: {},
  fit: () => Effect.succeed(null),
  predictProba: (_fitted, x) => Effect.succeed(Float64Array.from(x.columns[x.names.indexOf("signal")]!)),
  save: () => Effect.succeed(new Uint8Array(0)),
  load: () => Effect.succeed(null)
}

describe("permutationImportance", () => {
  it.effect("gives exactly 0 to a feature the model ignores and a positive drop to the one it uses", () =>
    Effect.gen(function* () {
      const rows = 200
      const y = Uint8Array.from({ length: rows }, (_, r) => (r % 2 === 0 ? 1 : 0))
      const x: FeatureMatrix = {
        names: ["noise", "signal"],
        rows,
        columns: [Float64Array.from({ length: rows }, (_, r) => (r * 37) % 11), Float64Array.from(y, (label, r) => label + r / 1000)]
      }
      const scores = yield* permutationImportance(signalModel, null, x, y, { repeats: 3, seed: 5 })
      // baseline AUC is 1; the model never reads "noise", so shuffling it changes nothing
      expect(scores["noise"]).toEqual({ mean: 0, std: 0 })
      // shuffled, "signal" is unrelated to the label: AUC near 0.5, a drop near 0.5
      expect(scores["signal"]!.mean).toBeGreaterThan(0.3)
      expect(scores["signal"]!.mean).toBeLessThan(0.7)
      const again = yield* permutationImportance(signalModel, null, x, y, { repeats: 3, seed: 5 })
      expect(again).toEqual(scores)
    }))

  it.effect("a single repeat has no spread", () =>
    Effect.gen(function* () {
      const y = Uint8Array.from([0, 1, 0, 1])
      const x: FeatureMatrix = { names: ["signal"], rows: 4, columns: [Float64Array.from([0.1, 0.9, 0.2, 0.8])] }
      const scores = yield* permutationImportance(signalModel, null, x, y, { repeats: 1, seed: 1 })
      expect(scores["signal"]!.std).toBe(0)
    }))
})
