/**
 * The early-packet features: sizes, directions and gaps of a flow's first packets, from the
 * `splt_len` (signed IP lengths, + forward / − backward) and `splt_iat_ms` (gap before each
 * packet, the first is 0) list columns.
 *
 * Holds: `EarlyOptions`, `earlyFeatures(options)` (declarations for a config) and
 * `computeEarly`. Only the first `window_packets` items are used, so datasets whose sources keep
 * different numbers of early packets agree as long as each keeps at least that many. A flow
 * without the lists (flow exports have none) gets null everywhere; a flow with fewer packets
 * than a position gets null at that position. A length of 0 (never a real IP length) counts as
 * neither direction.
 * Does not hold: the manifest (see `index.ts`) or list decoding (core's `readLists`).
 */
import type { FeatureColumns, FeatureSpec, FlowBatch } from "@hashhound/core"
import { readLists } from "@hashhound/core"

export interface EarlyOptions {
  /** how many early packets the aggregate features look at */
  readonly windowPackets: number
  /** how many signed sizes `early_len_1 … early_len_k` to emit */
  readonly firstPackets: number
}

const feature = (name: string, unit: string, dtype: FeatureSpec["dtype"], description: string, requires: ReadonlyArray<string>): FeatureSpec => ({
  name,
  unit,
  dtype,
  description,
  requires
})

const LEN = ["splt_len"]
const IAT = ["splt_iat_ms"]

/** The features a config produces, in output order. */
export const earlyFeatures = (options: EarlyOptions): ReadonlyArray<FeatureSpec> => {
  const n = options.windowPackets
  return [
    ...Array.from({ length: options.firstPackets }, (_, i) =>
      feature(`early_len_${i + 1}`, "bytes", "int32", `signed IP length of packet ${i + 1} (+ forward, − backward); null when the flow has fewer packets`, LEN)
    ),
    feature("early_fwd_size_mean", "bytes", "float64", `mean IP length of the forward packets among the first ${n}; null when there is none`, LEN),
    feature("early_bwd_size_mean", "bytes", "float64", `mean IP length of the backward packets among the first ${n}; null when there is none`, LEN),
    feature("early_fwd_share", "ratio", "float64", `share of forward packets among the first ${n} (fewer when the flow is shorter)`, LEN),
    feature("early_dir_changes", "count", "int32", `direction changes between consecutive packets among the first ${n}`, LEN),
    feature("early_gap_mean_ms", "ms", "float64", `mean gap between consecutive packets among the first ${n}; null with fewer than 2 packets`, IAT),
    feature("early_gap_max_ms", "ms", "float64", `longest gap between consecutive packets among the first ${n}; null with fewer than 2 packets`, IAT)
  ]
}

/** Compute the configured early-packet features for a batch (no allocation per row). */
export const computeEarly = (batch: FlowBatch, options: EarlyOptions): FeatureColumns => {
  const rows = batch.numRows
  const out: Record<string, Float64Array> = {}
  for (const spec of earlyFeatures(options)) out[spec.name] = new Float64Array(rows).fill(Number.NaN)
  const firsts = Array.from({ length: options.firstPackets }, (_, i) => out[`early_len_${i + 1}`]!)
  const fwdMean = out["early_fwd_size_mean"]!
  const bwdMean = out["early_bwd_size_mean"]!
  const fwdShare = out["early_fwd_share"]!
  const changes = out["early_dir_changes"]!
  const gapMean = out["early_gap_mean_ms"]!
  const gapMax = out["early_gap_max_ms"]!
  const window = options.windowPackets
  const lengths = readLists(batch, "splt_len")
  if (lengths !== undefined) {
    const { start, count, values } = lengths
    for (let row = 0; row < rows; row++) {
      const n = count[row]!
      if (n <= 0) continue
      const base = start[row]!
      for (let i = 0; i < firsts.length && i < n; i++) firsts[i]![row] = values[base + i]!
      const used = Math.min(n, window)
      let fwdCount = 0
      let fwdSum = 0
      let bwdCount = 0
      let bwdSum = 0
      let seen = 0
      let flips = 0
      let lastSign = 0
      for (let i = 0; i < used; i++) {
        const v = values[base + i]!
        if (Number.isNaN(v)) continue
        seen++
        if (v === 0) continue
        const sign = v > 0 ? 1 : -1
        if (sign > 0) {
          fwdCount++
          fwdSum += v
        } else {
          bwdCount++
          bwdSum -= v
        }
        if (lastSign !== 0 && sign !== lastSign) flips++
        lastSign = sign
      }
      if (seen === 0) continue
      fwdMean[row] = fwdCount > 0 ? fwdSum / fwdCount : Number.NaN
      bwdMean[row] = bwdCount > 0 ? bwdSum / bwdCount : Number.NaN
      fwdShare[row] = fwdCount / seen
      changes[row] = flips
    }
  }
  const gaps = readLists(batch, "splt_iat_ms")
  if (gaps !== undefined) {
    const { start, count, values } = gaps
    for (let row = 0; row < rows; row++) {
      const used = Math.min(count[row]!, window)
      const base = start[row]!
      let sum = 0
      let max = Number.NEGATIVE_INFINITY
      let k = 0
      for (let i = 1; i < used; i++) {
        const g = values[base + i]!
        if (Number.isNaN(g)) continue
        sum += g
        if (g > max) max = g
        k++
      }
      if (k === 0) continue
      gapMean[row] = sum / k
      gapMax[row] = max
    }
  }
  return out
}
