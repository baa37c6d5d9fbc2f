import { it } from "@effect/vitest"
import { batchFromRows, featuresContract, goldenCases, makeFromRaw, makeFromYaml, sampleBatch, type Row } from "@hashhound/testkit"
import { FlowBatchBuilder } from "@hashhound/core"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { readLists } from "@hashhound/core"
import { plugin } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const NaN_ = Number.NaN

featuresContract(plugin, { exampleYaml: join(root, "example.yaml") })

goldenCases(join(root, "testcases"), (_caseDir, raw) =>
  Effect.flatMap(makeFromRaw(plugin, raw), (stage) =>
    stage.computation._tag === "batch" ? stage.computation.compute(sampleBatch()) : Effect.die("not a batch group")
  )
)

const compute = (yaml: string, rows: ReadonlyArray<Row>) =>
  Effect.gen(function* () {
    const stage = yield* makeFromYaml(plugin, yaml)
    if (stage.computation._tag !== "batch") return yield* Effect.die("not a batch group")
    const out = yield* stage.computation.compute(batchFromRows(rows, { columns: ["splt_len", "splt_iat_ms"] }))
    return Object.fromEntries(Object.entries(out).map(([name, values]) => [name, Array.from(values)]))
  })

const ROWS: ReadonlyArray<Row> = [
  // A: five packets, alternating direction except 3 → 4? no: +, −, +, −, + (4 changes)
  { splt_len: [100, -200, 300, -40, 50], splt_iat_ms: [0, 1, 2, 4, 8] },
  // B: a single forward packet
  { splt_len: [60], splt_iat_ms: [0] },
  // C: a flow export row: no lists
  { splt_len: null, splt_iat_ms: null }
]

describe("features.early", () => {
  it.effect("hand-computed values with window_packets 4, first_packets 3", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.early\nwindow_packets: 4\nfirst_packets: 3\n", ROWS)
      expect(out).toEqual({
        early_len_1: [100, 60, NaN_],
        early_len_2: [-200, NaN_, NaN_],
        early_len_3: [300, NaN_, NaN_],
        // window: 100, −200, 300, −40
        early_fwd_size_mean: [200, 60, NaN_],
        early_bwd_size_mean: [120, NaN_, NaN_],
        early_fwd_share: [0.5, 1, NaN_],
        early_dir_changes: [3, 0, NaN_],
        // gaps 1, 2, 4
        early_gap_mean_ms: [7 / 3, NaN_, NaN_],
        early_gap_max_ms: [4, NaN_, NaN_]
      })
    }))

  it.effect("hand-computed values with the defaults (window 10 covers all five packets)", () =>
    Effect.gen(function* () {
      const out = yield* compute("type: features.early\n", ROWS)
      expect(out["early_len_4"]).toEqual([-40, NaN_, NaN_])
      expect(out["early_len_5"]).toEqual([50, NaN_, NaN_])
      expect(out["early_fwd_size_mean"]).toEqual([150, 60, NaN_])
      expect(out["early_fwd_share"]).toEqual([0.6, 1, NaN_])
      expect(out["early_dir_changes"]).toEqual([4, 0, NaN_])
      expect(out["early_gap_mean_ms"]).toEqual([3.75, NaN_, NaN_])
      expect(out["early_gap_max_ms"]).toEqual([8, NaN_, NaN_])
    }))

  it.effect("first_packets decides the early_len_* columns the plugin provides", () =>
    Effect.sync(() => {
      const provides = plugin.columnsFor({ first_packets: 2 }).provides
      expect(provides.filter((name) => name.startsWith("early_len_"))).toEqual(["early_len_1", "early_len_2"])
    }))

  it("readLists reads lists, null lists and null items without per-row arrays", () => {
    const builder = FlowBatchBuilder.forColumns(["splt_len"], 4)
    builder.setValue("splt_len", 0, [1, -2])
    builder.setValue("splt_len", 1, null)
    builder.setValue("splt_len", 2, [])
    builder.setValue("splt_len", 3, [7])
    const lists = readLists(builder.finish(4), "splt_len")!
    expect(Array.from(lists.count)).toEqual([2, -1, 0, 1])
    expect(Array.from(lists.values.subarray(lists.start[0]!, lists.start[0]! + 2))).toEqual([1, -2])
    expect(lists.values[lists.start[3]!]).toBe(7)
    // a sliced table takes the fallback path and gives the same answer
    const sliced = readLists(builder.finish(4).slice(1), "splt_len")!
    expect(Array.from(sliced.count)).toEqual([-1, 0, 1])
    expect(sliced.values[sliced.start[2]!]).toBe(7)
  })
})
