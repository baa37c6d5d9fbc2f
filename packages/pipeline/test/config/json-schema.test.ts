import { it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { parse as parseYaml } from "yaml"
import { extendRegistry, loadPluginPackages, parsePipeline, pipelineJsonSchema } from "../../src/config/index.js"
import { fakeRegistry } from "./fake-plugins.js"
import { checkJson, resolvePointer } from "./json-schema-check.js"
import { VALID } from "./samples.js"

const FIXTURES = fileURLToPath(new URL("../../../../test-fixtures/pipeline/", import.meta.url))

type Json = { readonly [key: string]: unknown }
const at = (value: unknown, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Json)[String(key)] : undefined), value)

const refs = (value: unknown): ReadonlyArray<string> => {
  if (Array.isArray(value)) return value.flatMap(refs)
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, item]) => (key === "$ref" && typeof item === "string" ? [item] : refs(item)))
}

describe("pipelineJsonSchema", () => {
  it.effect("is plain JSON whose $refs all resolve", () =>
    Effect.gen(function* () {
      const schema = pipelineJsonSchema(yield* fakeRegistry)
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema)
      expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#")
      const all = refs(schema)
      expect(all.length).toBeGreaterThan(10)
      for (const ref of all) expect(resolvePointer(schema, ref), ref).toBeDefined()
    }))

  it.effect("offers, per slot, the plugins of that slot's kind as closed objects with type const", () =>
    Effect.gen(function* () {
      const schema = pipelineJsonSchema(yield* fakeRegistry)
      expect(at(schema, "properties", "models", "items")).toEqual({ $ref: "#/$defs/entry:model" })
      const modelSlot = at(schema, "$defs", "entry:model", "anyOf")
      expect(modelSlot).toEqual([
        { type: "string", enum: ["model.fake-gbdt"], description: "plugin id (all config keys at their defaults)" },
        { $ref: "#/$defs/plugin:model.fake-gbdt" }
      ])
      const gbdt = at(schema, "$defs", "plugin:model.fake-gbdt")
      expect(at(gbdt, "properties", "type", "const")).toBe("model.fake-gbdt")
      expect(at(gbdt, "additionalProperties")).toBe(false)
      // keys with defaults are not required
      expect(at(gbdt, "required")).toEqual(["type"])
      expect(at(gbdt, "properties", "trees")).toMatchObject({ type: "integer", description: "number of trees", exclusiveMinimum: 0 })
      const files = at(schema, "$defs", "plugin:source.fake-files")
      expect(at(files, "required")).toEqual(["type", "paths"])
      expect(at(files, "properties", "idle_timeout_s", "description")).toBe("seconds of silence that end a flow")
      // sources need config, so no bare ids there
      expect(at(schema, "$defs", "entry:source", "anyOf")).toEqual([
        { $ref: "#/$defs/plugin:source.fake-export" },
        { $ref: "#/$defs/plugin:source.fake-files" },
        { $ref: "#/$defs/plugin:source.fake-live" }
      ])
      expect(at(schema, "$defs", "plugin:features.fake-volume")).toMatchObject({ properties: { type: { const: "features.fake-volume" } }, additionalProperties: false })
      expect(at(schema, "properties", "options", "required")).toEqual([])
      expect(at(schema, "properties", "evaluation", "required")).toEqual(["train", "test"])
      expect(at(schema, "additionalProperties")).toBe(false)
    }))

  it.effect("accepts the pipelines the decoder accepts, and refuses the mistakes it refuses", () =>
    Effect.gen(function* () {
      const registry = yield* fakeRegistry
      const schema = pipelineJsonSchema(registry)
      const decodes = (text: string) =>
        Effect.runSync(Effect.either(parsePipeline(text, { baseDir: "/p" }, registry, { cpuCount: 8 })))
      const good = [
        VALID,
        "name: t\noutput: o\ndatasets:\n  a: { source: { type: source.fake-live, interface: eth0 } }\n",
        "name: t\noutput: o\ndatasets:\n  a-1: { source: { type: source.fake-export, paths: [x] }, labels: [labeler.fake-default] }\nqc: [qc.fake-volume]\noptions: { label_skew_s: 2.5 }\n"
      ]
      for (const text of good) {
        expect(Either.isRight(decodes(text))).toBe(true)
        expect(checkJson(schema, parseYaml(text))).toEqual([])
      }
      const base = "name: t\noutput: o\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x] } }\n"
      const bad = [
        `${base}colour: red\n`,
        "name: t\noutput: o\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x], idle_timeout: 3 } }\n",
        "name: t\noutput: o\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x], idle_timeout_s: -3 } }\n",
        `${base}models: [{ type: model.fake-gbdt, trees: many }]\n`,
        `${base}models: [{ type: source.fake-files, paths: [x] }]\n`,
        `${base}features: [features.nope]\n`,
        "name: t\noutput: o\ndatasets:\n  Lab: { source: { type: source.fake-files, paths: [x] } }\n",
        "name: t\ndatasets:\n  a: { source: { type: source.fake-files, paths: [x] } }\n",
        `${base}evaluation: { train: [a], test: [], target_fpr: [1.5] }\n`
      ]
      for (const text of bad) {
        expect(Either.isLeft(decodes(text)), text).toBe(true)
        expect(checkJson(schema, parseYaml(text)).length, text).toBeGreaterThan(0)
      }
    }))

  it.effect("covers third-party plugins once they are in the registry", () =>
    Effect.gen(function* () {
      const groups = yield* loadPluginPackages(["./third-party-plugin"], FIXTURES)
      const registry = yield* extendRegistry(yield* fakeRegistry, groups, ["./third-party-plugin"])
      const schema = pipelineJsonSchema(registry)
      expect(at(schema, "$defs", "plugin:features.byte-ratio", "properties", "smoothing", "description")).toBe(
        "added to both byte counts before dividing"
      )
      const text = readFileSync(`${FIXTURES}third-party.yaml`, "utf8")
      expect(checkJson(schema, parseYaml(text))).toEqual([])
    }))
})
