/**
 * What the card records about a freshly fitted model, from its training rows alone.
 *
 * Holds: `summarizeFit` (score the training rows in-sample; fix the thresholds on the
 * out-of-fold training scores when the caller has them, else on the in-sample scores; measure
 * permutation importance on a bounded seeded sample, take the gain importance the plugin offers,
 * the training medians, and ROC-AUC, PR-AUC and Brier score in-sample and out-of-fold). No I/O.
 * Does not hold: writing the card (`run/models.ts`), the card's shape (`card.ts`), computing the
 * out-of-fold scores (`out-of-fold.ts`).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { averagePrecision, calibration, rocAuc } from "@hashhound/ml"
import { Effect } from "effect"
import { finiteOrNull, type ModelThreshold, type ThresholdBasis } from "./format.js"
import { boundedPermutationImportance, DEFAULT_PERMUTATION, featureMedians, type PermutationJson, type PermutationSettings } from "./importance.js"
import type { OutOfFoldJson } from "./out-of-fold.js"
import { trainingThresholds } from "./thresholds.js"

export interface ScoreSummary {
  readonly roc_auc: number | null
  readonly pr_auc: number | null
  readonly brier: number | null
}

export interface FitSummary {
  readonly basis: ThresholdBasis
  readonly thresholds: ReadonlyArray<ModelThreshold>
  readonly importance: { readonly gain?: Readonly<Record<string, number>>; readonly permutation: PermutationJson }
  readonly medians: Readonly<Record<string, number | null>>
  readonly training: { readonly in_sample: true } & ScoreSummary
  /** the out-of-fold scores' metrics, when there are such scores */
  readonly outOfFold?: OutOfFoldJson & ScoreSummary
}

/** Out-of-fold scores of the training rows and how they were had. */
export interface OutOfFoldScores {
  readonly scores: Float64Array
  readonly plan: OutOfFoldJson
}

const summary = (scores: Float64Array, y: Uint8Array): ScoreSummary => ({
  roc_auc: finiteOrNull(rocAuc(scores, y)),
  pr_auc: finiteOrNull(averagePrecision(scores, y)),
  brier: finiteOrNull(calibration(scores, y).brier)
})

export const summarizeFit = (
  stage: ModelStage,
  fitted: unknown,
  x: FeatureMatrix,
  y: Uint8Array,
  targetFprs: ReadonlyArray<number>,
  outOfFold?: OutOfFoldScores,
  permutation: PermutationSettings = DEFAULT_PERMUTATION
): Effect.Effect<FitSummary, PluginError> =>
  Effect.gen(function* () {
    const scores = yield* stage.predictProba(fitted, x)
    const gain = stage.importance?.(fitted)
    const finiteGain = gain === undefined ? undefined : Object.fromEntries(Object.entries(gain).filter(([, value]) => Number.isFinite(value)))
    return {
      basis: outOfFold === undefined ? "in-sample" : "out-of-fold",
      thresholds: trainingThresholds(outOfFold?.scores ?? scores, y, targetFprs),
      importance: {
        ...(finiteGain === undefined || Object.keys(finiteGain).length === 0 ? {} : { gain: finiteGain }),
        permutation: yield* boundedPermutationImportance(stage, fitted, x, y, permutation)
      },
      medians: featureMedians(x),
      training: { in_sample: true, ...summary(scores, y) },
      ...(outOfFold === undefined ? {} : { outOfFold: { ...outOfFold.plan, ...summary(outOfFold.scores, y) } })
    }
  })
