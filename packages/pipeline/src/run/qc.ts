/**
 * The QC stage of one dataset, after every dataset's flows and labels are stored.
 *
 * Holds: `runQc`: (1) redo per-batch `flows`-phase checks of units whose findings were made
 * under another QC config (the flows themselves are not touched); (2) run `labels`-phase checks
 * on each stored batch with its labels (qc/labels-UUUUU-BBBBB.json); (3) each check's `finish`
 * with a DatasetAccess over the stored Parquet of any dataset and the dataset's source findings;
 * (4) totals by severity and the status, written to qc/dataset.json. A `fail` finding makes the
 * status `fail`: the runner then skips that dataset's features and any training on it, and the
 * run ends failed; each failing finding becomes a QcFailedError naming check, batch and
 * threshold. Skipped as a whole when the QC stage key (QC entries, every dataset's flows and
 * labels keys) is unchanged.
 * Does not hold: the flows-phase checks while reading (see `flows.ts`).
 */
import { PluginError, QcFailedError, worstSeverity, Finding, withColumns, type DatasetAccess, type FlowBatch } from "@hashhound/core"
import type { Vector } from "apache-arrow"
import { Effect, Either, Schema, Stream } from "effect"
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

export interface SeverityCounts {
  readonly info: number
  readonly warn: number
  readonly fail: number
}

export interface QcOutcome {
  readonly status: "pass" | "warn" | "fail"
  readonly totals: SeverityCounts
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
  finish_findings: Schema.Array(Finding)
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

const outcomeOf = (stored: DatasetQc, skipped: boolean): QcOutcome => ({
  status: stored.status,
  totals: stored.totals,
  failures: stored.failures.map((failure) => new QcFailedError({ dataset: stored.dataset, ...failure })),
  skipped
})

const readDatasetQc = (path: string): Effect.Effect<DatasetQc | undefined, StorageError> =>
  Effect.map(readJson(path), (json) =>
    json === undefined ? undefined : Either.getOrUndefined(Schema.decodeUnknownEither(DatasetQc)(json))
  )

/** The label columns of a stored labels part (those present), to join onto its flows part. */
const labelColumns = (labels: FlowBatch): Record<string, Vector> => {
  const columns: Record<string, Vector> = {}
  for (const name of ["label", "label_source", "label_detail"]) {
    const vector = labels.getChild(name)
    if (vector !== null) columns[name] = vector
  }
  return columns
}

const asPluginError = (error: StorageError): PluginError =>
  new PluginError({ pluginId: "pipeline", stage: "reading", reason: error.message, ...(error.path === undefined ? {} : { input: error.path }) })

/** Stored flows of a dataset (with label columns where labels are stored), one batch per part. */
export const storedDataset = (context: RunContext, dataset: string): Stream.Stream<FlowBatch, StorageError> => {
  const record = context.manifest.data.datasets[dataset]
  if (record === undefined) return Stream.empty
  const layout = context.layout.dataset(dataset)
  return Stream.fromIterable(record.units.flatMap((unit) => unit.batches.map((batch) => ({ unit, batch: batch.index })))).pipe(
    Stream.mapEffect(({ unit, batch }) =>
      Effect.gen(function* () {
        const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, batch))
        if (unit.labels_key === undefined || !(yield* fileExists(layout.labelsPart(unit.number, batch)))) return flows
        const labels = yield* context.storage.readParquet(layout.labelsPart(unit.number, batch), ["label", "label_source", "label_detail"])
        return withColumns(flows, labelColumns(labels))
      })
    )
  )
}

export const runQc = (context: RunContext, dataset: DatasetSpec, keys: ReadonlyArray<DatasetKeys>): Effect.Effect<QcOutcome, RunError> =>
  Effect.gen(function* () {
    const name = dataset.name
    const layout = context.layout.dataset(name)
    const record = yield* datasetRecordOf(context, name)
    const identities = context.qc.map((check) => check.identity)
    const key = qcStageKey(identities, name, keys)
    if (record.qc?.key === key) {
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

    // (2) labels-phase checks, and (3) everything the per-batch files say
    const sourceFindings: Array<Finding> = []
    const batchFindings: Array<Finding> = []
    for (const unit of record.units) {
      for (const stored of unit.batches) {
        const content = yield* readBatchFindings(layout.qcBatch(unit.number, stored.index))
        if (content !== undefined) {
          sourceFindings.push(...content.source_findings)
          batchFindings.push(...content.qc_findings)
        }
        const labelsPath = layout.qcLabels(unit.number, stored.index)
        if (labelsChecks.length === 0) {
          yield* removeFile(labelsPath)
          continue
        }
        const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, stored.index))
        const labels = yield* context.storage.readParquet(layout.labelsPart(unit.number, stored.index), ["label", "label_source", "label_detail"])
        const labelled = withColumns(flows, labelColumns(labels))
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

    // (3) finish per check
    const access: DatasetAccess = {
      dataset: name,
      datasets: context.spec.datasets.map((d) => d.name),
      read: (which) => Stream.mapError(storedDataset(context, which), asPluginError)
    }
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
      finish_findings: finishFindings
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
