import { it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { describe, expect } from "vitest"
import { contractViolations, definePlugin, makeRegistry, nonSnakeCaseKeys, type AnyPlugin } from "../src/index.js"

const source = definePlugin({
  id: "source.example-rows",
  kind: "source",
  version: "1.2.3",
  summary: "rows for tests",
  config: Schema.Struct({
    paths: Schema.Array(Schema.String),
    idle_timeout_s: Schema.optionalWith(Schema.Number, { default: () => 120 }),
    nested: Schema.optional(Schema.Struct({ max_rows: Schema.Number }))
  }),
  provides: ["src_ip"],
  make: () => Effect.succeed({ plan: () => Effect.succeed([]), read: () => Effect.die("unused") as never })
})

describe("plugin contract", () => {
  it("decodes config strictly and reports every problem with its YAML path", () => {
    const result = source.decode({ paths: "x", idle_timeout: 3, nested: { max_rows: "many" } }, "datasets.lab.source")
    expect(Either.isLeft(result)).toBe(true)
    const issues = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : []))
    const rendered = issues.map((issue) => issue.path).sort()
    expect(rendered).toEqual([
      "datasets.lab.source.idle_timeout",
      "datasets.lab.source.nested.max_rows",
      "datasets.lab.source.paths"
    ])
    expect(issues.find((i) => i.path.endsWith("idle_timeout"))?.message).toContain("unknown key")
  })

  it("reports a value that fits no member of a union once, naming every alternative", () => {
    const plugin = definePlugin({
      id: "qc.example-union",
      kind: "qc",
      version: "0.1.0",
      summary: "union-typed keys for tests",
      config: Schema.Struct({
        min_flows: Schema.optionalWith(Schema.NullOr(Schema.Number.pipe(Schema.nonNegative())), { default: () => 1 }),
        share: Schema.optional(Schema.NullOr(Schema.Number.pipe(Schema.between(0, 1)))),
        mode: Schema.optional(Schema.Union(Schema.Literal("fast", "exact"), Schema.Number)),
        window: Schema.optional(Schema.Union(Schema.String, Schema.Struct({ seconds: Schema.Number })))
      }),
      make: () => Effect.die("unused")
    })
    const issuesOf = (raw: unknown) =>
      Either.match(plugin.decode(raw, "qc.0"), { onLeft: (issues) => issues.map((issue) => `${issue.path}: ${issue.message}`), onRight: () => [] })
    expect(issuesOf({ min_flows: "many", share: 2, mode: true })).toEqual([
      'qc.0.min_flows: Expected number or null, actual "many"',
      "qc.0.share: Expected a number between 0 and 1 or null, actual 2",
      'qc.0.mode: Expected "fast", "exact" or number, actual true'
    ])
    // a mapping meant for the struct member: only the bad key inside it, not "Expected string"
    expect(issuesOf({ window: { seconds: "ten" } })).toEqual(['qc.0.window.seconds: Expected number, actual "ten"'])
    expect(issuesOf({ window: 5 })).toEqual(["qc.0.window: Expected string or { readonly seconds: number }, actual 5"])
  })

  it("applies defaults", () => {
    expect(source.decode({ paths: ["a.pcap"] })).toEqual(Either.right({ paths: ["a.pcap"], idle_timeout_s: 120 }))
  })

  it("finds config keys that are not snake_case, nested ones included", () => {
    const schema = Schema.Struct({ okKey: Schema.Number, good_one: Schema.Struct({ BadToo: Schema.String }) })
    expect(nonSnakeCaseKeys(schema)).toEqual(["okKey", "good_one.BadToo"])
  })

  it("names each contract violation", () => {
    const bad = { ...source, id: "Source.Bad_Name", version: "1", summary: " " } as AnyPlugin
    expect(contractViolations(bad)).toEqual([
      'id "Source.Bad_Name" is not <kind>.<kebab-name>',
      'id "Source.Bad_Name" does not start with its kind "source."',
      'version "1" is not semver',
      "summary is empty"
    ])
    expect(contractViolations(source)).toEqual([])
  })
})

describe("registry", () => {
  it.effect("lists plugins sorted and finds them by id and kind", () =>
    Effect.gen(function* () {
      const registry = yield* makeRegistry([{ source: "builtin", plugins: [source] }])
      expect(registry.plugins.map((p) => p.id)).toEqual(["source.example-rows"])
      expect((yield* registry.getKind("source.example-rows", "source")).id).toBe("source.example-rows")
      const wrongKind = yield* Effect.flip(registry.getKind("source.example-rows", "model"))
      expect(wrongKind._tag).toBe("UnknownPluginError")
      const unknown = yield* Effect.flip(registry.get("source.nope"))
      expect(unknown.message).toContain("source.example-rows")
    }))

  it.effect("refuses duplicate ids and contract violations", () =>
    Effect.gen(function* () {
      const twice = yield* Effect.flip(makeRegistry([{ source: "a", plugins: [source, source] }]))
      expect(twice._tag).toBe("InvalidPluginError")
      expect(twice.reason).toContain("registered twice")
      const camel = definePlugin({ ...source, id: "source.camel", config: Schema.Struct({ maxRows: Schema.Number }), make: () => Effect.die("x") })
      const refused = yield* Effect.flip(makeRegistry([{ source: "pkg", plugins: [camel] }]))
      expect(refused.reason).toContain('config key "maxRows" is not snake_case')
    }))

  it.effect("make decodes before building and fails with a ConfigError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(source.make({ paths: [1] }))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("paths.0")
    }))
})
