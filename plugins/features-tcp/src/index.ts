/**
 * features.tcp: TCP flag shares per packet (per direction and overall), which side pushes, and
 * the initial windows.
 *
 * Holds: the plugin manifest (no config keys) and the plugin list.
 * Does not hold: the computation (see `tcp-features.ts`).
 */
import { definePlugin, type AnyPlugin, type FeaturesStage } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { computeTcp, TCP_FEATURES } from "./tcp-features.js"

export { computeTcp, SHARE_FLAGS, TCP_FEATURES } from "./tcp-features.js"

/**
 * No settings. (`Schema.Struct({})` would accept any value, excess keys included, so the empty
 * config is a record whose every key is refused.)
 */
export const Config = Schema.Record({
  key: Schema.String,
  value: Schema.Never.annotations({ message: () => "unknown key (features.tcp has no settings)" })
})
export type Config = typeof Config.Type

const stage: FeaturesStage = {
  features: TCP_FEATURES,
  computation: { _tag: "batch", compute: (batch) => Effect.sync(() => computeTcp(batch)) }
}

export const plugin = definePlugin({
  id: "features.tcp",
  kind: "features",
  version: "0.1.0",
  summary: "TCP flag shares per direction and overall, push direction, initial windows",
  config: Config,
  requires: [...new Set(TCP_FEATURES.flatMap((feature) => feature.requires))],
  provides: TCP_FEATURES.map((feature) => feature.name),
  make: () => Effect.succeed(stage)
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin]
