/**
 * Out-of-fold training scores: every training row scored by a model fitted without it (and
 * without the rest of its group), the scores the thresholds are fixed on.
 *
 * Holds: `OUT_OF_FOLD` (folds wanted and seed), `outOfFoldPlan` (groups and folds of the training
 * rows, see `folds.ts`), `outOfFoldScores` (for each fold, fit the model stage on the other folds
 * with the model's own config and score the fold; only the ModelStage contract is used, so it
 * works for every model plugin) and `rowsOf` (a matrix of some of the rows).
 * Does not hold: choosing the thresholds (`thresholds.ts`), where the groups come from
 * (`run/models.ts`).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { Effect } from "effect"
import { foldGroups, stratifiedGroupFolds, type FoldGrouping, type Folds } from "./folds.js"

export interface OutOfFoldSettings {
  /** folds wanted (fewer when a class has fewer groups) */
  readonly folds: number
  readonly seed: number
}

export const OUT_OF_FOLD: OutOfFoldSettings = { folds: 5, seed: 1 }

export interface OutOfFoldPlan extends Folds {
  readonly grouping: FoldGrouping
  readonly groups: number
}

/** What the card says about how its thresholds' scores were had. */
export interface OutOfFoldJson {
  readonly folds: number
  readonly grouping: FoldGrouping
  readonly groups: number
  readonly seed: number
}

export const outOfFoldPlan = (
  y: Uint8Array,
  captures: ReadonlyArray<string>,
  srcIps: ReadonlyArray<string | null>,
  dstIps: ReadonlyArray<string | null>,
  settings: OutOfFoldSettings = OUT_OF_FOLD
): OutOfFoldPlan => {
  const groups = foldGroups(y, captures, srcIps, dstIps, settings.folds)
  return { ...stratifiedGroupFolds(y, groups, settings.folds, settings.seed), grouping: groups.grouping, groups: groups.groups }
}

/** The rows `rows` of `x`, in that order. */
export const rowsOf = (x: FeatureMatrix, rows: Uint32Array): FeatureMatrix => ({
  names: x.names,
  rows: rows.length,
  columns: x.columns.map((column) => Float64Array.from(rows, (row) => column[row]!))
})

/** Each row's score from the model fitted on the other folds; `plan.folds` must be at least 2. */
export const outOfFoldScores = (stage: ModelStage, x: FeatureMatrix, y: Uint8Array, plan: Folds): Effect.Effect<Float64Array, PluginError> =>
  Effect.gen(function* () {
    const scores = new Float64Array(x.rows).fill(Number.NaN)
    for (let f = 0; f < plan.folds; f++) {
      const held: Array<number> = []
      const kept: Array<number> = []
      for (let row = 0; row < x.rows; row++) (plan.fold[row] === f ? held : kept).push(row)
      const train = Uint32Array.from(kept)
      const test = Uint32Array.from(held)
      const fitted = yield* stage.fit(rowsOf(x, train), Uint8Array.from(train, (row) => y[row]!))
      const part = yield* stage.predictProba(fitted, rowsOf(x, test))
      test.forEach((row, i) => {
        scores[row] = part[i]!
      })
    }
    return scores
  })
