import { it } from "@effect/vitest"
import type { ConfigError, ConfigIssue, Registry } from "@hashhound/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { parsePipeline, type LoadedPipeline, type LoadOptions } from "../../src/config/index.js"
import { fakeRegistry } from "./fake-plugins.js"
import { VALID } from "./samples.js"

const BASE = "/srv/pipelines"
const OPTIONS: LoadOptions = { cpuCount: 4 }

const parse = (text: string, registry?: Registry) =>
  Effect.flatMap(registry === undefined ? fakeRegistry : Effect.succeed(registry), (reg) =>
    parsePipeline(text, { file: `${BASE}/p.yaml`, baseDir: BASE }, reg, OPTIONS)
  )

const refused = (text: string): Effect.Effect<ConfigError, LoadedPipeline> => Effect.flip(parse(text))

/** path, line, column and severity of each issue, for compact assertions */
const where = (issues: ReadonlyArray<ConfigIssue>) =>
  issues.map((issue) => ({ path: issue.path, line: issue.line, column: issue.column, severity: issue.severity }))

const byPath = (issues: ReadonlyArray<ConfigIssue>, path: string): ConfigIssue => {
  const found = issues.find((issue) => issue.path === path)
  if (found === undefined) throw new Error(`no issue at ${path}; got ${issues.map((issue) => issue.render()).join(" | ")}`)
  return found
}


describe("parsePipeline: a valid pipeline", () => {
  it.effect("decodes to the expected spec, string ids normalised to entries", () =>
    Effect.gen(function* () {
      const { spec, warnings, registry } = yield* parse(VALID)
      expect(warnings).toEqual([])
      expect(registry.find("model.fake-gbdt")).toBeDefined()
      expect(spec).toEqual({
        name: "lab-vs-campus",
        file: "/srv/pipelines/p.yaml",
        baseDir: "/srv/pipelines",
        output: "/srv/pipelines/runs/lab-vs-campus",
        plugins: [],
        datasets: [
          {
            name: "lab",
            source: {
              type: "source.fake-files",
              raw: { paths: ["captures/lab/*.pcap"], idle_timeout_s: 120 },
              path: "datasets.lab.source"
            },
            labels: [
              { type: "labeler.fake-ioc", raw: { lists: ["iocs/pools.csv"] }, path: "datasets.lab.labels.0" },
              { type: "labeler.fake-default", raw: {}, path: "datasets.lab.labels.1" }
            ]
          },
          {
            name: "campus",
            source: { type: "source.fake-files", raw: { paths: ["captures/campus"] }, path: "datasets.campus.source" },
            labels: []
          }
        ],
        qc: [{ type: "qc.fake-volume", raw: { fail: { zero_payload_share_above: 0.9 } }, path: "qc.0" }],
        features: [
          { type: "features.fake-volume", raw: {}, path: "features.0" },
          { type: "features.fake-temporal", raw: { window_s: 30 }, path: "features.1" }
        ],
        models: [{ type: "model.fake-gbdt", raw: { trees: 300, max_depth: 6 }, path: "models.0" }],
        reports: [{ type: "report.fake-html", raw: {}, path: "reports.0" }],
        evaluation: { train: ["lab"], test: ["campus"], target_fpr: [0.001, 0.0001] },
        options: { dataset_concurrency: 1, unit_concurrency: 2, label_skew_s: 0, allow_guarded_columns: [] }
      })
    }))

  it.effect("needs only name, output and datasets; everything else has defaults", () =>
    Effect.gen(function* () {
      const { spec } = yield* parse("name: tiny\noutput: /abs/out\ndatasets:\n  a: { source: { type: source.fake-live, interface: eth0 } }\n")
      expect(spec.output).toBe("/abs/out")
      expect(spec.qc).toEqual([])
      expect(spec.features).toEqual([])
      expect(spec.evaluation).toBeUndefined()
      expect(spec.options).toEqual({ dataset_concurrency: 2, unit_concurrency: 2, label_skew_s: 0, allow_guarded_columns: [] })
    }))

  it.effect("caps unit_concurrency at the CPU count with a warning", () =>
    Effect.gen(function* () {
      const { spec, warnings } = yield* parse(
        "name: t\noutput: o\ndatasets:\n  a: { source: { type: source.fake-live, interface: eth0 } }\noptions:\n  unit_concurrency: 64\n"
      )
      expect(spec.options.unit_concurrency).toBe(4)
      expect(where(warnings)).toEqual([{ path: "options.unit_concurrency", line: 6, column: 3, severity: "warning" }])
    }))
})

