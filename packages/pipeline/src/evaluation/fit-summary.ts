/**
 * What the card records about a freshly fitted model, from its training rows alone.
 *
 * Holds: `summarizeFit` (score the training rows in-sample, fix the thresholds on those scores,
 * measure permutation importance on a bounded seeded sample, take the gain importance the plugin
 * offers, the training medians and the in-sample ROC-AUC, PR-AUC and Brier score). No I/O.
 * Does not hold: writing the card (`run/models.ts`), the card's shape (`card.ts`).
 */
import type { FeatureMatrix, ModelStage, PluginError } from "@hashhound/core"
import { averagePrecision, calibration, rocAuc } from "@hashhound/ml"
import { Effect } from "effect"
import { finiteOrNull, type ModelThreshold } from "./format.js"
import { boundedPermutationImportance, DEFAULT_PERMUTATION, featureMedians, type PermutationJson, type PermutationSettings } from "./importance.js"
import { trainingThresholds } from "./thresholds.js"

export interface FitSummary {
  readonly thresholds: ReadonlyArray<ModelThreshold>
  readonly importance: { readonly gain?: Readonly<Record<string, number>>; readonly permutation: PermutationJson }
  readonly medians: Readonly<Record<string, number | null>>
  readonly training: { readonly in_sample: true; readonly roc_auc: number | null; readonly pr_auc: number | null; readonly brier: number | null }
}

export const summarizeFit = (
  stage: ModelStage,
  fitted: unknown,
  x: FeatureMatrix,
  y: Uint8Array,
  targetFprs: ReadonlyArray<number>,
  permutation: PermutationSettings = DEFAULT_PERMUTATION
): Effect.Effect<FitSummary, PluginError> =>
  Effect.gen(function* () {
    const scores = yield* stage.predictProba(fitted, x)
    const gain = stage.importance?.(fitted)
    const finiteGain = gain === undefined ? undefined : Object.fromEntries(Object.entries(gain).filter(([, value]) => Number.isFinite(value)))
    return {
      thresholds: trainingThresholds(scores, y, targetFprs),
      importance: {
        ...(finiteGain === undefined || Object.keys(finiteGain).length === 0 ? {} : { gain: finiteGain }),
        permutation: yield* boundedPermutationImportance(stage, fitted, x, y, permutation)
      },
      medians: featureMedians(x),
      training: {
        in_sample: true,
        roc_auc: finiteOrNull(rocAuc(scores, y)),
        pr_auc: finiteOrNull(averagePrecision(scores, y)),
        brier: finiteOrNull(calibration(scores, y).brier)
      }
    }
  })
