/**
 * The feature groups give identical values for the same flows whichever source produced them,
 * where the inputs agree, and null where a source lacks an input; and each feature reads exactly
 * the columns it declares in `requires`; and a batch read back from the pipeline's Parquet
 * storage gives the same features as the batch that was written.
 */
import { it } from "@effect/vitest"
import type { AnyPlugin, FeatureColumns, FlowBatch, Plugin } from "@hashhound/core"
import { FLOWMETER_COLUMNS } from "@hashhound/flowmeter"
import { batchFromRows, sampleFlowRows } from "@hashhound/testkit"
import { Storage, StorageLive } from "@hashhound/pipeline"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { FEATURE_PLUGINS } from "../feature-plugins.js"

/** What source.zeek-conn fills (its ZEEK_COLUMNS). */
const ZEEK_COLUMNS = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol", "ip_version", "vlan_id", "first_seen_us", "last_seen_us", "duration_s", "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "fwd_payload_bytes", "bwd_payload_bytes", "end_reason", "app_proto", "label_raw"]

/** What source.cicflowmeter-csv fills (its CIC_COLUMNS): no early packets, and only PSH, URG and RST flags. */
const CIC_COLUMNS = [
  "src_ip", "dst_ip", "src_port", "dst_port", "protocol", "ip_version", "first_seen_us", "last_seen_us", "duration_s",
  "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "fwd_payload_bytes", "bwd_payload_bytes",
  ...["fwd_", "bwd_", ""].flatMap((d) => ["min", "mean", "max", "std"].map((s) => `${d}pkt_len_${s}`)),
  ...["", "fwd_", "bwd_"].flatMap((d) => ["mean", "std", "min", "max"].map((s) => `${d}iat_${s}_s`)),
  "fwd_psh", "bwd_psh", "fwd_urg", "bwd_urg", "fwd_rst", "bwd_rst", "fwd_init_win", "bwd_init_win", "label_raw"
]

const batchGroups = (): ReadonlyArray<{ readonly plugin: Plugin<"features">; readonly raw: Record<string, unknown> }> =>
  FEATURE_PLUGINS.map((entry) => entry.plugin)
    .filter((plugin: AnyPlugin): plugin is Plugin<"features"> => plugin.kind === "features" && plugin.id !== "features.host-pair")
    .flatMap((plugin) => (plugin.id === "features.ports" ? [{ plugin, raw: {} }, { plugin, raw: { mining_port_prior: true, port_class_one_hot: true } }] : [{ plugin, raw: {} }]))

const computeAll = (plugin: Plugin<"features">, raw: Record<string, unknown>, batch: FlowBatch) =>
  Effect.gen(function* () {
    const stage = yield* plugin.make(raw)
    if (stage.computation._tag !== "batch") return yield* Effect.die(`${plugin.id} is not a batch group`)
    const out: FeatureColumns = yield* stage.computation.compute(batch)
    return { features: stage.features, out }
  })

const allNaN = (values: Float64Array | undefined): boolean => values !== undefined && values.every((value) => Number.isNaN(value))

describe("the same flows from different sources", () => {
  const rows = sampleFlowRows()
  const pcap = batchFromRows(rows, { columns: FLOWMETER_COLUMNS })

  for (const [source, columns] of [["zeek conn.log", ZEEK_COLUMNS], ["CICFlowMeter CSV", CIC_COLUMNS]] as const) {
    it.effect(`${source}: shared features equal the pcap source's, the others are null`, () =>
      Effect.gen(function* () {
        const exported = batchFromRows(rows, { columns })
        const have = new Set(columns)
        let shared = 0
        let missing = 0
        for (const { plugin, raw } of batchGroups()) {
          const fromPcap = yield* computeAll(plugin, raw, pcap)
          const fromExport = yield* computeAll(plugin, raw, exported)
          for (const feature of fromPcap.features) {
            const name = `${plugin.id}/${feature.name}`
            if (feature.requires.every((column) => have.has(column))) {
              shared++
              expect(Array.from(fromExport.out[feature.name]!), name).toEqual(Array.from(fromPcap.out[feature.name]!))
            } else {
              missing++
              expect(allNaN(fromExport.out[feature.name]), `${name} should be null without ${feature.requires.filter((c) => !have.has(c)).join(", ")}`).toBe(true)
            }
          }
        }
        expect(shared).toBeGreaterThan(10)
        expect(missing).toBeGreaterThan(10)
      }))
  }
})

describe("each feature reads exactly the columns it declares", () => {
  const rows = sampleFlowRows()
  const allColumns = Object.keys(rows[0]!)
  const full = batchFromRows(rows, { columns: allColumns })

  it.effect("only its required columns give the same values; without any one of them it is null", () =>
    Effect.gen(function* () {
      for (const { plugin, raw } of batchGroups()) {
        const reference = yield* computeAll(plugin, raw, full)
        for (const feature of reference.features) {
          const name = `${plugin.id}/${feature.name}`
          const values = reference.out[feature.name]!
          expect(allNaN(values), `${name} is null on every sample flow`).toBe(false)
          const only = yield* computeAll(plugin, raw, batchFromRows(rows, { columns: feature.requires }))
          expect(Array.from(only.out[feature.name]!), `${name} with only its requires`).toEqual(Array.from(values))
          for (const dropped of feature.requires) {
            const without = yield* computeAll(plugin, raw, batchFromRows(rows, { columns: allColumns.filter((c) => c !== dropped) }))
            expect(allNaN(without.out[feature.name]), `${name} without ${dropped}`).toBe(true)
          }
        }
      }
    }))
})

describe("a batch stored as Parquet and read back by the pipeline", () => {
  it.effect("gives every group the same features as the batch in memory", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-features-"))
      const written = batchFromRows(sampleFlowRows(), { columns: FLOWMETER_COLUMNS })
      const storage = yield* Storage
      const read = yield* Effect.ensuring(
        Effect.zipRight(storage.writeBatch(written, join(dir, "part.parquet")), storage.readParquet(join(dir, "part.parquet"))),
        Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      expect(read.numRows).toBe(written.numRows)
      for (const { plugin, raw } of batchGroups()) {
        const before = yield* computeAll(plugin, raw, written)
        const after = yield* computeAll(plugin, raw, read)
        for (const feature of before.features)
          expect(Array.from(after.out[feature.name]!), `${plugin.id}/${feature.name}`).toEqual(Array.from(before.out[feature.name]!))
      }
    }).pipe(Effect.provide(StorageLive({ threads: 1 }))))
})
