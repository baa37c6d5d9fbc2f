/**
 * Golden cases and in-memory datasets for QC plugins.
 *
 * Holds: `memoryAccess` (a core `DatasetAccess` over in-memory batches, with column projection
 * by core's `projectBatch` and optional units, as the runner gives them), `qcCaseDatasets`,
 * `runQcStage` (check on every batch of the dataset under test, then finish) and `qcCase`, the
 * golden run for `goldenCases`: make the stage from `config.yaml`, run
 * `input.json` through it, return both lists of findings.
 *
 * input.json: `{ "dataset": "d", "datasets": { "d": [ { "capture": "a.pcap", "rows": [ {...} ] } ] },
 * "source_findings": [ Finding… ], "columns": [optional column list],
 * "units": [optional { "id", "fingerprint" } of the dataset under test] }`.
 * Does not hold: the comparison with expected.json (see `golden.ts`).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import {
  Finding,
  projectBatch,
  stampIdentity,
  type AnyPlugin,
  type DatasetAccess,
  type DatasetUnit,
  type FlowBatch,
  type QcStage
} from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { batchFromRows, type Row } from "./batches.js"
import { makeFromRaw } from "./yaml-stage.js"

export interface QcCaseBatch {
  readonly capture: string
  readonly rows: ReadonlyArray<Row>
}

export interface QcCaseInput {
  readonly dataset?: string
  readonly datasets: Readonly<Record<string, ReadonlyArray<QcCaseBatch>>>
  readonly source_findings?: ReadonlyArray<unknown>
  readonly columns?: ReadonlyArray<string>
  readonly units?: ReadonlyArray<DatasetUnit>
}

/** A DatasetAccess over in-memory datasets (projection as the runner does it). */
export const memoryAccess = (
  dataset: string,
  datasets: Readonly<Record<string, ReadonlyArray<FlowBatch>>>,
  units?: ReadonlyArray<DatasetUnit>
): DatasetAccess => ({
  dataset,
  datasets: Object.keys(datasets),
  ...(units === undefined ? {} : { units }),
  read: (which, columns) =>
    Stream.fromIterable((datasets[which] ?? []).map((batch) => (columns === undefined ? batch : projectBatch(batch, columns))))
})

/** Batches of each dataset, stamped with identity columns; batch numbers count per capture. */
export const qcCaseDatasets = (input: QcCaseInput): Record<string, Array<{ capture: string; index: number; batch: FlowBatch }>> => {
  const out: Record<string, Array<{ capture: string; index: number; batch: FlowBatch }>> = {}
  for (const [name, batches] of Object.entries(input.datasets)) {
    const next = new Map<string, number>()
    out[name] = batches.map(({ capture, rows }) => {
      const index = next.get(capture) ?? 0
      next.set(capture, index + 1)
      const raw = batchFromRows(rows, input.columns === undefined ? {} : { columns: input.columns })
      return { capture, index, batch: stampIdentity(raw, name, capture, index) }
    })
  }
  return out
}

/** Run check on every batch of the dataset under test, then finish. */
export const runQcStage = (stage: QcStage, input: QcCaseInput) =>
  Effect.gen(function* () {
    const dataset = input.dataset ?? Object.keys(input.datasets)[0] ?? "golden"
    const all = qcCaseDatasets(input)
    const check: Array<Finding> = []
    for (const { capture, index, batch } of all[dataset] ?? []) check.push(...(yield* stage.check(batch, { dataset, capture, batch: index })))
    const access = memoryAccess(
      dataset,
      Object.fromEntries(Object.entries(all).map(([name, batches]) => [name, batches.map((b) => b.batch)])),
      input.units
    )
    const sourceFindings = (input.source_findings ?? []).map((f) => Schema.decodeUnknownSync(Finding)(f))
    const finish = yield* stage.finish(access, sourceFindings)
    return { check, finish }
  })

/** The golden run for a QC plugin: make the stage from config.yaml, run input.json through it. */
export const qcCase = (plugin: AnyPlugin) => (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = (yield* makeFromRaw(plugin, raw)) as QcStage
    const input = JSON.parse(readFileSync(join(caseDir, "input.json"), "utf8")) as QcCaseInput
    return yield* runQcStage(stage, input)
  })
