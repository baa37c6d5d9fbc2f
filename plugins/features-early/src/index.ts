/**
 * features.early: sizes, directions and gaps of each flow's first packets.
 *
 * Holds: the config schema (`window_packets`, `first_packets`), the manifest (its provided
 * features depend on `first_packets`) and the plugin list.
 * Does not hold: the computation (see `early-features.ts`).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { computeEarly, earlyFeatures, type EarlyOptions } from "./early-features.js"

export { computeEarly, earlyFeatures, type EarlyOptions } from "./early-features.js"

export const Config = Schema.Struct({
  /** early packets the aggregate features look at (keep ≤ the smallest splt length your sources keep) */
  window_packets: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 255)), { default: () => 10 }),
  /** signed sizes emitted as `early_len_1 … early_len_<first_packets>` */
  first_packets: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 32)), { default: () => 5 })
})
export type Config = typeof Config.Type

const optionsOf = (config: Config): EarlyOptions => ({ windowPackets: config.window_packets, firstPackets: config.first_packets })

const columnsOf = (config: Config) => {
  const features = earlyFeatures(optionsOf(config))
  return { requires: [...new Set(features.flatMap((feature) => feature.requires))], provides: features.map((feature) => feature.name) }
}

const DEFAULT_COLUMNS = columnsOf({ window_packets: 10, first_packets: 5 })

export const plugin = definePlugin({
  id: "features.early",
  kind: "features",
  version: "0.1.0",
  summary: "first packets: signed sizes, mean size per direction, forward share, direction changes, gaps",
  config: Config,
  requires: DEFAULT_COLUMNS.requires,
  provides: DEFAULT_COLUMNS.provides,
  columns: columnsOf,
  make: (config) => {
    const options = optionsOf(config)
    return Effect.succeed({
      features: earlyFeatures(options),
      computation: { _tag: "batch" as const, compute: (batch) => Effect.sync(() => computeEarly(batch, options)) }
    })
  }
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin]
