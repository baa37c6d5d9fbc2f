/**
 * The feature artefacts over the test plugins: qc/features.json (per feature the flows where it
 * is non-null, checked against DuckDB over the stored feature Parquet; `init_win` needs
 * `fwd_init_win`, which no test source has, so it is 0 with that column named; a column stored
 * but null everywhere is named as empty) and qc/feature-sample.json (at most 2,000 flows,
 * stratified by label so that every one of a few mining flows is there, mining rows last, the
 * values those flows have in the feature Parquet). Reruns keep both files; a group's config
 * change or a relabel rewrites them; a run interrupted in the middle of reading ends with the
 * same bytes as an uninterrupted one; a dataset that fails QC loses them; reports get them.
 * The report's golden case holds artefacts of this format (checked here, since the plugin's
 * tests may not import the pipeline).
 */
import { it } from "@effect/vitest"
import { definePlugin, registryLayer, type FlowBatch } from "@hashhound/core"
import { Effect, Layer, Schema } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { runPipeline } from "../../src/run/index.js"
import { FEATURE_SAMPLE_ROWS, FeatureAvailability, FeatureSample, sampleQuotas } from "../../src/run/feature-artefacts.js"
import { Progress } from "../../src/spec.js"
import { StorageLive } from "../../src/storage/index.js"
import { changed, duckRows, snapshot } from "./support/files.js"
import { testSpec, writeUnit } from "./support/inputs.js"
import { testPlugins } from "./support/plugins.js"

/** The first early packet's signed length: null for a flow without early packets. */
const earlyFeatures = definePlugin({
  id: "features.test-early",
  kind: "features",
  version: "1.0.0",
  summary: "first early packet length",
  config: Schema.Struct({}),
  requires: ["splt_len"],
  make: () =>
    Effect.succeed({
      features: [{ name: "first_len", unit: "bytes", dtype: "int32" as const, description: "splt_len[0]", requires: ["splt_len"] }],
      computation: {
        _tag: "batch" as const,
        compute: (batch: FlowBatch) =>
          Effect.sync(() => {
            const lists = batch.getChild("splt_len")
            const out = new Float64Array(batch.numRows).fill(Number.NaN)
            for (let row = 0; row < batch.numRows; row++) {
              const list = lists?.get(row) as { readonly length: number; get: (i: number) => unknown } | null | undefined
              if (list !== null && list !== undefined && list.length > 0) out[row] = Number(list.get(0))
            }
            return { first_len: out }
          })
      }
    })
})

const testLayer = () =>
  Layer.mergeAll(registryLayer([{ source: "test", plugins: [...testPlugins, earlyFeatures] }]), StorageLive({ threads: 2 }), Layer.succeed(Progress, Progress.silent))

const root = mkdtempSync(join(tmpdir(), "hh-feature-artefacts-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** lab: 2 units, 30 % mining; rare: 3,400 flows of which only 12 mining, splt_len absent everywhere. */
beforeAll(() => {
  writeUnit(join(root, "inputs/lab/a.jsonl"), 21, 230, 0)
  writeUnit(join(root, "inputs/lab/b.jsonl"), 22, 180, 0)
  writeUnit(join(root, "inputs/rare/r.jsonl"), 23, 3400, 0)
  let mining = 0
  const lines = readFileSync(join(root, "inputs/rare/r.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter((line) => {
      const row = JSON.parse(line) as Record<string, unknown>
      return row["label_raw"] !== "MINER" || ++mining <= 12
    })
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>
      delete row["splt_len"]
      return JSON.stringify(row)
    })
  writeFileSync(join(root, "inputs/rare/r.jsonl"), `${lines.join("\n")}\n`)
})

const spec = (output: string, overrides: Partial<Parameters<typeof testSpec>[0]> = {}) =>
  testSpec({
    baseDir: root,
    output: join(root, output),
    datasets: [
      { name: "lab", source: "source.test-lines", paths: ["inputs/lab"] },
      { name: "rare", source: "source.test-replay", paths: ["inputs/rare"], sourceOptions: { batch_rows: 500 } }
    ],
    features: [{ type: "features.test-volume" }, { type: "features.test-fanin" }, { type: "features.test-early" }],
    models: [],
    reports: [{ type: "report.test-artefacts" }],
    ...overrides
  })

