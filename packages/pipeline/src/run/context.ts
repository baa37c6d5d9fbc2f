/**
 * What every stage of a run shares: the spec, the layout, the manifest, storage, progress and
 * the run-wide QC stages; plus small helpers over stored files of a unit.
 *
 * Holds: `RunContext`, `datasetRecordOf`, `removeUnitFiles` (parts and per-batch JSON of a unit
 * from a batch index on), the per-batch and per-unit findings JSON (read and write), and running
 * per-batch QC checks.
 * Does not hold: stage logic (see `flows.ts`, `labels.ts`, `qc.ts`, `features.ts`, `models.ts`).
 */
import { Finding, PluginError, type BatchInfo, type FlowBatch } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import { join } from "node:path"
import type { PipelineSpec, ProgressSink } from "../spec.js"
import { listDir, readJson, removeFile, StorageError, writeFileAtomic, type StorageApi } from "../storage/index.js"
import { parsePartName, type RunLayout } from "./layout.js"
import type { Made } from "./made-stages.js"
import type { DatasetRecord, ManifestStore } from "./manifest.js"

export interface RunContext {
  readonly spec: PipelineSpec
  readonly layout: RunLayout
  readonly manifest: ManifestStore
  readonly storage: StorageApi
  readonly progress: ProgressSink
  /** QC stages of the run, in declared order */
  readonly qc: ReadonlyArray<Made<"qc">>
}

/** The manifest record of a dataset (the flows stage creates it before anything else reads it). */
export const datasetRecordOf = (context: RunContext, dataset: string): Effect.Effect<DatasetRecord, PluginError> => {
  const record = context.manifest.data.datasets[dataset]
  return record === undefined
    ? Effect.fail(new PluginError({ pluginId: "pipeline", stage: "processing", reason: `dataset ${dataset} has no flows in the manifest` }))
    : Effect.succeed(record)
}

/** Remove the files of `unit` in `dir` whose batch index is at least `fromBatch`. */
export const removeUnitFiles = (dir: string, unit: number, fromBatch = 0): Effect.Effect<void, StorageError> =>
  Effect.flatMap(listDir(dir), (names) =>
    Effect.forEach(
      names.filter((name) => {
        const part = parsePartName(name)
        return part !== undefined && part.unit === unit && part.batch >= fromBatch
      }),
      (name) => removeFile(join(dir, name)),
      { discard: true }
    )
  )

/** qc/batch-UUUUU-BBBBB.json: the source's findings emitted before the batch, and the batch's QC findings. */
const BatchFindings = Schema.Struct({
  dataset: Schema.String,
  unit: Schema.String,
  unit_number: Schema.Number,
  batch: Schema.Number,
  rows: Schema.Number,
  source_findings: Schema.Array(Finding),
  qc_findings: Schema.Array(Finding)
})
export type BatchFindings = typeof BatchFindings.Type

export const writeBatchFindings = (path: string, content: BatchFindings): Effect.Effect<void, StorageError> =>
  writeFileAtomic(path, `${JSON.stringify(Schema.encodeSync(BatchFindings)(content), null, 2)}\n`)

export const readBatchFindings = (path: string): Effect.Effect<BatchFindings | undefined, StorageError> =>
  Effect.flatMap(readJson(path), (json) =>
    json === undefined
      ? Effect.succeed(undefined)
      : Either.match(Schema.decodeUnknownEither(BatchFindings)(json), {
          onLeft: (error) => Effect.fail(new StorageError({ operation: "decode findings", path, reason: error.message })),
          onRight: (content) => Effect.succeed(content)
        })
  )

/** qc/unit-UUUUU.json: the source's findings after the unit's last batch. */
const UnitFindings = Schema.Struct({
  dataset: Schema.String,
  unit: Schema.String,
  unit_number: Schema.Number,
  batches: Schema.Number,
  source_findings: Schema.Array(Finding)
})
export type UnitFindings = typeof UnitFindings.Type

export const writeUnitFindings = (path: string, content: UnitFindings): Effect.Effect<void, StorageError> =>
  writeFileAtomic(path, `${JSON.stringify(Schema.encodeSync(UnitFindings)(content), null, 2)}\n`)

export const readUnitFindings = (path: string): Effect.Effect<UnitFindings | undefined, StorageError> =>
  Effect.flatMap(readJson(path), (json) =>
    json === undefined
      ? Effect.succeed(undefined)
      : Either.match(Schema.decodeUnknownEither(UnitFindings)(json), {
          onLeft: (error) => Effect.fail(new StorageError({ operation: "decode findings", path, reason: error.message })),
          onRight: (content) => Effect.succeed(content)
        })
  )

/** A finding with the capture and batch it belongs to filled in where the plugin left them out. */
export const placeFinding = (finding: Finding, capture: string, batch?: number): Finding =>
  finding.capture !== undefined && (batch === undefined || finding.batch !== undefined)
    ? finding
    : new Finding({ ...finding, capture: finding.capture ?? capture, ...(batch === undefined ? {} : { batch: finding.batch ?? batch }) })

/** Run QC checks on one batch; findings get the batch's capture and index where they lack them. */
export const runBatchChecks = (
  checks: ReadonlyArray<Made<"qc">>,
  batch: FlowBatch,
  info: BatchInfo
): Effect.Effect<ReadonlyArray<Finding>, PluginError> =>
  Effect.map(
    Effect.forEach(checks, (check) => check.stage.check(batch, info)),
    (lists) => lists.flat().map((finding) => placeFinding(finding, info.capture, info.batch))
  )
