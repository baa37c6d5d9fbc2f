/**
 * The built-in list: every plugin package of the workspace listed once, under the kind its
 * plugins have, and a registry of some kinds that loads only those packages.
 */
import { it } from "@effect/vitest"
import { PluginRegistry } from "@hashhound/core"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { builtinPackages, builtinRegistryLayer, loadBuiltins } from "../src/builtin-plugins.js"

const pluginsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "plugins")

describe("built-in plugins", () => {
  it("lists every plugin package of the workspace once", () => {
    const workspace = readdirSync(pluginsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => (JSON.parse(readFileSync(join(pluginsDir, entry.name, "package.json"), "utf8")) as { name: string }).name)
      .sort()
    expect(builtinPackages.map((entry) => entry.source).sort()).toEqual(workspace)
  })

  it.effect("files each package under the kind of every plugin it holds", () =>
    Effect.gen(function* () {
      const groups = yield* loadBuiltins()
      expect(groups.length).toBe(builtinPackages.length)
      for (const [index, group] of groups.entries()) {
        const entry = builtinPackages[index]!
        expect(group.source).toBe(entry.source)
        expect(group.plugins.length, entry.source).toBeGreaterThan(0)
        for (const plugin of group.plugins) expect(plugin.kind, `${entry.source}: ${plugin.id}`).toBe(entry.kind)
      }
    }))

  it.effect("a registry of some kinds holds exactly the plugins of those kinds", () =>
    Effect.gen(function* () {
      const all = yield* Effect.provide(PluginRegistry, builtinRegistryLayer())
      const sources = yield* Effect.provide(PluginRegistry, builtinRegistryLayer(["source"]))
      const expected = all.plugins.filter((plugin) => plugin.kind === "source").map((plugin) => plugin.id)
      expect(expected.length).toBeGreaterThanOrEqual(6)
      expect(sources.plugins.map((plugin) => plugin.id).sort()).toEqual([...expected].sort())
    }))
})
