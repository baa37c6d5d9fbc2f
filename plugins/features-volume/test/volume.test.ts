import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, goldenCases, makeFromRaw, makeFromYaml, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { plugin, VOLUME_FEATURES } from "../src/index.js"

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

goldenCases(join(root, "testcases"), (_caseDir, raw) =>
  Effect.flatMap(makeFromRaw(plugin, raw), (stage) =>
    stage.computation._tag === "batch" ? stage.computation.compute(sampleBatch()) : Effect.die("not a batch group")
  )
)

// A: 10 packets / 1000 bytes forward, 20 / 3000 backward over 2 s. B: one 60-byte packet (duration 0). C: all null.
const ROWS: ReadonlyArray<Row> = [
  { fwd_bytes: 1000, bwd_bytes: 3000, fwd_packets: 10, bwd_packets: 20, fwd_payload_bytes: 600, bwd_payload_bytes: 2200, duration_s: 2, pkt_len_min: 40, pkt_len_max: 1500, pkt_len_std: 50, pkt_len_mean: 125 },
  { fwd_bytes: 60, bwd_bytes: 0, fwd_packets: 1, bwd_packets: 0, fwd_payload_bytes: 0, bwd_payload_bytes: 0, duration_s: 0, pkt_len_min: 60, pkt_len_max: 60, pkt_len_std: 0, pkt_len_mean: 60 },
  { fwd_bytes: null, bwd_bytes: null, fwd_packets: null, bwd_packets: null, fwd_payload_bytes: null, bwd_payload_bytes: null, duration_s: null, pkt_len_min: null, pkt_len_max: null, pkt_len_std: null, pkt_len_mean: null }
]

describe("features.volume", () => {
  it.effect("hand-computed values; rates null at zero duration, mean sizes null without packets", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.volume\n", ROWS)
      expect(out).toEqual({
        bytes_total: [4000, 60, NaN_],
        packets_total: [30, 1, NaN_],
        payload_bytes_total: [2800, 0, NaN_],
        flow_duration_s: [2, 0, NaN_],
        bytes_per_s: [2000, NaN_, NaN_],
        packets_per_s: [15, NaN_, NaN_],
        fwd_bytes_per_s: [500, NaN_, NaN_],
        bwd_bytes_per_s: [1500, NaN_, NaN_],
        mean_pkt_size: [4000 / 30, 60, NaN_],
        fwd_mean_pkt_size: [100, 60, NaN_],
        bwd_mean_pkt_size: [150, NaN_, NaN_],
        pkt_size_min: [40, 60, NaN_],
        pkt_size_max: [1500, 60, NaN_],
        pkt_size_std: [50, 0, NaN_],
        pkt_size_cv: [0.4, 0, NaN_]
      })
    }))

  it.effect("min_duration_s nulls the rates of flows that short or shorter", () =>
    Effect.gen(function* () {
      const atLimit = yield* compute("type: features.volume\nmin_duration_s: 2\n", ROWS)
      expect(atLimit["bytes_per_s"]).toEqual([NaN_, NaN_, NaN_])
      expect(atLimit["bytes_total"]).toEqual([4000, 60, NaN_])
      const below = yield* compute("type: features.volume\nmin_duration_s: 1.5\n", ROWS)
      expect(below["packets_per_s"]).toEqual([15, NaN_, NaN_])
    }))

  it.effect("a batch without the columns gives null features, not an error", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.volume\n", [{ protocol: 6 }, { protocol: 17 }])
      for (const feature of VOLUME_FEATURES) expect(out[feature.name], feature.name).toEqual([NaN_, NaN_])
    }))

  it.effect("a negative min_duration_s is a ConfigError naming the key", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(makeFromYaml(plugin, "type: features.volume\nmin_duration_s: -1\n"))
      expect(error._tag).toBe("ConfigError")
      expect(error._tag === "ConfigError" ? error.issues.map((issue) => issue.path) : []).toContain("min_duration_s")
    }))
})
