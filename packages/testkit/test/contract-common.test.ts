import { it } from "@effect/vitest"
import { ConfigIssue, definePlugin, type AnyPlugin } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import { describe, expect } from "vitest"
import {
  checkBadConfigFailsTagged,
  checkExampleDecodes,
  checkMakeExample,
  checkManifest,
  checkReadme,
  checkSnakeCaseKeys,
  checkUnknownKeyRejected,
  checkWrongTypeRejected,
  headingsOf,
  pluginContract,
  pluginContractViolations,
  topLevelKeys
} from "../src/index.js"
import { FULL_README, pluginFolder } from "./plugins/folder.js"
import { makeTestQc } from "./plugins/test-stages.js"

const good = makeTestQc()
const goodExample = pluginFolder("type: qc.test-min-rows\nmin_rows: 10\n", FULL_README(["min_rows"], "Output"))

// The real suite on a good plugin.
pluginContract(good, { exampleYaml: goodExample })

const lax = (plugin: AnyPlugin): AnyPlugin => ({ ...plugin, decode: () => Either.right({}) }) as AnyPlugin

describe("the common contract catches broken plugins", () => {
  it("a bad id, a kind that does not match the id, a bad version", () => {
    expect(checkManifest({ ...good, id: "qc.Bad_Name" } as AnyPlugin).join("\n")).toMatch(/not <kind>\.<kebab-name>/)
    expect(checkManifest({ ...good, kind: "labeler" } as unknown as AnyPlugin).join("\n")).toMatch(/does not start with its kind "labeler\."/)
    expect(checkManifest({ ...good, version: "1" } as AnyPlugin).join("\n")).toMatch(/not semver/)
    expect(checkManifest({ ...good, make: undefined } as unknown as AnyPlugin).join("\n")).toMatch(/shape/)
    expect(checkManifest(good)).toEqual([])
  })

  it.effect("an example.yaml that names another plugin or does not decode", () =>
    Effect.gen(function* () {
      const other = yield* checkExampleDecodes(good, pluginFolder("type: qc.other\nmin_rows: 1\n"))
      expect(other.join("\n")).toMatch(/type is "qc.other" but the plugin id is "qc.test-min-rows"/)
      const bad = yield* checkExampleDecodes(good, pluginFolder("type: qc.test-min-rows\nmin_rows: -3\n"))
      expect(bad.join("\n")).toMatch(/does not decode: min_rows/)
      const broken = yield* checkExampleDecodes(good, pluginFolder("type: qc.test-min-rows\nmin_rows: [\n"))
      expect(broken.join("\n")).toMatch(/YAML/)
      const missing = yield* checkExampleDecodes(good, "/nonexistent/example.yaml")
      expect(missing.join("\n")).toMatch(/cannot read/)
    }))

  it("an unknown key accepted, or refused without naming it", () => {
    expect(checkUnknownKeyRejected(lax(good), {}).join("\n")).toMatch(/was accepted/)
    const pathless = { ...good, decode: () => Either.left([new ConfigIssue({ path: "", message: "no" })]) } as AnyPlugin
    expect(checkUnknownKeyRejected(pathless, {}).join("\n")).toMatch(/no issue names/)
    expect(checkUnknownKeyRejected(good, { min_rows: 1 })).toEqual([])
  })

  it("a key that accepts any value, or a refusal that names the wrong path", () => {
    const anything = definePlugin({ ...manifestOf(), config: Schema.Struct({ min_rows: Schema.Unknown }) })
    expect(checkWrongTypeRejected(anything, { min_rows: 1 })).toEqual(['config key "min_rows" accepts a value of every type (string, number, boolean, array, object, null)'])
    expect(checkWrongTypeRejected(anything, { min_rows: 1 }, ["min_rows"])).toEqual([])
    const misnamed = {
      ...good,
      decode: (raw: unknown) =>
        typeof (raw as { min_rows?: unknown }).min_rows === "number" ? Either.right(raw) : Either.left([new ConfigIssue({ path: "elsewhere", message: "no" })])
    } as AnyPlugin
    expect(checkWrongTypeRejected(misnamed, { min_rows: 1 }).join("\n")).toMatch(/no issue names "min_rows"/)
    expect(checkWrongTypeRejected(good, { min_rows: 1 })).toEqual([])
  })

  it("camelCase config keys", () => {
    const camel = definePlugin({ ...manifestOf(), config: Schema.Struct({ minRows: Schema.Number, nested: Schema.Struct({ okKey: Schema.String }) }) })
    expect(checkSnakeCaseKeys(camel)).toEqual(['config key "minRows" is not snake_case', 'config key "nested.okKey" is not snake_case'])
    expect(topLevelKeys(camel.config)).toEqual(["minRows", "nested"])
  })

  it.effect("a README without the sections or without a config key", () =>
    Effect.gen(function* () {
      const dir = pluginFolder("type: qc.test-min-rows\n", "# qc\n## Configuration\nnothing\n## Errors\n")
      const problems = yield* checkReadme(good, dir.replace("example.yaml", "README.md"))
      expect(problems).toEqual(['README.md has no "Output" section', 'README.md has no "Example" section', 'README.md does not mention config key "min_rows"'])
      expect(yield* checkReadme(good, "/nonexistent/README.md")).toEqual(["README.md not found at /nonexistent/README.md"])
      expect(headingsOf("# A\ntext\n### Output columns ###\n")).toEqual(["A", "Output columns"])
    }))

  it.effect("make that fails with a raw Error, dies, or refuses with the wrong tag", () =>
    Effect.gen(function* () {
      const raw = { ...good, make: () => Effect.fail(new Error("boom")) } as unknown as AnyPlugin
      expect((yield* checkBadConfigFailsTagged(raw, {})).join("\n")).toMatch(/untagged value \(Error: boom\)/)
      const dies = { ...good, make: () => Effect.die("kaput") } as unknown as AnyPlugin
      expect((yield* checkMakeExample(dies, {})).join("\n")).toMatch(/died/)
      const throws = { ...good, make: () => { throw new Error("sync throw") } } as unknown as AnyPlugin
      expect((yield* checkMakeExample(throws, {})).join("\n")).toMatch(/died .*sync throw/)
      const accepting = lax(good)
      expect((yield* checkBadConfigFailsTagged({ ...accepting, make: () => Effect.succeed({}) } as unknown as AnyPlugin, {})).join("\n")).toMatch(/succeeded but should have failed/)
      expect(yield* checkBadConfigFailsTagged(good, { min_rows: 1 })).toEqual([])
    }))

  it.effect("all common violations at once", () =>
    Effect.gen(function* () {
      const broken = { ...lax(good), id: "qc.Broken" } as AnyPlugin
      const violations = yield* pluginContractViolations(broken, { exampleYaml: pluginFolder("type: qc.Broken\n", "# nothing\n") })
      expect(violations.length).toBeGreaterThanOrEqual(5)
      expect(violations.some((v) => v.startsWith("manifest follows the contract"))).toBe(true)
      expect(violations.some((v) => v.startsWith("an unknown config key is rejected"))).toBe(true)
      expect(violations.some((v) => v.startsWith("README.md has the required sections"))).toBe(true)
      expect(yield* pluginContractViolations(good, { exampleYaml: goodExample })).toEqual([])
    }))
})

function manifestOf() {
  return {
    id: "qc.test-min-rows",
    kind: "qc" as const,
    version: "0.1.0",
    summary: "s",
    make: () => Effect.succeed({ phase: "flows" as const, check: () => Effect.succeed([]), finish: () => Effect.succeed([]) })
  }
}
