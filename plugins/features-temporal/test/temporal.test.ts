import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, makeFromYaml, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { gapStats, plugin, temporalFeatures, DEFAULT_TEMPORAL_OPTIONS, type GapStats } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const NaN_ = Number.NaN

featuresContract(plugin, { exampleYaml: join(root, "example.yaml") })

const compute = (yaml: string, rows: ReadonlyArray<Row>) =>
  Effect.gen(function* () {
    const stage = yield* makeFromYaml(plugin, yaml)
    if (stage.computation._tag !== "batch") return yield* Effect.die("not a batch group")
    const out = yield* stage.computation.compute(batchFromRows(rows))
    return Object.fromEntries(Object.entries(out).map(([name, values]) => [name, Array.from(values)]))
  })

const stats = (gaps: ReadonlyArray<number>): GapStats => {
  const out: GapStats = { cv: NaN_, regularity: NaN_ }
  gapStats(Float64Array.from(gaps), gaps.length, out)
  return out
}

const row = (values: Partial<Record<string, number | ReadonlyArray<number> | null>>): Row => ({
  iat_mean_s: null, iat_std_s: null, iat_min_s: null, iat_max_s: null,
  fwd_iat_mean_s: null, fwd_iat_std_s: null, bwd_iat_mean_s: null, bwd_iat_std_s: null,
  duration_s: null, splt_iat_ms: null,
  ...values
})

const ROWS: ReadonlyArray<Row> = [
  // A: request/response every 10 ms (gaps alternate 1, 9): period 2
  row({ iat_mean_s: 2, iat_std_s: 1, iat_min_s: 0.5, iat_max_s: 6, fwd_iat_mean_s: 4, fwd_iat_std_s: 4, bwd_iat_mean_s: 3, bwd_iat_std_s: 0, duration_s: 30, splt_iat_ms: [0, 1, 9, 1, 9] }),
  // B: irregular early gaps 1, 2, 3, 6; the longest gap (4 s) is below the idle threshold
  row({ iat_mean_s: 1, iat_std_s: 1, iat_min_s: 0, iat_max_s: 4, fwd_iat_mean_s: 2, fwd_iat_std_s: 1, bwd_iat_mean_s: 2, bwd_iat_std_s: 2, duration_s: 10, splt_iat_ms: [0, 1, 2, 3, 6] }),
  // C: two packets at the same instant; only 2 early gaps (below min_early_gaps 3)
  row({ iat_mean_s: 0, iat_std_s: 0, iat_min_s: 0, iat_max_s: 0, fwd_iat_mean_s: 0, fwd_iat_std_s: 0, bwd_iat_mean_s: null, bwd_iat_std_s: null, duration_s: 0, splt_iat_ms: [0, 5, 5] }),
  // D: clockwork: three gaps of 10 ms; a flow export row would have no lists (E)
  row({ splt_iat_ms: [0, 10, 10, 10] }),
  row({})
]

describe("features.temporal", () => {
  it.effect("hand-computed values for every feature", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.temporal\n", ROWS)
      expect(out).toEqual({
        pkt_gap_mean_s: [2, 1, 0, NaN_, NaN_],
        pkt_gap_std_s: [1, 1, 0, NaN_, NaN_],
        pkt_gap_min_s: [0.5, 0, 0, NaN_, NaN_],
        pkt_gap_max_s: [6, 4, 0, NaN_, NaN_],
        fwd_pkt_gap_mean_s: [4, 2, 0, NaN_, NaN_],
        fwd_pkt_gap_std_s: [4, 1, 0, NaN_, NaN_],
        bwd_pkt_gap_mean_s: [3, 2, NaN_, NaN_, NaN_],
        bwd_pkt_gap_std_s: [0, 2, NaN_, NaN_, NaN_],
        pkt_gap_cv: [0.5, 1, NaN_, NaN_, NaN_],
        // (σ − μ) / (σ + μ): (1 − 2) / 3, (1 − 1) / 2; σ + μ = 0 is null
        burstiness: [-1 / 3, 0, NaN_, NaN_, NaN_],
        fwd_burstiness: [0, -1 / 3, NaN_, NaN_, NaN_],
        bwd_burstiness: [-1, 0, NaN_, NaN_, NaN_],
        // 6 s ≥ 5 s is idle; 4 s and 0 s are not
        idle_max_s: [6, 0, 0, NaN_, NaN_],
        idle_share_min: [0.2, 0, NaN_, NaN_, NaN_],
        gap_max_to_mean: [3, 4, NaN_, NaN_, NaN_],
        // A: gaps 1, 9, 1, 9: μ 5, σ 4; B: 1, 2, 3, 6: μ 3, σ² = (4 + 1 + 0 + 9) / 4 = 3.5
        early_gap_cv: [0.8, Math.sqrt(3.5) / 3, NaN_, 0, NaN_],
        // A: pairs sum to 10, 10 (p = 2) → 1. B: p=1 gives √3.5/3 ≈ 0.624, p=2 sums 3, 9 → √2·0.5 ≈ 0.707
        early_gap_regularity: [1, 1 - Math.sqrt(3.5) / 3, NaN_, 1, NaN_]
      })
    }))

  it.effect("idle_threshold_s, early_window_packets and min_early_gaps change what they say", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.temporal\nidle_threshold_s: 3\nearly_window_packets: 3\nmin_early_gaps: 2\n", ROWS)
      expect(out["idle_max_s"]).toEqual([6, 4, 0, NaN_, NaN_])
      expect(out["idle_share_min"]).toEqual([0.2, 0.4, NaN_, NaN_, NaN_])
      // the first 3 packets give 2 gaps: A 1, 9 (μ 5, σ 4); B 1, 2 (μ 1.5, σ 0.5); C 5, 5; D 10, 10
      expect(out["early_gap_cv"]).toEqual([0.8, 0.5 / 1.5, 0, 0, NaN_])
      expect(out["early_gap_regularity"]).toEqual([1 - 0.8, 1 - 0.5 / 1.5, 1, 1, NaN_])
    }))

  it("regularity: √p scaling, period 3 and degenerate gaps", () => {
    // job, submit, reply: 1, 1, 10 repeated → p = 3 sums 12, 12
    expect(stats([1, 1, 10, 1, 1, 10])).toEqual({ cv: Math.sqrt(18) / 4, regularity: 1 })
    // all gaps zero: no positive mean anywhere → null
    expect(stats([0, 0, 0])).toEqual({ cv: NaN_, regularity: NaN_ })
    // one gap: no period has 2 windows
    expect(stats([5])).toEqual({ cv: NaN_, regularity: NaN_ })
    // very irregular: CV above 1 at every period → 0
    expect(stats([1, 100, 1, 1, 1, 1]).regularity).toBe(0)
  })

  it("feature names and requirements do not depend on the config", () => {
    const names = temporalFeatures(DEFAULT_TEMPORAL_OPTIONS).map((spec) => [spec.name, spec.requires])
    const other = temporalFeatures({ idleThresholdS: 1, earlyWindowPackets: 5, minEarlyGaps: 2 }).map((spec) => [spec.name, spec.requires])
    expect(other).toEqual(names)
    expect(plugin.provides).toEqual(names.map(([name]) => name))
  })
})
