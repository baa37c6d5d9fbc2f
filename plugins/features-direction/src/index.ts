/**
 * features.direction: forward/backward byte and packet ratios, asymmetries, payload shares.
 *
 * Holds: the plugin manifest (no config keys: the features have no thresholds) and the plugin
 * list this package exports.
 * Does not hold: the computation (see `direction-features.ts`) or storing features.
 */
import { definePlugin, type AnyPlugin, type FeaturesStage } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { computeDirection, DIRECTION_FEATURES } from "./direction-features.js"

export { computeDirection, DIRECTION_FEATURES } from "./direction-features.js"

/**
 * No settings. (`Schema.Struct({})` would accept any value, excess keys included, so the empty
 * config is a record whose every key is refused.)
 */
export const Config = Schema.Record({
  key: Schema.String,
  value: Schema.Never.annotations({ message: () => "unknown key (features.direction has no settings)" })
})
export type Config = typeof Config.Type

const stage: FeaturesStage = {
  features: DIRECTION_FEATURES,
  computation: { _tag: "batch", compute: (batch) => Effect.sync(() => computeDirection(batch)) }
}

export const plugin = definePlugin({
  id: "features.direction",
  kind: "features",
  version: "0.1.0",
  summary: "forward/backward byte and packet ratios, asymmetries, payload shares",
  config: Config,
  requires: [...new Set(DIRECTION_FEATURES.flatMap((feature) => feature.requires))],
  provides: DIRECTION_FEATURES.map((feature) => feature.name),
  make: () => Effect.succeed(stage)
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin]
