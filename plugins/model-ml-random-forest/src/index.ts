/**
 * model.ml-random-forest: the npm package ml-random-forest behind the model contract, kept as a
 * reference to compare model.random-forest with. The package is optional: install it to use
 * this plugin.
 *
 * Holds: the plugin manifest and the package's plugin list.
 * Does not hold: the forest (that is ml-random-forest's).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { MlForestConfig } from "./config.js"
import { PLUGIN_ID } from "./package.js"
import { makeMlForestStage } from "./stage.js"

export const mlRandomForestPlugin = definePlugin({
  id: PLUGIN_ID,
  kind: "model",
  version: "0.1.0",
  summary: "Reference: ml-random-forest's RandomForestClassifier (optional package; small data only)",
  config: MlForestConfig,
  make: (config) => Effect.sync(() => makeMlForestStage(config))
})

export const plugins: ReadonlyArray<AnyPlugin> = [mlRandomForestPlugin]

export { MlForestConfig } from "./config.js"
export { packageInstalled } from "./package.js"
export { MlForestModel, MODEL_FORMAT, MODEL_VERSION } from "./stage.js"
