import { it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { isPluginPath, loadPipeline, loadPluginPackages } from "../../src/config/index.js"
import { folderEntry } from "../../src/config/plugin-packages.js"
import { fakeRegistry } from "./fake-plugins.js"

const FIXTURES = fileURLToPath(new URL("../../../../test-fixtures/pipeline/", import.meta.url))

describe("third-party plugin packages", () => {
  it("names starting with . are paths, others package names", () => {
    expect(isPluginPath("./third-party-plugin")).toBe(true)
    expect(isPluginPath("../plugins/x")).toBe(true)
    expect(isPluginPath("/abs/plugin")).toBe(true)
    expect(isPluginPath("@acme/hashhound-plugin-netflow-v9")).toBe(false)
    expect(isPluginPath("hashhound-plugin-x")).toBe(false)
  })

  it.effect("a pipeline naming a package by relative path loads its plugins into the registry", () =>
    Effect.gen(function* () {
      const registry = yield* fakeRegistry
      const { spec, registry: extended, warnings } = yield* loadPipeline(join(FIXTURES, "third-party.yaml"), registry, { cpuCount: 2 })
      expect(warnings).toEqual([])
      expect(spec.plugins).toEqual(["./third-party-plugin"])
      expect(spec.baseDir).toBe(FIXTURES.replace(/\/$/, ""))
      expect(spec.output).toBe(join(FIXTURES, "runs/third-party"))
      expect(spec.features).toEqual([
        { type: "features.fake-volume", raw: {}, path: "features.0" },
        { type: "features.byte-ratio", raw: { smoothing: 0.5 }, path: "features.1" }
      ])
      const plugin = extended.find("features.byte-ratio")
      expect(plugin?.kind).toBe("features")
      expect(plugin?.requires).toEqual(["fwd_bytes", "bwd_bytes"])
      // the given registry is left as it was
      expect(registry.find("features.byte-ratio")).toBeUndefined()
      // the loaded plugin builds a working stage
      const stage = yield* extended.getKind("features.byte-ratio", "features").pipe(Effect.flatMap((p) => p.make({ smoothing: 0 })))
      expect(stage.features.map((feature) => feature.name)).toEqual(["byte_ratio"])
    }))

  it("a plugin folder's entry is its exports map's \".\" (string or import/default), else the folder for require", () => {
    const dir = mkdtempSync(join(tmpdir(), "hh-config-"))
    const folder = (name: string, manifest: Record<string, unknown>): string => {
      mkdirSync(join(dir, name, "src"), { recursive: true })
      writeFileSync(join(dir, name, "package.json"), JSON.stringify({ name, version: "0.1.0", type: "module", ...manifest }))
      return join(dir, name)
    }
    // as the generator writes it: an exports map and no main (require alone would not find it)
    expect(folderEntry(folder("a", { exports: { ".": "./src/index.ts" } }))).toBe(join(dir, "a", "src", "index.ts"))
    expect(folderEntry(folder("b", { exports: { ".": { import: "./src/entry.mjs", require: "./src/entry.cjs" } } }))).toBe(join(dir, "b", "src", "entry.mjs"))
    expect(folderEntry(folder("c", { exports: "./src/only.mjs" }))).toBe(join(dir, "c", "src", "only.mjs"))
    expect(folderEntry(folder("d", { main: "index.mjs" }))).toBe(join(dir, "d"))
    expect(folderEntry(join(dir, "a", "package.json"))).toBe(join(dir, "a", "package.json"))
    expect(folderEntry(join(dir, "missing"))).toBe(join(dir, "missing"))
    writeFileSync(join(dir, "d", "package.json"), "{ not json")
    expect(folderEntry(join(dir, "d"))).toBe(join(dir, "d"))
  })

  it.effect("the loaded plugin's config is checked in pass 2 like a built-in's", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-config-"))
      const file = join(dir, "p.yaml")
      writeFileSync(
        file,
        `name: x\noutput: out\nplugins: ["${join(FIXTURES, "third-party-plugin")}"]\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x] } }\nfeatures:\n  - { type: features.byte-ratio, smoothing: -1, extra: 1 }\n`
      )
      const error = yield* Effect.flip(loadPipeline(file, yield* fakeRegistry))
      expect(error.issues.map((issue) => [issue.path, issue.line])).toEqual([
        ["features.0.smoothing", 7],
        ["features.0.extra", 7]
      ])
    }))

  it.effect("a broken package and a missing one are refused, each at its plugins.<i> line", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadPipeline(join(FIXTURES, "bad-third-party.yaml"), yield* fakeRegistry))
      expect(error.issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
        ["plugins.0", 5, 5],
        ["plugins.0", 5, 5],
        ["plugins.1", 6, 5]
      ])
      const [notPlugin, contract, missing] = error.issues.map((issue) => issue.message)
      expect(notPlugin).toBe('package "./bad-plugin": plugins[0] is not a plugin (make plugins with definePlugin from @hashhound/core)')
      expect(contract).toContain('plugin "model.camel" breaks the plugin contract')
      expect(contract).toContain('does not start with its kind "features."')
      expect(contract).toContain('version "1.0" is not semver')
      expect(contract).toContain('config key "maxDepth" is not snake_case')
      expect(missing).toMatch(/^cannot load plugin package "\.\/no-such-plugin": /)
    }))

  it.effect("loadPluginPackages: a package without a plugins export, and an id clash with a built-in", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-plugins-"))
      writeFileSync(join(dir, "empty.mjs"), "export const other = 1\n")
      const refused = yield* Effect.flip(loadPluginPackages(["./empty.mjs"], dir))
      expect(refused.issues.map((issue) => [issue.path, issue.message])).toEqual([
        ["plugins.0", 'package "./empty.mjs" exports no `plugins` list (export const plugins = [ … ])']
      ])

      writeFileSync(
        join(dir, "clash.yaml"),
        `name: x\noutput: o\nplugins: ["${join(FIXTURES, "third-party-plugin")}", "${join(FIXTURES, "third-party-plugin", "index.mjs")}"]\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x] } }\n`
      )
      const clash = yield* Effect.flip(loadPipeline(join(dir, "clash.yaml"), yield* fakeRegistry))
      expect(clash.issues.map((issue) => [issue.path, issue.line])).toEqual([["plugins.1", 3]])
      expect(clash.issues[0]?.message).toContain('plugin id "features.byte-ratio" is already registered by')
    }))

  it.effect("an unreadable pipeline file is a ConfigError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadPipeline("/nonexistent/pipeline.yaml", yield* fakeRegistry))
      expect(error.file).toBe("/nonexistent/pipeline.yaml")
      expect(error.issues[0]?.message).toMatch(/^cannot read the pipeline file: ENOENT/)
    }))
})
