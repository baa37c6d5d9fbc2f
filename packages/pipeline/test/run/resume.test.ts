/**
 * Resuming after a run failed mid-unit (in process): checkpointing sources continue at the next
 * batch, replaying sources have their stored batches dropped, and the outputs equal an
 * uninterrupted run.
 */
import { it } from "@effect/vitest"
import { PluginError } from "@hashhound/core"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import { runPipeline } from "../../src/run/index.js"
import type { ProgressEvent } from "../../src/spec.js"
import { changed, duckRows, snapshot } from "./support/files.js"
import { testLayer, testSpec, writeUnit } from "./support/inputs.js"

const root = mkdtempSync(join(tmpdir(), "hh-resume-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const log = join(root, "emitted.log")
const trips = { lab: join(root, "trip-lab"), campus: join(root, "trip-campus") }

const spec = (output: string, tripping: boolean) =>
  testSpec({
    baseDir: root,
    output: join(root, output),
    datasets: [
      {
        name: "lab",
        source: "source.test-lines",
        paths: ["inputs/lab"],
        sourceOptions: tripping ? { log, fail_at_batch: 2, trip_file: trips.lab } : {}
      },
      {
        name: "campus",
        source: "source.test-replay",
        paths: ["inputs/campus"],
        sourceOptions: tripping ? { log, fail_at_batch: 1, trip_file: trips.campus } : {}
      }
    ],
    train: ["lab"],
    test: ["campus"],
    unitConcurrency: 1,
    datasetConcurrency: 1
  })

const emitted = (attempt: string) =>
  readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .filter((parts) => parts[3] === attempt)
    .map(([plugin, unit, batch]) => `${plugin} ${unit} ${batch}`)

const storedRows = (output: string) =>
  duckRows(
    `SELECT f.*, l.label, l.label_source, l.label_detail, v.total_bytes, v.bytes_ratio, s.port_flows FROM read_parquet('${output}/datasets/*/flows/*.parquet') f JOIN read_parquet('${output}/datasets/*/labels/*.parquet') l USING (flow_id) JOIN read_parquet('${output}/datasets/*/features/features.test-volume/*.parquet') v USING (flow_id) JOIN read_parquet('${output}/datasets/*/features/features.test-fanin/*.parquet') s USING (flow_id) ORDER BY flow_id`
  )

describe("resuming an interrupted run", () => {
  it.effect("continues checkpointing sources at the next batch, replaying ones with dropped batches, and ends equal", () =>
    Effect.gen(function* () {
      writeUnit(join(root, "inputs/lab/a.jsonl"), 11, 260, 70)
      writeUnit(join(root, "inputs/lab/b.jsonl"), 12, 140, 0)
      writeUnit(join(root, "inputs/campus/x.jsonl"), 13, 170, 40)
      writeFileSync(trips.lab, "")
      writeFileSync(trips.campus, "")
      writeFileSync(log, "")

      process.env["HH_ATTEMPT"] = "1"
      const first = yield* Effect.flip(runPipeline(spec("run", true)).pipe(Effect.provide(testLayer())))
      expect(first).toBeInstanceOf(PluginError)
      expect(emitted("1")).toEqual(["source.test-lines a.jsonl 0", "source.test-lines a.jsonl 1"])
      const afterFirst = snapshot(join(root, "run"))
      const manifest1 = JSON.parse(readFileSync(join(root, "run/manifest.json"), "utf8")) as {
        status: string
        datasets: Record<string, { units: Array<{ status: string; batches: Array<unknown>; checkpoint_next_batch?: number }> }>
      }
      expect(manifest1.status).toBe("running")
      expect(manifest1.datasets["lab"]!.units[0]).toMatchObject({ status: "reading", checkpoint_next_batch: 2 })
      expect(manifest1.datasets["lab"]!.units[0]!.batches.length).toBe(2)

      process.env["HH_ATTEMPT"] = "2"
      const events: Array<ProgressEvent> = []
      const second = yield* Effect.flip(runPipeline(spec("run", true)).pipe(Effect.provide(testLayer(events))))
      expect(second).toBeInstanceOf(PluginError)
      // a.jsonl resumed from its checkpoint at batch 2; campus tripped before its batch 1
      expect(emitted("2")).toEqual([
        "source.test-lines a.jsonl 2",
        "source.test-lines a.jsonl 3",
        "source.test-lines a.jsonl 4",
        "source.test-lines a.jsonl 5",
        "source.test-lines b.jsonl 0",
        "source.test-lines b.jsonl 1",
        "source.test-lines b.jsonl 2",
        "source.test-replay x.jsonl 0"
      ])
      const afterSecond = snapshot(join(root, "run"))
      expect(changed(afterFirst, afterSecond).filter((file) => file.includes("/flows/") || file.includes("/qc/batch-"))).toEqual([])

      process.env["HH_ATTEMPT"] = "3"
      const summary = yield* runPipeline(spec("run", true)).pipe(Effect.provide(testLayer()))
      expect(summary.status).toBe("ok")
      // the replaying source starts over; batch 0 is dropped, not stored again
      expect(emitted("3")).toEqual(["source.test-replay x.jsonl 0", "source.test-replay x.jsonl 1", "source.test-replay x.jsonl 2", "source.test-replay x.jsonl 3"])
      expect(summary.datasets.map((d) => [d.name, d.units, d.batches])).toEqual([
        ["lab", { read: 0, skipped: 2 }, { written: 0, skipped: 9 }],
        ["campus", { read: 1, skipped: 0 }, { written: 3, skipped: 1 }]
      ])
      const afterThird = snapshot(join(root, "run"))
      expect(changed(afterSecond, afterThird).filter((file) => file.includes("/flows/") || file.includes("/qc/batch-"))).toEqual([])
      expect(changed(afterSecond, afterThird).filter((file) => file.startsWith("datasets/campus/qc/batch-"))).toEqual([])

      // the same outputs as a run that was never interrupted
      delete process.env["HH_ATTEMPT"]
      yield* runPipeline(spec("reference", false)).pipe(Effect.provide(testLayer()))
      const resumed = yield* Effect.promise(() => storedRows(join(root, "run")))
      const reference = yield* Effect.promise(() => storedRows(join(root, "reference")))
      expect(resumed.length).toBe(260 + 140 + 170)
      expect(resumed).toEqual(reference)
      for (const file of ["datasets/campus/qc/batch-00000-00001.json", "datasets/lab/qc/batch-00000-00001.json", "datasets/lab/qc/unit-00000.json"]) {
        expect(readFileSync(join(root, "run", file), "utf8"), file).toBe(readFileSync(join(root, "reference", file), "utf8"))
      }
    }))
  it.effect("a checkpoint left beside a unit recorded complete (killed between the two) is removed, nothing is redone", () =>
    Effect.gen(function* () {
      writeUnit(join(root, "inputs/stray/a.jsonl"), 31, 120, 0)
      const strayRoot = mkdtempSync(join(root, "stray-"))
      const output = join(strayRoot, "run")
      const strays = testSpec({
        baseDir: root,
        output,
        datasets: [{ name: "lab", source: "source.test-lines", paths: ["inputs/stray"], sourceOptions: {} }],
        unitConcurrency: 1,
        datasetConcurrency: 1
      })
      yield* runPipeline(strays).pipe(Effect.provide(testLayer()))
      const left = join(output, "datasets/lab/checkpoints/00000-00002.bin")
      writeFileSync(left, "HHCK")
      const before = snapshot(output)
      yield* runPipeline(strays).pipe(Effect.provide(testLayer()))
      expect(existsSync(left)).toBe(false)
      expect(changed(before, snapshot(output)).filter((file) => file.includes("/flows/"))).toEqual([])
    }))
})
