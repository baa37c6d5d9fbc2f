/**
 * The temporal features of one flow: inter-arrival statistics, burstiness, idle time and the
 * timing regularity of its first packets.
 *
 * Holds: `TemporalOptions`, `temporalFeatures(options)` and `computeTemporal`.
 * - Packet gaps come from the catalogue's `iat_*` columns (as the source computed them).
 * - Burstiness B = (σ − μ) / (σ + μ) of the gaps (Goh & Barabási 2008): −1 perfectly periodic,
 *   0 Poisson, → 1 bursty; null when σ + μ = 0.
 * - Active/idle: CICFlowMeter splits a flow into active and idle periods at gaps longer than an
 *   activity timeout, which needs every gap. The catalogue keeps only gap summaries, so the
 *   features are what those determine exactly or bound: `idle_max_s` (the longest gap when it
 *   reaches `idle_threshold_s`, else 0: exactly CICFlowMeter's Idle Max when the thresholds
 *   match), `idle_share_min` (idle_max_s / duration, a lower bound of the idle share) and
 *   `gap_max_to_mean` (how much longer the longest silence is than a typical gap).
 * - Early-gap CV and regularity (see `early-timing.ts`) from `splt_iat_ms`.
 * Does not hold: the host-pair (inter-flow) features, which need addresses (see `host-pair.ts`).
 */
import { readNumeric, type FeatureColumns, type FeatureSpec, type FlowBatch } from "@hashhound/core"
import { gapStats, type GapStats } from "./early-timing.js"
import { readLists } from "@hashhound/core"

export interface TemporalOptions {
  /** gaps at least this long are idle periods */
  readonly idleThresholdS: number
  /** early packets the regularity features look at */
  readonly earlyWindowPackets: number
  /** fewest early gaps for `early_gap_cv` / `early_gap_regularity` */
  readonly minEarlyGaps: number
}

export const DEFAULT_TEMPORAL_OPTIONS: TemporalOptions = { idleThresholdS: 5, earlyWindowPackets: 20, minEarlyGaps: 3 }

const feature = (name: string, unit: string, description: string, requires: ReadonlyArray<string>): FeatureSpec => ({
  name,
  unit,
  dtype: "float64",
  description,
  requires
})

/** The features a config produces (names and requirements never change; descriptions name the settings). */
export const temporalFeatures = (options: TemporalOptions): ReadonlyArray<FeatureSpec> => [
  feature("pkt_gap_mean_s", "s", "mean gap between consecutive packets, both directions", ["iat_mean_s"]),
  feature("pkt_gap_std_s", "s", "standard deviation of the gaps, both directions", ["iat_std_s"]),
  feature("pkt_gap_min_s", "s", "shortest gap, both directions", ["iat_min_s"]),
  feature("pkt_gap_max_s", "s", "longest gap, both directions", ["iat_max_s"]),
  feature("fwd_pkt_gap_mean_s", "s", "mean gap between forward packets", ["fwd_iat_mean_s"]),
  feature("fwd_pkt_gap_std_s", "s", "standard deviation of the gaps between forward packets", ["fwd_iat_std_s"]),
  feature("bwd_pkt_gap_mean_s", "s", "mean gap between backward packets", ["bwd_iat_mean_s"]),
  feature("bwd_pkt_gap_std_s", "s", "standard deviation of the gaps between backward packets", ["bwd_iat_std_s"]),
  feature("pkt_gap_cv", "ratio", "σ / μ of the gaps, both directions; null when μ is 0", ["iat_mean_s", "iat_std_s"]),
  feature("burstiness", "score", "(σ − μ) / (σ + μ) of the gaps, both directions: −1 periodic, 0 Poisson, → 1 bursty", ["iat_mean_s", "iat_std_s"]),
  feature("fwd_burstiness", "score", "burstiness of the gaps between forward packets", ["fwd_iat_mean_s", "fwd_iat_std_s"]),
  feature("bwd_burstiness", "score", "burstiness of the gaps between backward packets", ["bwd_iat_mean_s", "bwd_iat_std_s"]),
  feature("idle_max_s", "s", `longest gap if it is at least ${options.idleThresholdS} s (idle_threshold_s), else 0`, ["iat_max_s"]),
  feature("idle_share_min", "ratio", "idle_max_s / duration: a lower bound of the share of the flow spent idle; null for zero duration", [
    "iat_max_s",
    "duration_s"
  ]),
  feature("gap_max_to_mean", "ratio", "longest gap / mean gap; null when the mean is 0", ["iat_max_s", "iat_mean_s"]),
  feature("early_gap_cv", "ratio", `σ / μ of the gaps between the first ${options.earlyWindowPackets} packets; null with fewer than ${options.minEarlyGaps} gaps`, [
    "splt_iat_ms"
  ]),
  feature(
    "early_gap_regularity",
    "score",
    `periodicity of the first ${options.earlyWindowPackets} packets' timing in [0, 1]: 1 − min(1, min over p=1..3 of √p·CV of p-gap sums); 1 clockwork, 0 random; null with fewer than ${options.minEarlyGaps} gaps`,
    ["splt_iat_ms"]
  )
]

