/**
 * Per-flow attribution for alerts: which features drove a flow's score.
 *
 * Method (stated in `hashhound score --help` and the CLI README): for each of the model's most
 * important features (by the card's permutation importance, else gain), the flow's score is
 * computed again with that one feature replaced by its training median; the drop in score is
 * that feature's contribution for the flow. A flow's top features are those with the largest
 * positive drops (its value of the feature pushed the score up the most). Features are replaced
 * one at a time, so interactions are not split between them. It only uses the ModelStage
 * contract, so it works for every model plugin.
 * Holds: `topFeatureOrder` (features in importance order) and `attributeScores`.
 * Does not hold: choosing which flows are alerts (the score command).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { Effect } from "effect"

export interface Contribution {
  readonly feature: string
  /** the flow's value (null when missing) */
  readonly value: number | null
  /** the training median it was replaced with */
  readonly median: number
  /** score − score with the median: how much this value raised the score */
  readonly delta: number
}

/** Feature names by importance, largest first: permutation importance, else gain, else card order. */
export const topFeatureOrder = (
  features: ReadonlyArray<string>,
  permutation: Readonly<Record<string, { readonly mean: number }>> | undefined,
  gain: Readonly<Record<string, number>> | undefined
): ReadonlyArray<string> => {
  const weight = (name: string): number => permutation?.[name]?.mean ?? gain?.[name] ?? 0
  return [...features].sort((a, b) => weight(b) - weight(a) || features.indexOf(a) - features.indexOf(b))
}

/**
 * For each row of `x`, its `top` features by score drop when replaced with the median, among the
 * first `candidates` features of `order`. `scores` are the model's scores of `x`.
 */
export const attributeScores = (
  stage: ModelStage,
  fitted: unknown,
  x: FeatureMatrix,
  scores: Float64Array,
  medians: Readonly<Record<string, number | null>>,
  order: ReadonlyArray<string>,
  options: { readonly candidates: number; readonly top: number }
): Effect.Effect<ReadonlyArray<ReadonlyArray<Contribution>>, PluginError> =>
  Effect.gen(function* () {
    const picked = order.filter((name) => x.names.includes(name) && typeof medians[name] === "number").slice(0, options.candidates)
    const deltas: Array<{ readonly feature: string; readonly column: Float64Array; readonly median: number; readonly delta: Float64Array }> = []
    for (const feature of picked) {
      const f = x.names.indexOf(feature)
      const median = medians[feature] as number
      const replaced = new Float64Array(x.rows).fill(median)
      const columns = x.columns.map((column, k) => (k === f ? replaced : column))
      const changed = yield* stage.predictProba(fitted, { names: x.names, rows: x.rows, columns })
      const delta = new Float64Array(x.rows)
      for (let row = 0; row < x.rows; row++) delta[row] = scores[row]! - changed[row]!
      deltas.push({ feature, column: x.columns[f]!, median, delta })
    }
    const out: Array<ReadonlyArray<Contribution>> = []
    for (let row = 0; row < x.rows; row++) {
      const ranked = deltas
        .filter((d) => d.delta[row]! > 0)
        .sort((a, b) => b.delta[row]! - a.delta[row]!)
        .slice(0, options.top)
        .map((d) => {
          const value = d.column[row]!
          return { feature: d.feature, value: Number.isNaN(value) ? null : value, median: d.median, delta: d.delta[row]! }
        })
      out.push(ranked)
    }
    return out
  })
