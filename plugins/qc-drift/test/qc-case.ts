/**
 * Golden-case input for QC plugins: `testcases/<case>/input.json` holds datasets of captures of
 * row batches (and the source's findings); the case runs `check` on every batch of the dataset
 * under test and then `finish`, and returns both lists of findings as plain JSON.
 *
 * input.json: `{ "dataset": "d", "datasets": { "d": [ { "capture": "a.pcap", "rows": [ {...} ] } ] },
 * "source_findings": [ Finding… ], "columns": [optional column list] }`.
 */
import { Finding, stampIdentity, type AnyPlugin, type DatasetAccess, type FlowBatch, type QcStage } from "@hashhound/core"
import { batchFromRows, makeFromRaw, type Row } from "@hashhound/testkit"
import { Effect, Schema, Stream } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"

interface CaseBatch {
  readonly capture: string
  readonly rows: ReadonlyArray<Row>
}

interface CaseInput {
  readonly dataset?: string
  readonly datasets: Readonly<Record<string, ReadonlyArray<CaseBatch>>>
  readonly source_findings?: ReadonlyArray<unknown>
  readonly columns?: ReadonlyArray<string>
}

/** Batches of each dataset, stamped with identity columns; batch numbers count per capture. */
export const caseDatasets = (input: CaseInput): Record<string, Array<{ capture: string; index: number; batch: FlowBatch }>> => {
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

/** A DatasetAccess over in-memory datasets. */
export const memoryAccess = (dataset: string, datasets: Readonly<Record<string, ReadonlyArray<FlowBatch>>>): DatasetAccess => ({
  dataset,
  datasets: Object.keys(datasets),
  read: (which) => Stream.fromIterable(datasets[which] ?? [])
})

/** Run check on every batch of the dataset under test, then finish. */
export const runStage = (stage: QcStage, input: CaseInput) =>
  Effect.gen(function* () {
    const dataset = input.dataset ?? Object.keys(input.datasets)[0] ?? "golden"
    const all = caseDatasets(input)
    const check: Array<Finding> = []
    for (const { capture, index, batch } of all[dataset] ?? []) check.push(...(yield* stage.check(batch, { dataset, capture, batch: index })))
    const access = memoryAccess(
      dataset,
      Object.fromEntries(Object.entries(all).map(([name, batches]) => [name, batches.map((b) => b.batch)]))
    )
    const sourceFindings = (input.source_findings ?? []).map((f) => Schema.decodeUnknownSync(Finding)(f))
    const finish = yield* stage.finish(access, sourceFindings)
    return { check, finish }
  })

/** The golden run for a plugin: make the stage from config.yaml, run input.json through it. */
export const qcCase = (plugin: AnyPlugin) => (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = (yield* makeFromRaw(plugin, raw)) as QcStage
    const input = JSON.parse(readFileSync(join(caseDir, "input.json"), "utf8")) as CaseInput
    return yield* runStage(stage, input)
  })
