/**
 * model.xgboost-wasm: the npm package ml-xgboost (XGBoost compiled to WebAssembly) behind the
 * model contract, kept as a reference to compare model.gbdt with. The package is optional:
 * install it to use this plugin.
 *
 * Holds: the plugin manifest and the package's plugin list.
 * Does not hold: the booster (that is ml-xgboost's).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { XgbConfig } from "./config.js"
import { PLUGIN_ID } from "./package.js"
import { makeXgbStage } from "./stage.js"

export const xgboostWasmPlugin = definePlugin({
  id: PLUGIN_ID,
  kind: "model",
  version: "0.1.0",
  summary: "Reference: XGBoost compiled to WebAssembly via ml-xgboost (optional package; small data only)",
  config: XgbConfig,
  make: (config) => Effect.sync(() => makeXgbStage(config))
})

export const plugins: ReadonlyArray<AnyPlugin> = [xgboostWasmPlugin]

export { XgbConfig } from "./config.js"
export { packageInstalled } from "./package.js"
export { MODEL_FORMAT, MODEL_VERSION, XgbModel } from "./stage.js"
