/**
 * The label stage across the units of a dataset: duplicate flows (a flow repeating a flow of an
 * earlier capture, or of an earlier batch of its own) flagged in label_detail and counted in
 * qc/labels.json, the same count after a run interrupted in the flows stage and in the labels
 * stage and resumed, labels keys that follow the units a flag depends on, and the run-wide
 * `label_skew_s` reaching labelers (`labelSkewS`) and serving as the duplicate tolerance.
 *
 * The expected duplicates come from the input text, not from the rule's code: a JSON line that
 * appeared before (in an earlier unit, or earlier in its own) is a duplicate of its first
 * appearance. Units are written without garbage lines, so line p of a unit is flow
 * `lab/<unit>/<p div 50>/<p mod 50>` (the test sources cut batches of 50 rows).
 */
import { it } from "@effect/vitest"
import { definePlugin, LabelReport, PluginError, registryLayer, type AnyPlugin, type Label, type LabelerStage } from "@hashhound/core"
import { Effect, Layer, Schema } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { duplicateOfDetail } from "../../src/labels/index.js"
import { runPipeline } from "../../src/run/index.js"
import { Progress, type PipelineSpec, type ProgressEvent } from "../../src/spec.js"
import { StorageLive } from "../../src/storage/index.js"
import { changed, duckRows, snapshot } from "./support/files.js"
import { defaultLabels, testSpec, writeUnit } from "./support/inputs.js"
import { testPlugins } from "./support/plugins.js"

const root = mkdtempSync(join(tmpdir(), "hh-label-duplicates-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const BATCH_ROWS = 50

/** Fails on the first batch of `capture` while `trip_file` exists (then removes it); otherwise no opinion. */
const tripLabeler = definePlugin({
  id: "labeler.test-trip",
  kind: "labeler",
  version: "1.0.0",
  summary: "fails once on one capture",
  config: Schema.Struct({ capture: Schema.String, trip_file: Schema.String }),
  make: (config) =>
    Effect.succeed({
      label: (batch, info) =>
        Effect.gen(function* () {
          if (info.capture === config.capture && existsSync(config.trip_file)) {
            rmSync(config.trip_file)
            return yield* new PluginError({ pluginId: "labeler.test-trip", stage: "processing", input: info.capture, reason: "tripped" })
          }
          return { label: new Array<Label | null>(batch.numRows).fill(null), detail: new Array<string | null>(batch.numRows).fill(null) }
        })
    })
})

/** No opinion; its detail says which run-wide label skew the runner passed. */
const skewSeenLabeler = definePlugin({
  id: "labeler.test-skew-seen",
  kind: "labeler",
  version: "1.0.0",
  summary: "names the label skew it was given",
  config: Schema.Struct({}),
  make: () =>
    Effect.succeed<LabelerStage>({
      label: (batch, _info, context) =>
        Effect.succeed({
          label: new Array<Label | null>(batch.numRows).fill(null),
          detail: new Array<string | null>(batch.numRows).fill(`skew ${String(context?.labelSkewS)}`)
        })
    })
})

const plugins: ReadonlyArray<AnyPlugin> = [...testPlugins, tripLabeler, skewSeenLabeler]

const layer = () =>
  Layer.mergeAll(
    registryLayer([{ source: "test", plugins }]),
    StorageLive({ threads: 2 }),
    Layer.succeed(Progress, { emit: (_event: ProgressEvent) => Effect.void })
  )

const jsonLines = (path: string): Array<string> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))