describe("parsePipeline: problems are all reported, with YAML paths and positions", () => {
  it.effect("an unknown key in one stage and a wrong type in another", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        [
          "name: broken",
          "output: out",
          "datasets:",
          "  campus:",
          "    source:",
          "      type: source.fake-files",
          '      paths: ["a.pcap"]',
          "      idle_timeout: 120",
          "models:",
          "  - type: model.fake-gbdt",
          "    trees: many",
          ""
        ].join("\n")
      )
      expect(error._tag).toBe("ConfigError")
      expect(error.file).toBe("/srv/pipelines/p.yaml")
      expect(where(error.issues)).toEqual([
        { path: "datasets.campus.source.idle_timeout", line: 8, column: 7, severity: "error" },
        { path: "models.0.trees", line: 11, column: 5, severity: "error" }
      ])
      const unknown = byPath(error.issues, "datasets.campus.source.idle_timeout")
      expect(unknown.message).toContain('did you mean "idle_timeout_s"?')
      expect(unknown.message).toContain("source.fake-files takes: paths, idle_timeout_s")
      expect(byPath(error.issues, "models.0.trees").message).toMatch(/Expected.*(number|integer|Int)/i)
      expect(error.message).toContain("datasets.campus.source.idle_timeout (line 8, column 7)")
      expect(error.message).toContain("2 problems")
    }))

  it.effect("a missing key is placed at the line of its parent mapping", () =>
    Effect.gen(function* () {
      const error = yield* refused("name: x\noutput: o\ndatasets:\n  lab:\n    source:\n      type: source.fake-files\n      idle_timeout_s: 3\n")
      const missing = byPath(error.issues, "datasets.lab.source.paths")
      expect(missing.line).toBe(5)
      expect(missing.message).toContain("is missing")
    }))

  it.effect("a missing top-level key and a missing `type`", () =>
    Effect.gen(function* () {
      const error = yield* refused("name: x\ndatasets:\n  lab:\n    source: { paths: [a] }\n")
      expect(byPath(error.issues, "output").message).toBe("required key is missing")
      const type = byPath(error.issues, "datasets.lab.source.type")
      expect(type.message).toContain("`type`")
      expect(type.line).toBe(4)
    }))

  it.effect("an unknown plugin id names the known ids of that kind and the closest one", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        "name: x\noutput: o\ndatasets:\n  lab:\n    source: { type: source.fake-file, paths: [a] }\nfeatures:\n  - features.fake-volum\nmodels:\n  - type: gbdt\n"
      )
      const source = byPath(error.issues, "datasets.lab.source.type")
      expect(source.message).toBe(
        'unknown plugin "source.fake-file"; did you mean "source.fake-files"? Known source plugins: source.fake-export, source.fake-files, source.fake-live.'
      )
      expect(source.line).toBe(5)
      const feature = byPath(error.issues, "features.0")
      expect(feature.message).toContain('did you mean "features.fake-volume"?')
      expect(feature.line).toBe(7)
      expect(byPath(error.issues, "models.0.type").message).toBe(
        'unknown plugin "gbdt"; did you mean "model.fake-gbdt"? Known model plugins: model.fake-gbdt.'
      )
    }))

  it.effect("a plugin of the wrong kind for its slot", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        "name: x\noutput: o\ndatasets:\n  lab:\n    source: { type: source.fake-files, paths: [a] }\n    labels: [features.fake-volume]\nmodels:\n  - { type: source.fake-files, paths: [a] }\n"
      )
      expect(where(error.issues)).toEqual([
        { path: "datasets.lab.labels.0", line: 6, column: 14, severity: "error" },
        { path: "models.0.type", line: 8, column: 7, severity: "error" }
      ])
      expect(byPath(error.issues, "models.0.type").message).toBe(
        '"source.fake-files" is a source plugin, but models takes model plugins (known: model.fake-gbdt)'
      )
      expect(byPath(error.issues, "datasets.lab.labels.0").message).toContain("datasets.lab.labels takes labeler plugins")
    }))

  it.effect("an unknown top-level key, with a suggestion", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        "name: x\noutput: o\ndatasets:\n  lab: { source: { type: source.fake-files, paths: [a] } }\nmodel:\n  - model.fake-gbdt\n"
      )
      expect(where(error.issues)).toEqual([{ path: "model", line: 5, column: 1, severity: "error" }])
      expect(error.issues[0]?.message).toMatch(/^unknown key; did you mean "models"\? \(allowed here: name, output, plugins, datasets/)
    }))

  it.effect("YAML syntax errors come with their line and column", () =>
    Effect.gen(function* () {
      const error = yield* refused("name: x\noutput: o\ndatasets:\n  lab:\n    source: { type: source.fake-files, paths: [a]\nmodels: []\n")
      expect(error.issues.length).toBeGreaterThan(0)
      expect(error.issues[0]?.message).toMatch(/^YAML syntax: /)
      expect(error.issues[0]?.line).toBe(6)
      const duplicate = yield* refused("name: x\noutput: o\nname: y\n")
      expect(duplicate.issues.map((issue) => [issue.message, issue.line, issue.column])).toEqual([
        ["YAML syntax: Map keys must be unique", 3, 1]
      ])
      const alias = yield* refused("name: x\noutput: *out\n")
      expect(alias.issues[0]?.message).toContain("*out")
      expect(alias.issues[0]?.line).toBe(2)
    }))

  it.effect("values of the wrong shape get plain-language messages", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        [
          "name: x",
          "output: o",
          "datasets:",
          "  lab:",
          "  web: { source: { type: source.fake-files, paths: [] }, labels: labeler.fake-default }",
          "qc: qc.fake-volume",
          "options: 3",
          "evaluation: { train: [] , test: [web] }",
          ""
        ].join("\n")
      )
      const errors = error.issues.filter((issue) => issue.severity === "error")
      expect(errors.map((issue) => [issue.path, issue.line, issue.message])).toEqual([
        ["datasets.lab", 4, "expected a dataset: a mapping with `source` and optional `labels`, actual null"],
        ["datasets.web.source.paths", 5, "needs at least one item"],
        ["datasets.web.labels", 5, "expected a list of entries (`- plugin.id` or `- { type: plugin.id, … }`)"],
        ["qc", 6, "expected a list of entries (`- plugin.id` or `- { type: plugin.id, … }`)"],
        ["options", 7, "expected a mapping of run options, actual 3"],
        ["evaluation.train", 8, "needs at least one item"]
      ])
    }))

  it.effect("an empty file and a file that is not a mapping", () =>
    Effect.gen(function* () {
      expect((yield* refused("# nothing\n")).issues[0]?.message).toContain("empty")
      expect((yield* refused("- a\n- b\n")).issues[0]?.message).toContain("expected a mapping")
    }))

  it.effect("reports shape, name, evaluation and stage problems together", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        [
          "name: x",
          "output: o",
          "colour: red",
          "datasets:",
          "  Lab:",
          "    source: { type: source.fake-files, paths: [a], idle_timeout_s: -1 }",
          "models:",
          "  - { type: model.fake-gbdt, trees: 0 }",
          "evaluation:",
          "  train: [lab]",
          "  test: []",
          "  target_fpr: [2]",
          "options:",
          "  dataset_concurrency: 0",
          ""
        ].join("\n")
      )
      expect(where(error.issues)).toEqual([
        { path: "colour", line: 3, column: 1, severity: "error" },
        { path: "datasets.Lab", line: 5, column: 3, severity: "error" },
        { path: "datasets.Lab.source.idle_timeout_s", line: 6, column: 52, severity: "error" },
        { path: "models.0.trees", line: 8, column: 30, severity: "error" },
        { path: "evaluation.train.0", line: 10, column: 11, severity: "error" },
        { path: "evaluation.target_fpr.0", line: 12, column: 16, severity: "error" },
        { path: "options.dataset_concurrency", line: 14, column: 3, severity: "error" }
      ])
      expect(byPath(error.issues, "evaluation.train.0").message).toBe('unknown dataset "lab"; did you mean "Lab"? (datasets: Lab)')
    }))
})

