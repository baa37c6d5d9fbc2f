/**
 * model.random-forest: a histogram random forest (bootstrap rows, a fresh feature sample per
 * split, Gini or entropy) with an out-of-bag score.
 *
 * Holds: the plugin manifest and the package's plugin list.
 * Does not hold: the algorithm (see `forest.ts` and the modules it imports).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { ForestConfig } from "./config.js"
import { makeForestStage, PLUGIN_ID } from "./stage.js"

export const randomForestPlugin = definePlugin({
  id: PLUGIN_ID,
  kind: "model",
  version: "0.1.0",
  summary: "Histogram random forest (bootstrap, per-split feature sampling, Gini/entropy, out-of-bag score)",
  config: ForestConfig,
  make: (config) => Effect.sync(() => makeForestStage(config))
})

export const plugins: ReadonlyArray<AnyPlugin> = [randomForestPlugin]

export { ForestConfig } from "./config.js"
export { ForestModel, type ForestInfo } from "./model.js"
export { MODEL_FORMAT, MODEL_VERSION } from "./model-file.js"
