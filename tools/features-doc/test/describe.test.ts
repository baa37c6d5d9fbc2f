/**
 * `hashhound features --describe` prints the catalogue of the registered feature groups, the
 * same one docs/features.md holds.
 */
import { it } from "@effect/vitest"
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { registryLayer } from "@hashhound/core"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, vi } from "vitest"
import { featureCatalogue, featuresCommand } from "../../../packages/cli/src/commands/features.js"
import { FEATURE_PLUGINS } from "../feature-plugins.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const plugins = FEATURE_PLUGINS.map((entry) => entry.plugin)

/** Run `hashhound features ARGS…` with the feature groups registered; the printed lines. */
const run = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...items: Array<unknown>) => {
      lines.push(items.map(String).join(" "))
    })
    const cli = Command.run(featuresCommand, { name: "hashhound features", version: "0.0.0" })
    yield* Effect.ensuring(
      cli(["node", "hashhound-features", ...args]).pipe(Effect.provide(Layer.mergeAll(NodeContext.layer, registryLayer([{ source: "test", plugins }])))),
      Effect.sync(() => spy.mockRestore())
    )
    return lines.join("\n")
  })

afterEach(() => {
  vi.restoreAllMocks()
})

describe("hashhound features", () => {
  it.effect("--describe lists every feature with unit, dtype, requirements and description, per group", () =>
    Effect.gen(function* () {
      const text = yield* run(["--describe"])
      const groups = yield* featureCatalogue(plugins)
      for (const group of groups) {
        expect(text).toContain(`${group.id} ${group.version}`)
        for (const feature of group.features) expect(text).toMatch(new RegExp(`^  ${feature.name} +${feature.unit.replace(/[/]/g, "\\/")} +${feature.dtype} `, "m"))
      }
      expect(text).toMatch(/^ {2}bytes_per_s +bytes\/s +float64 +fwd_bytes, bwd_bytes, duration_s +bytes_total \/ duration/m)
      expect(text).toContain("src_ip (guarded), dst_ip (guarded), first_seen_us")
      expect(text).toContain("[only with mining_port_prior: true]")
    }))

  it.effect("--describe --format markdown prints docs/features.md", () =>
    Effect.gen(function* () {
      const text = yield* run(["--describe", "--format", "markdown"])
      expect(`${text}\n`).toBe(readFileSync(join(root, "docs", "features.md"), "utf8"))
    }))

  it.effect("--describe --format json is the catalogue as data", () =>
    Effect.gen(function* () {
      const parsed = JSON.parse(yield* run(["--describe", "--format", "json"])) as Array<{ id: string; features: Array<{ name: string }> }>
      expect(parsed.map((group) => group.id)).toEqual([...plugins.map((p) => p.id)].sort())
      expect(parsed.find((group) => group.id === "features.ports")!.features.map((f) => f.name)).toContain("known_mining_port")
    }))

  it.effect("without --describe: one line per group", () =>
    Effect.gen(function* () {
      const text = yield* run([])
      expect(text.split("\n")[0]).toMatch(/^group +features +computation +summary$/)
      expect(text).toMatch(/^features\.host-pair +3 +sql /m)
      expect(text).toMatch(/^features\.volume +15 +batch /m)
    }))
})
