/**
 * features.temporal (per batch) and features.host-pair (DuckDB SQL over the dataset).
 *
 * Holds: the temporal config schema (`idle_threshold_s`, `early_window_packets`,
 * `min_early_gaps`), its manifest, and the package's plugin list with both plugins. The split
 * keeps the guarded address columns out of `features.temporal`: only `features.host-pair`
 * needs them, as a partition key, and a pipeline opts into it explicitly.
 * Does not hold: the computations (see `temporal-features.ts`, `early-timing.ts`, `host-pair.ts`).
 */
import { definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { hostPairPlugin } from "./host-pair.js"
import { computeTemporal, DEFAULT_TEMPORAL_OPTIONS, temporalFeatures, type TemporalOptions } from "./temporal-features.js"

export { gapStats, type GapStats } from "./early-timing.js"
export { HostPairConfig, hostPairFeatures, hostPairPlugin, hostPairSql, type HostPairOptions } from "./host-pair.js"
export { computeTemporal, DEFAULT_TEMPORAL_OPTIONS, temporalFeatures, type TemporalOptions } from "./temporal-features.js"

export const Config = Schema.Struct({
  /** gaps at least this long count as idle (CICFlowMeter's activity timeout is 5 s) */
  idle_threshold_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.positive()), {
    default: () => DEFAULT_TEMPORAL_OPTIONS.idleThresholdS
  }),
  /** early packets `early_gap_cv` / `early_gap_regularity` look at */
  early_window_packets: Schema.optionalWith(Schema.Int.pipe(Schema.between(3, 255)), {
    default: () => DEFAULT_TEMPORAL_OPTIONS.earlyWindowPackets
  }),
  /** fewest early gaps for those two features (fewer: null) */
  min_early_gaps: Schema.optionalWith(Schema.Int.pipe(Schema.between(2, 254)), { default: () => DEFAULT_TEMPORAL_OPTIONS.minEarlyGaps })
})
export type Config = typeof Config.Type

const optionsOf = (config: Config): TemporalOptions => ({
  idleThresholdS: config.idle_threshold_s,
  earlyWindowPackets: config.early_window_packets,
  minEarlyGaps: config.min_early_gaps
})

const DEFAULT_FEATURES = temporalFeatures(DEFAULT_TEMPORAL_OPTIONS)

export const plugin = definePlugin({
  id: "features.temporal",
  kind: "features",
  version: "0.1.0",
  summary: "packet gap statistics, burstiness, idle time, early-packet timing regularity",
  config: Config,
  requires: [...new Set(DEFAULT_FEATURES.flatMap((feature) => feature.requires))],
  provides: DEFAULT_FEATURES.map((feature) => feature.name),
  make: (config) => {
    const options = optionsOf(config)
    return Effect.succeed({
      features: temporalFeatures(options),
      computation: { _tag: "batch" as const, compute: (batch) => Effect.sync(() => computeTemporal(batch, options)) }
    })
  }
})

export const plugins: ReadonlyArray<AnyPlugin> = [plugin, hostPairPlugin]