describe("parsePipeline: column requirements", () => {
  const pipeline = (features: string, options = "") =>
    [
      "name: req",
      "output: o",
      "datasets:",
      "  files: { source: { type: source.fake-files, paths: [a] } }",
      "  export:",
      "    source: { type: source.fake-export, paths: [b] }",
      "  live: { source: { type: source.fake-live, interface: eth0 } }",
      `features: ${features}`,
      options,
      ""
    ].join("\n")

  it.effect("a column a dataset cannot supply is a warning naming dataset, feature group and column", () =>
    Effect.gen(function* () {
      const { warnings } = yield* parse(pipeline("[features.fake-volume, { type: features.fake-temporal, use_early_packets: true }]"))
      expect(warnings.map((issue) => [issue.path, issue.severity, issue.line, issue.message])).toEqual([
        [
          "datasets.live.source",
          "warning",
          7,
          'source.fake-live declares no columns, so whether dataset "live" has what the feature groups need is unknown until it runs'
        ],
        [
          "features.0",
          "warning",
          8,
          'dataset "export": source.fake-export does not provide fwd_packets, bwd_packets, required by features.fake-volume; features that read them will be null for this dataset'
        ],
        [
          "features.1",
          "warning",
          8,
          'dataset "files": source.fake-files does not provide splt_iat_ms, required by features.fake-temporal; features that read it will be null for this dataset'
        ],
        [
          "features.1",
          "warning",
          8,
          'dataset "export": source.fake-export does not provide duration_s, splt_iat_ms, required by features.fake-temporal; features that read them will be null for this dataset'
        ]
      ])
    }))

  it.effect("a guarded column is an error unless options.allow_guarded_columns lists it", () =>
    Effect.gen(function* () {
      const error = yield* refused(pipeline("[features.fake-sni]"))
      const errors = error.issues.filter((issue) => issue.severity === "error")
      expect(where(errors)).toEqual([{ path: "features.0", line: 8, column: 12, severity: "error" }])
      expect(errors[0]?.message).toContain("reads guarded column tls_sni;")
      // the warnings (tls_sni missing from every source) travel with the error
      expect(error.issues.filter((issue) => issue.severity === "warning").length).toBeGreaterThan(0)

      const allowed = yield* parse(pipeline("[features.fake-sni]", "options: { allow_guarded_columns: [tls_sni, fwd_bytes] }"))
      expect(allowed.spec.options.allow_guarded_columns).toEqual(["tls_sni", "fwd_bytes"])
      expect(allowed.warnings.map((issue) => issue.path)).toContain("options.allow_guarded_columns.1")
    }))
})
