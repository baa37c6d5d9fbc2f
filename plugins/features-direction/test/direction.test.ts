import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, goldenCases, makeFromRaw, makeFromYaml, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { DIRECTION_FEATURES, plugin } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const NaN_ = Number.NaN

featuresContract(plugin, { exampleYaml: join(root, "example.yaml") })

goldenCases(join(root, "testcases"), (_caseDir, raw) =>
  Effect.flatMap(makeFromRaw(plugin, raw), (stage) =>
    stage.computation._tag === "batch" ? stage.computation.compute(sampleBatch()) : Effect.die("not a batch group")
  )
)

const compute = (rows: ReadonlyArray<Row>) =>
  Effect.gen(function* () {
    const stage = yield* makeFromYaml(plugin, "type: features.direction\n")
    if (stage.computation._tag !== "batch") return yield* Effect.die("not a batch group")
    const out = yield* stage.computation.compute(batchFromRows(rows))
    return Object.fromEntries(Object.entries(out).map(([name, values]) => [name, Array.from(values)]))
  })

describe("features.direction", () => {
  it.effect("hand-computed ratios, asymmetries and shares; null where the denominator is 0", () =>
    Effect.gen(function* () {
      const out = yield* compute([
        // 10 packets / 1000 bytes (600 payload) forward, 20 / 3000 (2200 payload) backward
        { fwd_bytes: 1000, bwd_bytes: 3000, fwd_packets: 10, bwd_packets: 20, fwd_payload_bytes: 600, bwd_payload_bytes: 2200 },
        // an unanswered 60-byte SYN
        { fwd_bytes: 60, bwd_bytes: 0, fwd_packets: 1, bwd_packets: 0, fwd_payload_bytes: 0, bwd_payload_bytes: 0 },
        // nulls
        { fwd_bytes: null, bwd_bytes: null, fwd_packets: null, bwd_packets: null, fwd_payload_bytes: null, bwd_payload_bytes: null }
      ])
      expect(out).toEqual({
        byte_ratio: [1000 / 3000, NaN_, NaN_],
        packet_ratio: [0.5, NaN_, NaN_],
        byte_asymmetry: [-0.5, 1, NaN_],
        packet_asymmetry: [-10 / 30, 1, NaN_],
        payload_asymmetry: [-1600 / 2800, NaN_, NaN_],
        payload_share: [0.7, 0, NaN_],
        fwd_payload_share: [0.6, 0, NaN_],
        bwd_payload_share: [2200 / 3000, NaN_, NaN_],
        // fwd mean 100, bwd mean 150: (100 − 150) / 250
        pkt_size_asymmetry: [-0.2, NaN_, NaN_],
        one_way: [0, 1, NaN_]
      })
    }))

  it.effect("a batch without the columns gives null features, not an error", () =>
    Effect.gen(function* () {
      const out = yield* compute([{ protocol: 6 }])
      for (const feature of DIRECTION_FEATURES) expect(out[feature.name], feature.name).toEqual([NaN_])
    }))

  it.effect("any config key is refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(makeFromYaml(plugin, "type: features.direction\nratio: 1\n"))
      expect(error._tag).toBe("ConfigError")
    }))
})
