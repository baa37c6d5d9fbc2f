/**
 * The pipeline's before-running check sees features.host-pair's address requirement: an error
 * until the pipeline allows src_ip and dst_ip; the per-batch groups need nothing guarded.
 */
import { registryLayer, PluginRegistry } from "@hashhound/core"
import { checkRequirements } from "@hashhound/pipeline"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { FEATURE_PLUGINS } from "../feature-plugins.js"

const layer = registryLayer([{ source: "test", plugins: FEATURE_PLUGINS.map((entry) => entry.plugin) }])

const check = (allow: ReadonlyArray<string>) =>
  Effect.map(PluginRegistry, (registry) =>
    checkRequirements({
      datasets: [],
      features: FEATURE_PLUGINS.map((entry, index) => ({ type: entry.plugin.id, raw: {}, path: `features.${index}` })),
      allowGuardedColumns: allow,
      registry
    })
  ).pipe(Effect.provide(layer))

describe("guarded columns", () => {
  it.effect("only features.host-pair reads guarded columns, and validate reports it until they are allowed", () =>
    Effect.gen(function* () {
      const refused = (yield* check([])).filter((issue) => issue.severity === "error")
      const hostPair = FEATURE_PLUGINS.findIndex((entry) => entry.plugin.id === "features.host-pair")
      expect(refused.map((issue) => issue.path)).toEqual([`features.${hostPair}`])
      expect(refused[0]!.message).toContain("src_ip, dst_ip")
      expect((yield* check(["src_ip", "dst_ip"])).filter((issue) => issue.severity === "error")).toEqual([])
    }))
})
