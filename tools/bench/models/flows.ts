/**
 * A synthetic flow-feature table for the model benchmark: 20 features in the spirit of the
 * project's feature groups (durations, volumes, packet sizes, timing regularity, ratios), some
 * informative, some noise, one constant, with missing values where real flows have them
 * (timing statistics of flows with fewer than 3 packets, ratios with an empty direction).
 *
 * Holds: `syntheticFlows(rows, seed, positiveRate)`, deterministic for a seed.
 * Does not hold: anything the pipeline uses; this is benchmark input only.
 */
import type { FeatureMatrix } from "@hashhound/core"

const rngFor = (seed: number): (() => number) => {
  let a = seed >>> 0 || 1
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const FEATURE_NAMES = [
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes",
  "fwd_pkt_len_mean",
  "bwd_pkt_len_mean",
  "iat_mean_s",
  "iat_std_s",
  "iat_cv",
  "bytes_ratio",
  "dst_port_common",
  "syn_count",
  "psh_share",
  "noise_gauss",
  "noise_uniform",
  "noise_heavy",
  "noise_int",
  "noise_missing",
  "constant_one"
] as const

export interface SyntheticTable {
  readonly matrix: FeatureMatrix
  readonly y: Uint8Array
}

export const syntheticFlows = (rows: number, seed: number, positiveRate = 0.05): SyntheticTable => {
  const rand = rngFor(seed)
  const gauss = (): number => {
    const u = Math.max(rand(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
  }
  const lognormal = (mu: number, sigma: number): number => Math.exp(mu + sigma * gauss())
  const columns = FEATURE_NAMES.map(() => new Float64Array(rows))
  const y = new Uint8Array(rows)
  const set = (f: number, r: number, v: number): void => {
    columns[f]![r] = v
  }
  for (let r = 0; r < rows; r++) {
    const mining = rand() < positiveRate
    // a miner that looks benign-ish (pool behind a proxy, short sessions) keeps the task hard
    const disguised = mining && rand() < 0.25
    const duration = mining && !disguised ? lognormal(5, 1.1) : lognormal(1.5, 1.8)
    const fwdPackets = Math.max(1, Math.round(mining ? lognormal(3.5, 1.2) : lognormal(2, 1.3)))
    const bwdPackets = Math.max(0, Math.round(fwdPackets * (mining ? 0.9 + 0.2 * rand() : rand() * 2.5)))
    const fwdLen = mining ? 120 + 40 * gauss() : lognormal(5, 0.9)
    const bwdLen = mining ? 180 + 50 * gauss() : lognormal(6, 1.1)
    set(0, r, duration)
    set(1, r, fwdPackets)
    set(2, r, bwdPackets)
    set(3, r, fwdPackets * Math.max(40, fwdLen))
    set(4, r, bwdPackets * Math.max(40, bwdLen))
    set(5, r, rand() < 0.05 ? Number.NaN : fwdLen)
    set(6, r, bwdPackets === 0 ? Number.NaN : bwdLen)
    const packets = fwdPackets + bwdPackets
    if (packets < 3) {
      set(7, r, Number.NaN)
      set(8, r, Number.NaN)
      set(9, r, Number.NaN)
    } else {
      const iatMean = duration / (packets - 1)
      const cv = mining && !disguised ? 0.2 + 0.3 * rand() : 0.5 + 2 * rand()
      set(7, r, iatMean)
      set(8, r, iatMean * cv)
      set(9, r, cv)
    }
    set(10, r, bwdPackets === 0 ? Number.NaN : (fwdPackets * fwdLen) / (bwdPackets * bwdLen))
    set(11, r, rand() < (mining ? 0.35 : 0.8) ? 1 : 0)
    set(12, r, Math.round(rand() * (mining ? 1.2 : 2)))
    set(13, r, mining ? 0.4 + 0.3 * rand() : rand())
    set(14, r, gauss())
    set(15, r, rand())
    set(16, r, lognormal(0, 2))
    set(17, r, Math.floor(rand() * 10))
    set(18, r, rand() < 0.3 ? Number.NaN : gauss())
    set(19, r, 1)
    // 0.2% label noise
    y[r] = (rand() < 0.002 ? !mining : mining) ? 1 : 0
  }
  return { matrix: { names: [...FEATURE_NAMES], rows, columns }, y }
}
