/**
 * model.gbdt: histogram-based gradient-boosted trees for mining-vs-benign classification.
 *
 * Holds: the plugin manifest and the package's plugin list; re-exports the pieces other code may
 * use directly (the fitted model class; ROC-AUC and permutation importance, which live in
 * `@hashhound/ml` and are re-exported here for existing callers).
 * Does not hold: the algorithm (see `boost.ts` and the modules it imports).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { GbdtConfig } from "./config.js"
import { makeGbdtStage, PLUGIN_ID } from "./stage.js"

export const gbdtPlugin = definePlugin({
  id: PLUGIN_ID,
  kind: "model",
  version: "0.2.0",
  summary: "Histogram gradient-boosted trees (logistic loss, learned missing-value directions, early stopping)",
  config: GbdtConfig,
  make: (config) => Effect.sync(() => makeGbdtStage(config))
})

export const plugins: ReadonlyArray<AnyPlugin> = [gbdtPlugin]

export { GbdtConfig } from "./config.js"
export { GbdtModel, type GbdtInfo } from "./model.js"
export { MODEL_FORMAT, MODEL_VERSION } from "./model-file.js"
export { permutationImportance, rocAuc, type PermutationOptions } from "@hashhound/ml"
