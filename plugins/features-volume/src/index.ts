/**
 * features.volume: bytes, packets, duration, rates and packet sizes of each flow.
 *
 * Holds: the config (`min_duration_s`), the plugin manifest and the plugin list this package exports.
 * Does not hold: the computation (see `volume-features.ts`) or storing features (the pipeline does).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { computeVolume, VOLUME_FEATURES } from "./volume-features.js"

export { computeVolume, VOLUME_FEATURES } from "./volume-features.js"

export const Config = Schema.Struct({
  /** byte and packet rates are null for flows this short or shorter (0: only zero-length flows) */
  min_duration_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 0 })
})
export type Config = typeof Config.Type

const requires = [...new Set(VOLUME_FEATURES.flatMap((feature) => feature.requires))]

export const plugin = definePlugin({
  id: "features.volume",
  kind: "features",
  version: "0.1.0",
  summary: "bytes, packets, duration, byte and packet rates, packet sizes per direction",
  config: Config,
  requires,
  provides: VOLUME_FEATURES.map((feature) => feature.name),
  make: (config) =>
    Effect.succeed({
      features: VOLUME_FEATURES,
      computation: {
        _tag: "batch" as const,
        compute: (batch) => Effect.sync(() => computeVolume(batch, { minDurationS: config.min_duration_s }))
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin]
