import { it } from "@effect/vitest"
import type { ConfigError, PluginError } from "@hashhound/core"
import { Effect, Either } from "effect"
import { describe, expect } from "vitest"
import { makeFromRaw, makeFromYaml, parseStageYaml } from "../src/index.js"
import { makeTestLabeler } from "./plugins/test-stages.js"
import { sampleBatch } from "../src/index.js"

const labeler = makeTestLabeler()
const info = { dataset: "d", capture: "c", batch: 0 }
const configError = (error: ConfigError | PluginError): ConfigError => {
  expect(error._tag).toBe("ConfigError")
  return error as ConfigError
}

describe("makeFromYaml", () => {
  it.effect("makes a working stage from a stage entry", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(labeler, "type: labeler.test-ports\nports: [3333]\n")
      const answer = yield* stage.label(sampleBatch(), info)
      expect(answer.label).toEqual(["mining", null, null, null, null, null])
    }))

  it.effect("refuses a missing or different type with a ConfigError at path type", () =>
    Effect.gen(function* () {
      const other = configError(yield* Effect.flip(makeFromYaml(labeler, "type: labeler.other\nports: [1]\n")))
      expect(other._tag).toBe("ConfigError")
      expect(other.issues.map((i) => i.render())).toEqual(['type (line 1, column 7): type is "labeler.other" but this plugin is "labeler.test-ports"'])
      const none = configError(yield* Effect.flip(makeFromYaml(labeler, "ports: [1]\n")))
      expect(none.issues[0]!.message).toBe('missing `type` (expected "labeler.test-ports")')
    }))

  it.effect("names the path and line of bad and unknown keys", () =>
    Effect.gen(function* () {
      const error = configError(yield* Effect.flip(makeFromYaml(labeler, "type: labeler.test-ports\nports: [1, x]\nlabel: evil\nextra_key: 1\n", { file: "stage.yaml" })))
      expect(error._tag).toBe("ConfigError")
      expect(error.file).toBe("stage.yaml")
      const rendered = error.issues.map((i) => i.render())
      expect(rendered.some((r) => r.startsWith("ports.1 (line 2, column 12)"))).toBe(true)
      expect(rendered.some((r) => r.startsWith("label (line 3, column 8)"))).toBe(true)
      expect(rendered).toContain("extra_key (line 4, column 12): unknown key (not part of this plugin's config)")
    }))

  it.effect("reports YAML syntax errors and non-mapping entries", () =>
    Effect.gen(function* () {
      const syntax = configError(yield* Effect.flip(makeFromYaml(labeler, "type: labeler.test-ports\nports: [1\n")))
      expect(syntax.issues[0]!.message).toMatch(/^YAML: /)
      expect(syntax.issues[0]!.line).toBeGreaterThan(0)
      const list = configError(yield* Effect.flip(makeFromYaml(labeler, "- 1\n- 2\n")))
      expect(list.issues[0]!.message).toMatch(/must be a mapping/)
    }))

  it.effect("makeFromRaw takes a parsed entry", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromRaw(labeler, { type: "labeler.test-ports", ports: [22], label: "benign" })
      expect((yield* stage.label(sampleBatch(), info)).label[5]).toBe("benign")
      const error = configError(yield* Effect.flip(makeFromRaw(labeler, { type: "labeler.test-ports", ports: "22" })))
      expect(error.issues[0]!.path).toBe("ports")
    }))

  it("parseStageYaml gives positions of nested paths", () => {
    const parsed = parseStageYaml("type: x\nmap:\n  a: 1\n")
    expect(Either.isRight(parsed) && parsed.right.positionOf("map.a")).toEqual({ line: 3, column: 6 })
  })
})
