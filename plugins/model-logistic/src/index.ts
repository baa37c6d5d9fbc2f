/**
 * model.logistic: a standardised, L2-regularised logistic regression baseline.
 *
 * Holds: the plugin manifest and the package's plugin list.
 * Does not hold: the fit (see `newton.ts`).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { LogisticConfig } from "./config.js"
import { makeLogisticStage, PLUGIN_ID } from "./stage.js"

export const logisticPlugin = definePlugin({
  id: PLUGIN_ID,
  kind: "model",
  version: "0.1.0",
  summary: "Standardised L2 logistic regression fitted by Newton's method (a linear baseline)",
  config: LogisticConfig,
  make: (config) => Effect.sync(() => makeLogisticStage(config))
})

export const plugins: ReadonlyArray<AnyPlugin> = [logisticPlugin]

export { LogisticConfig } from "./config.js"
export { LogisticModel, type LogisticInfo } from "./model.js"
export { MODEL_FORMAT, MODEL_VERSION } from "./model-file.js"