const perPositive = (num: number, den: number): number => (den > 0 ? num / den : Number.NaN)

/** (σ − μ) / (σ + μ), null (NaN) unless σ + μ > 0 and σ ≥ 0. */
const burstinessOf = (mean: number, std: number): number => (std >= 0 && mean >= 0 ? perPositive(std - mean, std + mean) : Number.NaN)

/** Compute every temporal feature for a batch (no allocation per row). */
export const computeTemporal = (batch: FlowBatch, options: TemporalOptions): FeatureColumns => {
  const rows = batch.numRows
  const column = (name: string): Float64Array => readNumeric(batch, name) ?? new Float64Array(rows).fill(Number.NaN)
  const out: Record<string, Float64Array> = {}
  const passThrough = [
    ["pkt_gap_mean_s", "iat_mean_s"],
    ["pkt_gap_std_s", "iat_std_s"],
    ["pkt_gap_min_s", "iat_min_s"],
    ["pkt_gap_max_s", "iat_max_s"],
    ["fwd_pkt_gap_mean_s", "fwd_iat_mean_s"],
    ["fwd_pkt_gap_std_s", "fwd_iat_std_s"],
    ["bwd_pkt_gap_mean_s", "bwd_iat_mean_s"],
    ["bwd_pkt_gap_std_s", "bwd_iat_std_s"]
  ] as const
  const inputs: Record<string, Float64Array> = {}
  for (const [name, source] of passThrough) {
    inputs[source] = column(source)
    out[name] = inputs[source]!
  }
  const mean = inputs["iat_mean_s"]!
  const std = inputs["iat_std_s"]!
  const max = inputs["iat_max_s"]!
  const fwdMean = inputs["fwd_iat_mean_s"]!
  const fwdStd = inputs["fwd_iat_std_s"]!
  const bwdMean = inputs["bwd_iat_mean_s"]!
  const bwdStd = inputs["bwd_iat_std_s"]!
  const duration = column("duration_s")
  const made = (name: string): Float64Array => (out[name] = new Float64Array(rows).fill(Number.NaN))
  const cv = made("pkt_gap_cv")
  const burst = made("burstiness")
  const fwdBurst = made("fwd_burstiness")
  const bwdBurst = made("bwd_burstiness")
  const idleMax = made("idle_max_s")
  const idleShare = made("idle_share_min")
  const maxToMean = made("gap_max_to_mean")
  const earlyCv = made("early_gap_cv")
  const regularity = made("early_gap_regularity")
  for (let row = 0; row < rows; row++) {
    const m = mean[row]!
    const s = std[row]!
    cv[row] = s >= 0 ? perPositive(s, m) : Number.NaN
    burst[row] = burstinessOf(m, s)
    fwdBurst[row] = burstinessOf(fwdMean[row]!, fwdStd[row]!)
    bwdBurst[row] = burstinessOf(bwdMean[row]!, bwdStd[row]!)
    const longest = max[row]!
    const idle = Number.isNaN(longest) ? Number.NaN : longest >= options.idleThresholdS ? longest : 0
    idleMax[row] = idle
    idleShare[row] = perPositive(idle, duration[row]!)
    maxToMean[row] = perPositive(longest, m)
  }
  const lists = readLists(batch, "splt_iat_ms")
  if (lists !== undefined) {
    const { start, count, values } = lists
    const scratch = new Float64Array(Math.max(1, options.earlyWindowPackets))
    const stats: GapStats = { cv: Number.NaN, regularity: Number.NaN }
    for (let row = 0; row < rows; row++) {
      const used = Math.min(count[row]!, options.earlyWindowPackets)
      let m = 0
      for (let i = 1; i < used; i++) {
        const g = values[start[row]! + i]!
        if (!Number.isNaN(g)) scratch[m++] = g
      }
      if (m < options.minEarlyGaps) continue
      gapStats(scratch, m, stats)
      earlyCv[row] = stats.cv
      regularity[row] = stats.regularity
    }
  }
  return out
}
