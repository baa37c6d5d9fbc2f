/**
 * What a model learned from, for its card: permutation importance on a bounded, seeded sample
 * of the training rows, and each feature's training median (the reference value per-flow
 * attributions replace a feature with).
 *
 * Holds: `sampleRows` (at most `maxRows` rows of a matrix, chosen without replacement by a seeded
 * generator, in their original order), `boundedPermutationImportance` (`@hashhound/ml`'s
 * permutation importance, the drop in ROC-AUC when one feature is shuffled, on such a sample;
 * features whose drop cannot be measured are left out) and `featureMedians` (NaN ignored; null
 * for a feature that is missing everywhere).
 * Does not hold: gain importance (each model's own `importance`), per-flow attribution
 * (`attribution.ts`).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { makeRng, permutationImportance, sampleAscending } from "@hashhound/ml"
import { Effect } from "effect"

export interface PermutationSettings {
  readonly rows: number
  readonly repeats: number
  readonly seed: number
}

export const DEFAULT_PERMUTATION: PermutationSettings = { rows: 2000, repeats: 3, seed: 1 }

export interface PermutationJson {
  readonly metric: "roc_auc_drop"
  /** training rows the importance was measured on */
  readonly rows: number
  readonly repeats: number
  readonly seed: number
  readonly values: Readonly<Record<string, { readonly mean: number; readonly std: number }>>
}

/** At most `maxRows` rows of `x` (and `y`), seeded, in order. */
export const sampleRows = (x: FeatureMatrix, y: Uint8Array, maxRows: number, seed: number): { readonly x: FeatureMatrix; readonly y: Uint8Array } => {
  if (x.rows <= maxRows) return { x, y }
  const picked = new Uint32Array(maxRows)
  const n = sampleAscending(makeRng(seed, 7), x.rows, maxRows, picked)
  const rows = picked.subarray(0, n)
  return {
    x: { names: x.names, rows: n, columns: x.columns.map((column) => Float64Array.from(rows, (row) => column[row]!)) },
    y: Uint8Array.from(rows, (row) => y[row]!)
  }
}

export const boundedPermutationImportance = (
  stage: ModelStage,
  fitted: unknown,
  x: FeatureMatrix,
  y: Uint8Array,
  settings: PermutationSettings = DEFAULT_PERMUTATION
): Effect.Effect<PermutationJson, PluginError> =>
  Effect.gen(function* () {
    const sample = sampleRows(x, y, settings.rows, settings.seed)
    const scores = yield* permutationImportance(stage, fitted, sample.x, sample.y, { repeats: settings.repeats, seed: settings.seed })
    const values: Record<string, { mean: number; std: number }> = {}
    for (const [name, score] of Object.entries(scores)) if (Number.isFinite(score.mean) && Number.isFinite(score.std)) values[name] = { mean: score.mean, std: score.std }
    return { metric: "roc_auc_drop", rows: sample.x.rows, repeats: settings.repeats, seed: settings.seed, values }
  })

/** Training median per feature, NaN ignored; null when a feature has no value at all. */
export const featureMedians = (x: FeatureMatrix): Readonly<Record<string, number | null>> => {
  const out: Record<string, number | null> = {}
  x.names.forEach((name, f) => {
    const column = x.columns[f]!
    const values = new Float64Array(column.length)
    let n = 0
    for (let i = 0; i < column.length; i++) if (!Number.isNaN(column[i]!)) values[n++] = column[i]!
    if (n === 0) {
      out[name] = null
      return
    }
    const sorted = values.subarray(0, n).sort()
    out[name] = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2
  })
  return out
}