const writeLines = (path: string, lines: ReadonlyArray<string>): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${lines.join("\n")}\n`)
}

/** `count` fresh flows (seed) as JSON lines. */
const freshLines = (seed: number, count: number): Array<string> => {
  const path = join(root, `fresh-${seed}-${count}.jsonl`)
  writeUnit(path, seed, count)
  return jsonLines(path)
}

/** Shift a flow's times by `us` (another sensor's clock). */
const shifted = (line: string, us: number): string => {
  const flow = JSON.parse(line) as Record<string, unknown>
  return JSON.stringify({ ...flow, first_seen_us: Number(flow["first_seen_us"]) + us, last_seen_us: Number(flow["last_seen_us"]) + us })
}

/** `own` with `copies` inserted after every `every`-th line. */
const interleave = (own: ReadonlyArray<string>, copies: ReadonlyArray<string>, every: number): Array<string> => {
  const out: Array<string> = []
  let next = 0
  own.forEach((line, i) => {
    out.push(line)
    if (i % every === every - 1 && next < copies.length) out.push(copies[next++]!)
  })
  while (next < copies.length) out.push(copies[next++]!)
  return out
}

const flowIdAt = (unit: string, line: number): string => `lab/${unit}/${Math.floor(line / BATCH_ROWS)}/${line % BATCH_ROWS}`

/** flow id → the flow id of the first appearance of its line, over units in feeding order. */
const expectedDuplicates = (units: ReadonlyArray<{ readonly id: string; readonly lines: ReadonlyArray<string> }>): Map<string, string> => {
  const first = new Map<string, string>()
  const out = new Map<string, string>()
  for (const { id, lines } of units) {
    lines.forEach((line, at) => {
      const here = flowIdAt(id, at)
      const kept = first.get(line)
      if (kept === undefined) first.set(line, here)
      else out.set(here, kept)
    })
  }
  return out
}

const labelsRows = (output: string) =>
  duckRows(`SELECT flow_id, label, label_source, label_detail FROM read_parquet('${output}/datasets/lab/labels/*.parquet') ORDER BY flow_id`)

/** flow id → kept flow id, as the stored label_detail says. */
const storedDuplicates = (rows: ReadonlyArray<Record<string, unknown>>): Map<string, string> => {
  const out = new Map<string, string>()
  for (const row of rows) {
    const of = duplicateOfDetail(typeof row["label_detail"] === "string" ? row["label_detail"] : null)
    if (of !== null) out.set(String(row["flow_id"]), of)
  }
  return out
}

const labelReport = (output: string): LabelReport =>
  Schema.decodeUnknownSync(LabelReport)(JSON.parse(readFileSync(join(output, "datasets/lab/qc/labels.json"), "utf8")))

const labSpec = (options: {
  readonly output: string
  readonly inputs: string
  readonly sourceOptions?: Record<string, unknown>
  readonly labels?: ReadonlyArray<{ readonly type: string; readonly raw: Record<string, unknown> }>
  readonly unitConcurrency?: number
  readonly labelSkewS?: number
}): PipelineSpec => {
  const spec = testSpec({
    baseDir: root,
    output: join(root, options.output),
    datasets: [
      {
        name: "lab",
        source: "source.test-lines",
        paths: [options.inputs],
        ...(options.sourceOptions === undefined ? {} : { sourceOptions: options.sourceOptions }),
        ...(options.labels === undefined ? {} : { labels: options.labels })
      }
    ],
    features: [],
    models: [],
    unitConcurrency: options.unitConcurrency ?? 1,
    datasetConcurrency: 1
  })
  return { ...spec, options: { ...spec.options, label_skew_s: options.labelSkewS ?? 0 } }
}

describe("duplicate flows across the units of a dataset", () => {
  it.effect("a second capture holding copies of the first's flows: flagged in label_detail, counted in labels.json", () =>
    Effect.gen(function* () {
      const a = freshLines(21, 130)
      // copies of a's flows across its batches (0 and 49 in batch 0, 50 and 51 in batch 1, 129 in batch 2), and one of b's own twice
      const copies = [0, 7, 49, 50, 51, 99, 129].map((at) => a[at]!)
      const own = freshLines(22, 80)
      const b = [...interleave(own, copies, 10), own[5]!]
      writeLines(join(root, "inputs/two/a.jsonl"), a)
      writeLines(join(root, "inputs/two/b.jsonl"), b)
      const expected = expectedDuplicates([
        { id: "a.jsonl", lines: a },
        { id: "b.jsonl", lines: b }
      ])
      expect(expected.size).toBe(8)
      expect(expected.get(flowIdAt("b.jsonl", b.length - 1))).toBe(flowIdAt("b.jsonl", 5))

      const spec = labSpec({ output: "two", inputs: "inputs/two" })
      const summary = yield* runPipeline(spec).pipe(Effect.provide(layer()))
      expect(summary.status).toBe("ok")
      const rows = yield* Effect.promise(() => labelsRows(spec.output))
      expect(rows.length).toBe(a.length + b.length)
      expect(storedDuplicates(rows)).toEqual(expected)

      // flagged, not dropped: a duplicate keeps the labels its copy gets, and the detail ends with the mark
      const byId = new Map(rows.map((row) => [String(row["flow_id"]), row]))
      for (const [duplicate, kept] of expected) {
        expect(byId.get(duplicate)!["label"], duplicate).toBe(byId.get(kept)!["label"])
        expect(byId.get(duplicate)!["label_source"], duplicate).toBe(byId.get(kept)!["label_source"])
        const keptDetail = byId.get(kept)!["label_detail"]
        expect(byId.get(duplicate)!["label_detail"]).toBe(keptDetail === null ? `duplicate of ${kept}` : `${String(keptDetail)}; duplicate of ${kept}`)
      }

      const report = labelReport(spec.output)
      expect(report.duplicates_counted).toBe(true)
      expect(report.duplicates).toBe(8)
      expect(report.flows).toBe(a.length + b.length)
      expect(report.captures["a.jsonl"]!.duplicates).toBe(0)
      expect(report.captures["b.jsonl"]!.duplicates).toBe(8)

      // a rerun redoes nothing and says the same
      const before = snapshot(spec.output)
      const again = yield* runPipeline(spec).pipe(Effect.provide(layer()))
      expect(again.datasets[0]!.labels).toEqual({ unitsLabelled: 0, unitsSkipped: 2 })
      expect(changed(before, snapshot(spec.output)).filter((file) => file.includes("/labels/") || file.endsWith("labels.json"))).toEqual([])
    }))

  it.effect("the same count after a run interrupted in the flows stage and in the labels stage, then resumed", () =>
    Effect.gen(function* () {
      const a = freshLines(31, 120)
      const b = interleave(freshLines(32, 90), [3, 60, 110].map((at) => a[at]!), 7)
      // c repeats flows of both earlier units; a[60] is in b too, but a's flow is the kept one
      const c = interleave(freshLines(33, 70), [a[10]!, a[61]!, b[0]!, b[20]!, a[60]!, b[92]!], 9)
      expect(b).toContain(a[60])
      writeLines(join(root, "inputs/three/a.jsonl"), a)
      writeLines(join(root, "inputs/three/b.jsonl"), b)
      writeLines(join(root, "inputs/three/c.jsonl"), c)
      const expected = expectedDuplicates([
        { id: "a.jsonl", lines: a },
        { id: "b.jsonl", lines: b },
        { id: "c.jsonl", lines: c }
      ])
      expect(expected.size).toBe(9)
      expect(expected.get(flowIdAt("c.jsonl", c.indexOf(a[60]!)))).toBe(flowIdAt("a.jsonl", 60))

      const tripFlows = join(root, "trip-flows")
      const tripLabels = join(root, "trip-labels")
      const labels = (tripFile: string) => [...defaultLabels, { type: "labeler.test-trip", raw: { capture: "c.jsonl", trip_file: tripFile } }]
      const tripping = labSpec({
        output: "resumed",
        inputs: "inputs/three",
        sourceOptions: { fail_at_batch: 1, trip_file: tripFlows },
        labels: labels(tripLabels)
      })
      writeFileSync(tripFlows, "")
      writeFileSync(tripLabels, "")

      // 1: the source fails in a.jsonl's second batch: nothing is labelled
      const first = yield* Effect.flip(runPipeline(tripping).pipe(Effect.provide(layer())))
      expect(first).toBeInstanceOf(PluginError)
      expect(existsSync(tripFlows)).toBe(false)
      // 2: flows complete; labelling stops at c.jsonl, after a.jsonl and b.jsonl are stored
      const second = yield* Effect.flip(runPipeline(tripping).pipe(Effect.provide(layer())))
      expect(second).toBeInstanceOf(PluginError)
      expect(existsSync(tripLabels)).toBe(false)
      const manifest = JSON.parse(readFileSync(join(tripping.output, "manifest.json"), "utf8")) as {
        datasets: Record<string, { units: Array<{ id: string; labels_key?: string }> }>
      }
      expect(manifest.datasets["lab"]!.units.map((unit) => [unit.id, unit.labels_key !== undefined])).toEqual([
        ["a.jsonl", true],
        ["b.jsonl", true],
        ["c.jsonl", false]
      ])
      const storedBefore = snapshot(tripping.output)
      // 3: only c.jsonl is labelled, and its copies of the stored units' flows are found
      const third = yield* runPipeline(tripping).pipe(Effect.provide(layer()))
      expect(third.status).toBe("ok")
      expect(third.datasets[0]!.labels).toEqual({ unitsLabelled: 1, unitsSkipped: 2 })
      expect(changed(storedBefore, snapshot(tripping.output)).filter((file) => file.includes("/labels/part-0000") && !file.includes("part-00002"))).toEqual([])

      // a run never interrupted, with units labelled two at a time, stores the same
      const reference = labSpec({ output: "uninterrupted", inputs: "inputs/three", labels: labels(join(root, "never")), unitConcurrency: 2 })
      yield* runPipeline(reference).pipe(Effect.provide(layer()))
      const resumedRows = yield* Effect.promise(() => labelsRows(tripping.output))
      const referenceRows = yield* Effect.promise(() => labelsRows(reference.output))
      expect(storedDuplicates(resumedRows)).toEqual(expected)
      expect(resumedRows).toEqual(referenceRows)
      const resumedReport = labelReport(tripping.output)
      expect(resumedReport).toEqual(labelReport(reference.output))
      expect(resumedReport).toMatchObject({ duplicates_counted: true, duplicates: 9 })
      expect([resumedReport.captures["a.jsonl"]!.duplicates, resumedReport.captures["b.jsonl"]!.duplicates, resumedReport.captures["c.jsonl"]!.duplicates]).toEqual([0, 3, 6])
    }))

  it.effect("a unit added later redoes only its own labels; a changed earlier unit redoes the flags of the units after it", () =>
    Effect.gen(function* () {
      const a = freshLines(41, 60)
      const b = interleave(freshLines(42, 40), [a[1]!, a[2]!], 5)
      writeLines(join(root, "inputs/grow/a.jsonl"), a)
      writeLines(join(root, "inputs/grow/b.jsonl"), b)
      const spec = labSpec({ output: "grow", inputs: "inputs/grow" })
      yield* runPipeline(spec).pipe(Effect.provide(layer()))
      expect(labelReport(spec.output).duplicates).toBe(2)

      // "0.jsonl" sorts first but gets the next unit number: a.jsonl's flows stay the kept ones
      const added = interleave(freshLines(43, 30), [a[3]!, b[0]!], 4)
      writeLines(join(root, "inputs/grow/0.jsonl"), added)
      const before = snapshot(spec.output)
      const grown = yield* runPipeline(spec).pipe(Effect.provide(layer()))
      expect(grown.datasets[0]!.labels).toEqual({ unitsLabelled: 1, unitsSkipped: 2 })
      expect(changed(before, snapshot(spec.output)).filter((file) => file.includes("/labels/"))).toEqual([])
      const rows = yield* Effect.promise(() => labelsRows(spec.output))
      expect(storedDuplicates(rows)).toEqual(
        expectedDuplicates([
          { id: "a.jsonl", lines: a },
          { id: "b.jsonl", lines: b },
          { id: "0.jsonl", lines: added }
        ])
      )
      expect(labelReport(spec.output).duplicates).toBe(4)

      // a.jsonl loses the flows b.jsonl copied: b.jsonl (and the later 0.jsonl) are labelled again
      writeLines(join(root, "inputs/grow/a.jsonl"), a.filter((_, at) => at !== 1 && at !== 2))
      const changedRun = yield* runPipeline(spec).pipe(Effect.provide(layer()))
      expect(changedRun.datasets[0]!.labels).toEqual({ unitsLabelled: 3, unitsSkipped: 0 })
      const report = labelReport(spec.output)
      expect(report.captures["b.jsonl"]!.duplicates).toBe(0)
      expect(report.duplicates).toBe(2)
    }))

  it.effect("label_skew_s reaches labelers as labelSkewS and is the duplicate tolerance between two sensors' clocks", () =>
    Effect.gen(function* () {
      const a = freshLines(51, 70)
      // the second sensor's clock is 2 s ahead
      const b = interleave(freshLines(52, 40), [a[4]!, a[30]!, a[69]!].map((line) => shifted(line, 2_000_000)), 6)
      writeLines(join(root, "inputs/skew/a.jsonl"), a)
      writeLines(join(root, "inputs/skew/b.jsonl"), b)
      const labels = [...defaultLabels, { type: "labeler.test-skew-seen", raw: {} }]

      const strict = labSpec({ output: "skew", inputs: "inputs/skew", labels })
      yield* runPipeline(strict).pipe(Effect.provide(layer()))
      expect(labelReport(strict.output)).toMatchObject({ duplicates_counted: true, duplicates: 0 })
      const strictRows = yield* Effect.promise(() => labelsRows(strict.output))
      expect(strictRows.every((row) => String(row["label_detail"]).includes("labeler.test-skew-seen: skew 0"))).toBe(true)

      // the same output with label_skew_s 2: labels redone (the key has the skew), copies found
      const tolerant = labSpec({ output: "skew", inputs: "inputs/skew", labels, labelSkewS: 2 })
      const summary = yield* runPipeline(tolerant).pipe(Effect.provide(layer()))
      expect(summary.datasets[0]!.labels).toEqual({ unitsLabelled: 2, unitsSkipped: 0 })
      const rows = yield* Effect.promise(() => labelsRows(tolerant.output))
      expect(rows.every((row) => String(row["label_detail"]).includes("labeler.test-skew-seen: skew 2"))).toBe(true)
      expect([...storedDuplicates(rows).values()].sort()).toEqual([flowIdAt("a.jsonl", 4), flowIdAt("a.jsonl", 30), flowIdAt("a.jsonl", 69)].sort())
      expect(labelReport(tolerant.output).captures["b.jsonl"]!.duplicates).toBe(3)

      // 1.9 s is not enough
      const narrow = labSpec({ output: "skew", inputs: "inputs/skew", labels, labelSkewS: 1.9 })
      yield* runPipeline(narrow).pipe(Effect.provide(layer()))
      expect(labelReport(narrow.output).duplicates).toBe(0)
    }))
})
