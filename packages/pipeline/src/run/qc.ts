/**
 * The QC stage of one dataset, after every dataset's flows and labels are stored.
 *
 * Holds: `runQc`: (1) redo per-batch `flows`-phase checks of units whose findings were made
 * under another QC config (the flows themselves are not touched); (2) run `labels`-phase checks
 * on each stored batch with its labels (qc/labels-UUUUU-BBBBB.json); (3) each check's `finish`
 * with a DatasetAccess over the stored Parquet of any dataset and the dataset's source findings;
 * (4) totals by severity and the status, written to qc/dataset.json. The pass of (2) also feeds
 * every stored batch (projected to what they read when no labels-phase check needs the whole
 * batch) to the QC artefacts: qc/flow-summary.json and qc/labels.json, written before
 * dataset.json. dataset.json keeps, per reporting plugin, the counts by severity and the first
 * finding of each severity (`examples`), which the run summary carries. A `fail` finding makes the
 * status `fail`: the runner then skips that dataset's features and any training on it, and the
 * run ends failed; each failing finding becomes a QcFailedError naming check, batch and
 * threshold. Skipped as a whole when the QC stage key (QC entries, every dataset's flows and
 * labels keys) is unchanged and its files are there.
 * Does not hold: the flows-phase checks while reading (see `flows.ts`), reading stored parts
 * (`stored-flows.ts`), the artefacts themselves (`qc-artefacts.ts`).
 */
import { QcFailedError, worstSeverity, Finding } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import type { DatasetSpec } from "../spec.js"
import { fileExists, readJson, removeFile, writeFileAtomic, type StorageError } from "../storage/index.js"
import {
  datasetRecordOf,
  readBatchFindings,
  readUnitFindings,
  runBatchChecks,
  writeBatchFindings,
  type RunContext
} from "./context.js"
import type { RunError } from "./errors.js"
import { batchQcKey, qcStageKey, type DatasetKeys } from "./keys.js"
import { QC_ARTEFACT_COLUMNS, QcArtefacts, writeQcArtefacts } from "./qc-artefacts.js"
import { datasetAccess, readStoredPart } from "./stored-flows.js"

export interface SeverityCounts {
  readonly info: number
  readonly warn: number
  readonly fail: number
}

export interface QcOutcome {
  readonly status: "pass" | "warn" | "fail"
  readonly totals: SeverityCounts
  /** findings per reporting plugin (QC checks and the source) and severity */
  readonly bySource: Readonly<Record<string, SeverityCounts>>
  /** per reporting plugin, its first finding of each severity (fail, warn, info) */
  readonly examples: Readonly<Record<string, ReadonlyArray<Finding>>>
  readonly failures: ReadonlyArray<QcFailedError>
  readonly skipped: boolean
}

const Failure = Schema.Struct({
  check: Schema.String,
  batch: Schema.optional(Schema.Number),
  reason: Schema.String
})

const DatasetQc = Schema.Struct({
  dataset: Schema.String,
  key: Schema.String,
  status: Schema.Literal("pass", "warn", "fail"),
  totals: Schema.Struct({ info: Schema.Number, warn: Schema.Number, fail: Schema.Number }),
  /** findings per reporting plugin and severity */
  by_source: Schema.Record({ key: Schema.String, value: Schema.Struct({ info: Schema.Number, warn: Schema.Number, fail: Schema.Number }) }),
  failures: Schema.Array(Failure),
  /** the findings of each check's `finish` */
  finish_findings: Schema.Array(Finding),
  /** per reporting plugin, its first finding of each severity (fail, warn, info) */
  examples: Schema.Record({ key: Schema.String, value: Schema.Array(Finding) })
})
type DatasetQc = typeof DatasetQc.Type

const countBySeverity = (findings: ReadonlyArray<Finding>): SeverityCounts => ({
  info: findings.filter((f) => f.severity === "info").length,
  warn: findings.filter((f) => f.severity === "warn").length,
  fail: findings.filter((f) => f.severity === "fail").length
})

/** What a failing finding says: its message, where, and the metric against its threshold. */
export const failureReason = (finding: Finding): string => {
  const where = finding.capture === undefined ? "" : ` [${finding.capture}]`
  const metric =
    finding.metric === undefined && finding.threshold === undefined
      ? ""
      : ` (${finding.metric ?? "value"}=${finding.value ?? "?"}${finding.threshold === undefined ? "" : `, threshold ${finding.threshold}`})`
  return `${finding.message}${where}${metric}`
}

const failuresOf = (dataset: string, findings: ReadonlyArray<Finding>): ReadonlyArray<QcFailedError> =>
  findings
    .filter((finding) => finding.severity === "fail")
    .map(
      (finding) =>
        new QcFailedError({
          dataset,
          check: finding.source,
          ...(finding.batch === undefined ? {} : { batch: finding.batch }),
          reason: failureReason(finding)
        })
    )

/** Per source, its first finding of each severity, worst first. */
const examplesOf = (findings: ReadonlyArray<Finding>): Record<string, ReadonlyArray<Finding>> => {
  const out: Record<string, Array<Finding>> = {}
  for (const severity of ["fail", "warn", "info"] as const) {
    for (const finding of findings) {
      if (finding.severity !== severity) continue
      const list = (out[finding.source] ??= [])
      if (!list.some((f) => f.severity === severity)) list.push(finding)
    }
  }
  return out
}

