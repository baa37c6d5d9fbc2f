import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, goldenCases, makeFromRaw, makeFromYaml, sampleBatch, type Row } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { plugin, TCP_FEATURES } from "../src/index.js"

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
    const stage = yield* makeFromYaml(plugin, "type: features.tcp\n")
    if (stage.computation._tag !== "batch") return yield* Effect.die("not a batch group")
    const out = yield* stage.computation.compute(batchFromRows(rows))
    return Object.fromEntries(Object.entries(out).map(([name, values]) => [name, Array.from(values)]))
  })

const flags = (prefix: "fwd_" | "bwd_", counts: Readonly<Record<string, number | null>>): Row =>
  Object.fromEntries(["syn", "fin", "rst", "psh", "ack", "urg"].map((flag) => [`${prefix}${flag}`, counts[flag] ?? 0]))

const ROWS: ReadonlyArray<Row> = [
  // A: a closed TCP conversation, 10 forward and 8 backward packets
  {
    protocol: 6, fwd_packets: 10, bwd_packets: 8, fwd_init_win: 64240, bwd_init_win: 65160,
    ...flags("fwd_", { syn: 1, fin: 1, rst: 0, psh: 4, ack: 9, urg: 0 }),
    ...flags("bwd_", { syn: 1, fin: 1, rst: 1, psh: 6, ack: 8, urg: 0 })
  },
  // B: UDP with zero flag counts (as CICFlowMeter writes them): not TCP, so null
  { protocol: 17, fwd_packets: 3, bwd_packets: 3, fwd_init_win: 0, bwd_init_win: 0, ...flags("fwd_", {}), ...flags("bwd_", {}) },
  // C: an unanswered SYN
  { protocol: 6, fwd_packets: 1, bwd_packets: 0, fwd_init_win: 1024, bwd_init_win: null, ...flags("fwd_", { syn: 1 }), ...flags("bwd_", {}) },
  // D: CICFlowMeter's −1 for "no initial window"
  { protocol: 6, fwd_packets: 2, bwd_packets: 2, fwd_init_win: -1, bwd_init_win: -1, ...flags("fwd_", { ack: 2 }), ...flags("bwd_", { ack: 2 }) }
]

describe("features.tcp", () => {
  it.effect("hand-computed flag shares per direction and overall, push direction, windows", () =>
    Effect.gen(function* () {
      const out = yield* compute(ROWS)
      expect(out).toEqual({
        fwd_syn_share: [0.1, NaN_, 1, 0],
        bwd_syn_share: [0.125, NaN_, NaN_, 0],
        fwd_fin_share: [0.1, NaN_, 0, 0],
        bwd_fin_share: [0.125, NaN_, NaN_, 0],
        fwd_rst_share: [0, NaN_, 0, 0],
        bwd_rst_share: [0.125, NaN_, NaN_, 0],
        fwd_psh_share: [0.4, NaN_, 0, 0],
        bwd_psh_share: [0.75, NaN_, NaN_, 0],
        fwd_ack_share: [0.9, NaN_, 0, 1],
        bwd_ack_share: [1, NaN_, NaN_, 1],
        fwd_urg_share: [0, NaN_, 0, 0],
        bwd_urg_share: [0, NaN_, NaN_, 0],
        syn_share: [2 / 18, NaN_, 1, 0],
        fin_share: [2 / 18, NaN_, 0, 0],
        rst_share: [1 / 18, NaN_, 0, 0],
        psh_share: [10 / 18, NaN_, 0, 0],
        ack_share: [17 / 18, NaN_, 0, 1],
        urg_share: [0, NaN_, 0, 0],
        push_fwd_share: [0.4, NaN_, NaN_, NaN_],
        init_win_fwd: [64240, NaN_, 1024, NaN_],
        init_win_bwd: [65160, NaN_, NaN_, NaN_]
      })
    }))

  it.effect("without a protocol column nothing is known to be TCP: every feature is null", () =>
    Effect.gen(function* () {
      const rows = ROWS.map(({ protocol: _protocol, ...rest }) => rest)
      const out = yield* compute(rows)
      for (const feature of TCP_FEATURES) expect(out[feature.name], feature.name).toEqual([NaN_, NaN_, NaN_, NaN_])
    }))
})
