/**
 * Permutation importance for any model stage: how much ROC-AUC drops when one feature's values
 * are shuffled across rows, averaged over seeded repeats.
 *
 * Holds: `permutationImportance(stage, fitted, x, y, { repeats, seed })`. It only uses the
 * ModelStage contract, so it works for every model plugin; it does no I/O.
 * Does not hold: gain or impurity importance (each model's own `importance`).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { Effect } from "effect"
import { rocAuc } from "./metrics/roc.js"
import { makeRng } from "./random.js"

export interface PermutationOptions {
  /** shuffles per feature (default 5) */
  readonly repeats?: number
  /** seed of the shuffles (default 1) */
  readonly seed?: number
}

export interface PermutationScore {
  /** mean ROC-AUC drop over the repeats (positive: the model relies on the feature) */
  readonly mean: number
  readonly std: number
}

export const permutationImportance = (
  stage: ModelStage,
  fitted: unknown,
  x: FeatureMatrix,
  y: Uint8Array,
  options: PermutationOptions = {}
): Effect.Effect<Readonly<Record<string, PermutationScore>>, PluginError> =>
  Effect.gen(function* () {
    const repeats = Math.max(1, options.repeats ?? 5)
    const seed = options.seed ?? 1
    const baseline = rocAuc(yield* stage.predictProba(fitted, x), y)
    const result: Record<string, PermutationScore> = {}
    for (let f = 0; f < x.names.length; f++) {
      const drops: Array<number> = []
      const original = x.columns[f]!
      for (let repeat = 0; repeat < repeats; repeat++) {
        const rng = makeRng(seed, f * 1000 + repeat)
        const shuffled = Float64Array.from(original)
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rng.below(i + 1)
          const tmp = shuffled[i]!
          shuffled[i] = shuffled[j]!
          shuffled[j] = tmp
        }
        const columns = x.columns.map((column, k) => (k === f ? shuffled : column))
        const scores = yield* stage.predictProba(fitted, { names: x.names, rows: x.rows, columns })
        drops.push(baseline - rocAuc(scores, y))
      }
      const mean = drops.reduce((a, b) => a + b, 0) / drops.length
      const variance = drops.reduce((a, b) => a + (b - mean) ** 2, 0) / drops.length
      result[x.names[f]!] = { mean, std: Math.sqrt(variance) }
    }
    return result
  })