const outcomeOf = (stored: DatasetQc, skipped: boolean): QcOutcome => ({
  status: stored.status,
  totals: stored.totals,
  bySource: stored.by_source,
  examples: stored.examples,
  failures: stored.failures.map((failure) => new QcFailedError({ dataset: stored.dataset, ...failure })),
  skipped
})

const readDatasetQc = (path: string): Effect.Effect<DatasetQc | undefined, StorageError> =>
  Effect.map(readJson(path), (json) =>
    json === undefined ? undefined : Either.getOrUndefined(Schema.decodeUnknownEither(DatasetQc)(json))
  )

export const runQc = (context: RunContext, dataset: DatasetSpec, keys: ReadonlyArray<DatasetKeys>): Effect.Effect<QcOutcome, RunError> =>
  Effect.gen(function* () {
    const name = dataset.name
    const layout = context.layout.dataset(name)
    const record = yield* datasetRecordOf(context, name)
    const identities = context.qc.map((check) => check.identity)
    const key = qcStageKey(identities, name, keys)
    if (record.qc?.key === key && (yield* fileExists(layout.qcFlowSummary))) {
      const stored = yield* readDatasetQc(layout.qcDataset)
      if (stored !== undefined && stored.key === key) return outcomeOf(stored, true)
    }
    yield* context.progress.emit({ _tag: "StageStart", stage: "qc", dataset: name })
    const flowsChecks = context.qc.filter((check) => check.stage.phase === "flows")
    const labelsChecks = context.qc.filter((check) => check.stage.phase === "labels")

    // (1) per-batch flows-phase findings made under another QC config
    for (const unit of record.units) {
      const unitKey = batchQcKey(unit.flows_key, identities)
      if (unit.qc_key === unitKey) continue
      for (const stored of unit.batches) {
        const path = layout.qcBatch(unit.number, stored.index)
        const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, stored.index))
        const findings = yield* runBatchChecks(flowsChecks, flows, { dataset: name, capture: unit.id, batch: stored.index })
        const old = yield* readBatchFindings(path)
        yield* writeBatchFindings(path, {
          dataset: name,
          unit: unit.id,
          unit_number: unit.number,
          batch: stored.index,
          rows: stored.rows,
          source_findings: old?.source_findings ?? [],
          qc_findings: findings
        })
      }
      yield* context.manifest.update(() => {
        unit.qc_key = unitKey
      })
    }

    // (2) labels-phase checks, the artefacts, and (3) everything the per-batch files say
    const sourceFindings: Array<Finding> = []
    const batchFindings: Array<Finding> = []
    const artefacts = new QcArtefacts(name)
    for (const unit of record.units) {
      for (const stored of unit.batches) {
        const content = yield* readBatchFindings(layout.qcBatch(unit.number, stored.index))
        if (content !== undefined) {
          sourceFindings.push(...content.source_findings)
          batchFindings.push(...content.qc_findings)
        }
        const labelsPath = layout.qcLabels(unit.number, stored.index)
        if (labelsChecks.length === 0) {
          artefacts.add(yield* readStoredPart(context, name, unit, stored.index, QC_ARTEFACT_COLUMNS), unit.id)
          yield* removeFile(labelsPath)
          continue
        }
        const labelled = yield* readStoredPart(context, name, unit, stored.index)
        artefacts.add(labelled, unit.id)
        const findings = yield* runBatchChecks(labelsChecks, labelled, { dataset: name, capture: unit.id, batch: stored.index })
        batchFindings.push(...findings)
        yield* writeBatchFindings(labelsPath, {
          dataset: name,
          unit: unit.id,
          unit_number: unit.number,
          batch: stored.index,
          rows: stored.rows,
          source_findings: [],
          qc_findings: findings
        })
      }
      const tail = yield* readUnitFindings(layout.qcUnitTail(unit.number))
      if (tail !== undefined) sourceFindings.push(...tail.source_findings)
    }

    yield* writeQcArtefacts(layout, artefacts)

    // (3) finish per check
    const access = datasetAccess(context, name)
    const finishFindings: Array<Finding> = []
    for (const check of context.qc) finishFindings.push(...(yield* check.stage.finish(access, sourceFindings)))

    // (4) totals and status
    const all = [...sourceFindings, ...batchFindings, ...finishFindings]
    const worst = worstSeverity(all)
    const status = worst === "fail" ? "fail" : worst === "warn" ? "warn" : "pass"
    const bySource: Record<string, SeverityCounts> = {}
    for (const source of new Set(all.map((f) => f.source))) bySource[source] = countBySeverity(all.filter((f) => f.source === source))
    const failures = failuresOf(name, all)
    const content: DatasetQc = {
      dataset: name,
      key,
      status,
      totals: countBySeverity(all),
      by_source: bySource,
      failures: failures.map((failure) => ({
        check: failure.check,
        ...(failure.batch === undefined ? {} : { batch: failure.batch }),
        reason: failure.reason
      })),
      finish_findings: finishFindings,
      examples: examplesOf(all)
    }
    yield* writeFileAtomic(layout.qcDataset, `${JSON.stringify(Schema.encodeSync(DatasetQc)(content), null, 2)}\n`)
    yield* context.manifest.update(() => {
      record.qc = { key, status }
    })
    yield* context.progress.emit({
      _tag: "StageDone",
      stage: "qc",
      dataset: name,
      detail: `${status}: ${content.totals.fail} fail, ${content.totals.warn} warn, ${content.totals.info} info`
    })
    return outcomeOf(content, false)
  })