const availabilityOf = (output: string, dataset: string) =>
  Schema.decodeUnknownSync(FeatureAvailability)(JSON.parse(readFileSync(join(root, output, "datasets", dataset, "qc/features.json"), "utf8")))
const sampleOf = (output: string, dataset: string) =>
  Schema.decodeUnknownSync(FeatureSample)(JSON.parse(readFileSync(join(root, output, "datasets", dataset, "qc/feature-sample.json"), "utf8")))

const feature = (availability: FeatureAvailability, name: string) => availability.groups.flatMap((group) => group.features).find((f) => f.name === name)

describe("feature artefacts", () => {
  it.effect("features.json counts non-null flows per feature and names the columns a dataset lacks", () =>
    Effect.gen(function* () {
      yield* runPipeline(spec("first")).pipe(Effect.provide(testLayer()))
      const lab = availabilityOf("first", "lab")
      expect(lab.flows).toBe(410)
      expect(lab.groups.map((group) => [group.group, group.type, group.features.map((f) => f.name)])).toEqual([
        ["features.test-volume", "features.test-volume", ["total_bytes", "bytes_ratio", "init_win"]],
        ["features.test-fanin", "features.test-fanin", ["port_flows"]],
        ["features.test-early", "features.test-early", ["first_len"]]
      ])
      // the counts DuckDB gives over the stored feature Parquet
      const [counted] = yield* Effect.promise(() =>
        duckRows(
          `SELECT count(*)::INT AS n, count(total_bytes)::INT AS total, count(init_win)::INT AS init FROM read_parquet('${join(root, "first/datasets/lab/features/features.test-volume")}/*.parquet')`
        )
      )
      const [early] = yield* Effect.promise(() =>
        duckRows(`SELECT count(first_len)::INT AS n FROM read_parquet('${join(root, "first/datasets/lab/features/features.test-early")}/*.parquet')`)
      )
      expect(counted).toEqual({ n: 410, total: 410, init: 0 })
      expect(feature(lab, "total_bytes")).toMatchObject({ unit: "bytes", non_null: 410, missing_columns: [], empty_columns: [] })
      expect(feature(lab, "init_win")).toMatchObject({ non_null: 0, requires: ["fwd_init_win"], missing_columns: ["fwd_init_win"], empty_columns: [] })
      expect(lab.columns["fwd_init_win"]).toEqual({ stored: false, allowed: true, non_null: 0 })
      // first_len is null for flows without early packets: a share between 0 and 1
      expect(feature(lab, "first_len")!.non_null).toBe(early!["n"])
      expect(feature(lab, "first_len")!.non_null).toBeGreaterThan(0)
      expect(feature(lab, "first_len")!.non_null).toBeLessThan(410)

      const rare = availabilityOf("first", "rare")
      expect(feature(rare, "first_len")).toMatchObject({ non_null: 0, missing_columns: [], empty_columns: ["splt_len"] })
      expect(rare.columns["splt_len"]).toEqual({ stored: true, allowed: true, non_null: 0 })
      expect(feature(rare, "port_flows")!.non_null).toBe(rare.flows)
    }))

  it.effect("feature-sample.json: at most 2,000 flows, stratified by label, mining last, values as stored", () =>
    Effect.gen(function* () {
      const lab = sampleOf("first", "lab")
      expect(lab.rows).toBe(410)
      expect(Object.keys(lab.features)).toEqual(["total_bytes", "bytes_ratio", "init_win", "port_flows", "first_len"])
      for (const values of Object.values(lab.features)) expect(values.length).toBe(410)
      expect(lab.features["init_win"]!.every((value) => value === null)).toBe(true)

      const rare = sampleOf("first", "rare")
      expect(rare.flows).toBe(rare.label_counts["mining"]! + rare.label_counts["benign"]! + rare.label_counts["unknown"]!)
      expect(rare.label_counts["mining"]).toBe(12)
      expect(rare.flows).toBeGreaterThan(FEATURE_SAMPLE_ROWS)
      expect(rare.rows).toBe(FEATURE_SAMPLE_ROWS)
      const taken = (label: string) => rare.labels.filter((l) => l === label).length
      const quotas = sampleQuotas(Object.entries(rare.label_counts), FEATURE_SAMPLE_ROWS)
      expect({ mining: taken("mining"), benign: taken("benign"), unknown: taken("unknown") }).toEqual({
        mining: 12,
        benign: quotas.get("benign"),
        unknown: quotas.get("unknown")
      })
      // every mining flow, drawn last; unknown first
      expect(rare.labels.slice(-12)).toEqual(new Array(12).fill("mining"))
      expect(rare.labels[0]).toBe("unknown")
      const stored = yield* Effect.promise(() =>
        duckRows(
          `SELECT f.total_bytes FROM read_parquet('${join(root, "first/datasets/rare/features/features.test-volume")}/*.parquet') f JOIN read_parquet('${join(root, "first/datasets/rare/labels")}/*.parquet') l USING (flow_id) WHERE l.label = 'mining' ORDER BY 1`
        )
      )
      const sampled = rare.features["total_bytes"]!.slice(-12).sort((a, b) => (a ?? 0) - (b ?? 0))
      expect(sampled).toEqual(stored.map((row) => row["total_bytes"]))
    }))

  it("sampleQuotas gives equal shares and passes on what small labels do not use", () => {
    expect([...sampleQuotas([["mining", 12], ["benign", 3000], ["unknown", 700]], 2000)]).toEqual([
      ["mining", 12],
      ["unknown", 700],
      ["benign", 1288]
    ])
    expect([...sampleQuotas([["b", 5], ["a", 5]], 2000)]).toEqual([
      ["a", 5],
      ["b", 5]
    ])
    expect([...sampleQuotas([["mining", 2000], ["benign", 2000], ["unknown", 2000]], 2000)].map(([, n]) => n)).toEqual([666, 667, 667])
  })

  it.effect("reruns keep them; a group's config or a relabel rewrites them; force writes the same bytes; reports get them", () =>
    Effect.gen(function* () {
      const paths = ["datasets/lab/qc/features.json", "datasets/lab/qc/feature-sample.json"]
      const before = snapshot(join(root, "first"))
      const texts = paths.map((path) => readFileSync(join(root, "first", path), "utf8"))
      yield* runPipeline(spec("first")).pipe(Effect.provide(testLayer()))
      expect(changed(before, snapshot(join(root, "first"))).filter((file) => file !== "manifest.json")).toEqual([])
      const given = JSON.parse(readFileSync(join(root, "first/reports/artefacts-lab.json"), "utf8")) as { keys: Array<string> }
      expect(given.keys).toEqual(expect.arrayContaining(paths))

      yield* runPipeline(spec("first"), { force: true }).pipe(Effect.provide(testLayer()))
      expect(paths.map((path) => readFileSync(join(root, "first", path), "utf8"))).toEqual(texts)

      const offset = spec("first", { features: [{ type: "features.test-volume", ratio_offset: 1000 }, { type: "features.test-fanin" }, { type: "features.test-early" }] })
      const beforeOffset = snapshot(join(root, "first"))
      yield* runPipeline(offset).pipe(Effect.provide(testLayer()))
      expect(changed(beforeOffset, snapshot(join(root, "first")))).toEqual(expect.arrayContaining(paths))
      expect(sampleOf("first", "lab").features["bytes_ratio"]).not.toEqual((JSON.parse(texts[1]!) as { features: Record<string, unknown> }).features["bytes_ratio"])

      const relabelled = spec("first", {
        datasets: [
          { name: "lab", source: "source.test-lines", paths: ["inputs/lab"], labels: [{ type: "labeler.test-port", raw: { mining_ports: [3333, 443] } }] },
          { name: "rare", source: "source.test-replay", paths: ["inputs/rare"], sourceOptions: { batch_rows: 500 } }
        ],
        features: offset.features.map((entry) => ({ type: entry.type, ...entry.raw }))
      })
      const beforeRelabel = snapshot(join(root, "first"))
      yield* runPipeline(relabelled).pipe(Effect.provide(testLayer()))
      const rewritten = changed(beforeRelabel, snapshot(join(root, "first")))
      expect(rewritten).toEqual(expect.arrayContaining(paths))
      expect(rewritten.filter((file) => file.includes("/features/"))).toEqual([])
      expect(sampleOf("first", "lab").labels.includes("benign")).toBe(false)
    }))

  it.effect("a run interrupted while reading ends with the same artefacts as one that was not", () =>
    Effect.gen(function* () {
      const trip = join(root, "trip")
      writeFileSync(trip, "")
      const tripping = (output: string) =>
        spec(output, {
          datasets: [
            { name: "lab", source: "source.test-lines", paths: ["inputs/lab"], sourceOptions: { fail_at_batch: 2, trip_file: trip } },
            { name: "rare", source: "source.test-replay", paths: ["inputs/rare"], sourceOptions: { batch_rows: 500 } }
          ]
        })
      const tripped = tripping("resumed")
      const failure = yield* Effect.flip(runPipeline(tripped).pipe(Effect.provide(testLayer())))
      expect(failure._tag).toBe("PluginError")
      expect(existsSync(join(root, "resumed/datasets/lab/qc/features.json"))).toBe(false)
      yield* runPipeline(tripped).pipe(Effect.provide(testLayer()))
      // the same spec (the trip file is gone), never interrupted
      yield* runPipeline(tripping("reference")).pipe(Effect.provide(testLayer()))
      for (const dataset of ["lab", "rare"]) {
        for (const file of ["features.json", "feature-sample.json"]) {
          const path = `datasets/${dataset}/qc/${file}`
          expect(readFileSync(join(root, "resumed", path), "utf8"), path).toBe(readFileSync(join(root, "reference", path), "utf8"))
        }
      }
      // a lost sample is written again, with the same bytes
      const sample = readFileSync(join(root, "reference/datasets/lab/qc/feature-sample.json"), "utf8")
      rmSync(join(root, "reference/datasets/lab/qc/feature-sample.json"))
      yield* runPipeline(tripping("reference")).pipe(Effect.provide(testLayer()))
      expect(readFileSync(join(root, "reference/datasets/lab/qc/feature-sample.json"), "utf8")).toBe(sample)
    }))

  it.effect("a dataset that fails QC loses its feature artefacts; a pipeline without feature groups has none", () =>
    Effect.gen(function* () {
      yield* runPipeline(spec("qc")).pipe(Effect.provide(testLayer()))
      expect(existsSync(join(root, "qc/datasets/rare/qc/features.json"))).toBe(true)
      const failing = spec("qc", { qc: [{ type: "qc.test-limit", column: "fwd_packets", max: 5, severity: "fail" }] })
      const summary = yield* runPipeline(failing).pipe(Effect.provide(testLayer()))
      expect(summary.datasets.map((d) => d.qc)).toEqual(["fail", "fail"])
      for (const dataset of ["lab", "rare"]) {
        expect(existsSync(join(root, `qc/datasets/${dataset}/qc/features.json`))).toBe(false)
        expect(existsSync(join(root, `qc/datasets/${dataset}/qc/feature-sample.json`))).toBe(false)
      }
      yield* runPipeline(spec("none", { features: [] })).pipe(Effect.provide(testLayer()))
      expect(existsSync(join(root, "none/datasets/lab/qc/features.json"))).toBe(false)
      expect(existsSync(join(root, "none/datasets/lab/qc/dataset.json"))).toBe(true)
    }))

  it("the QC report's golden case holds artefacts in this format", () => {
    const cases = join(dirname(fileURLToPath(import.meta.url)), "../../../../plugins/report-qc-html/testcases")
    const files = readdirSync(cases, { recursive: true, encoding: "utf8" }).filter((file) => /qc\/(?:features|feature-sample)\.json$/.test(file))
    expect(files.length).toBeGreaterThanOrEqual(4)
    for (const file of files) {
      const json: unknown = JSON.parse(readFileSync(join(cases, file), "utf8"))
      const decoded = file.endsWith("features.json") ? Schema.decodeUnknownEither(FeatureAvailability)(json) : Schema.decodeUnknownEither(FeatureSample)(json)
      expect(decoded._tag, file).toBe("Right")
    }
  })
})
