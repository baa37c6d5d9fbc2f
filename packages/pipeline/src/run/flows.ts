/**
 * The flows stage of one dataset: plan units, read them (resuming where a killed run stopped),
 * stamp identity, run per-batch QC, and store each batch.
 *
 * Holds: `runFlows`. Per batch, in this order: parquet (tmp → rename), qc/batch JSON (tmp →
 * rename), checkpoint for the next batch (tmp → rename, when the source gave one), then the
 * manifest records the batch, then the previous checkpoint is removed. So a batch is done only
 * once everything it produced is in place, and the checkpoint the manifest names always exists. On restart a unit
 * whose key matches and is complete is skipped; an incomplete one resumes with
 * `{ nextBatch, checkpoint }` (the checkpoint only when its header says it belongs to exactly
 * that batch), and batches with an index below `nextBatch` that a replaying source emits again
 * are dropped together with the findings before them. Files of batch indices ≥ nextBatch left
 * by a killed attempt are removed before reading. Units that left the plan lose their files.
 * Does not hold: labels, dataset-level QC, features (see the sibling modules).
 */
import { PluginError, stampIdentity, type Finding, type ResumePoint, type SourceEvent, type SourceUnit, type StageContext } from "@hashhound/core"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import type { DatasetSpec } from "../spec.js"
import { ensureDir, listDir, readBytes, removeFile, writeFileAtomic, type StorageError } from "../storage/index.js"
import { removeUnitFiles, runBatchChecks, writeBatchFindings, writeUnitFindings, type RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { batchQcKey, configHashOf, flowsKey } from "./keys.js"
import { parseCheckpointName, type DatasetLayout } from "./layout.js"
import type { Made } from "./made-stages.js"
import type { UnitRecord } from "./manifest.js"

export interface FlowsOutcome {
  readonly unitsRead: number
  readonly unitsSkipped: number
  readonly batchesWritten: number
  readonly batchesSkipped: number
}

const MAGIC = [0x48, 0x48, 0x43, 0x4b] // "HHCK"

/** Checkpoint file: magic, the next batch it belongs to (u32 LE), the source's bytes. */
export const encodeCheckpoint = (nextBatch: number, bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(8 + bytes.length)
  out.set(MAGIC)
  new DataView(out.buffer).setUint32(4, nextBatch, true)
  out.set(bytes, 8)
  return out
}

/** The source's bytes when the file is a checkpoint for exactly `nextBatch`. */
export const decodeCheckpoint = (file: Uint8Array, nextBatch: number): Uint8Array | undefined => {
  if (file.length < 8 || MAGIC.some((byte, index) => file[index] !== byte)) return undefined
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  return view.getUint32(4, true) === nextBatch ? file.slice(8) : undefined
}

/** Unit numbers: a known unit keeps its number, a new one gets the next free number. */
const assignNumbers = (plan: ReadonlyArray<SourceUnit>, previous: ReadonlyArray<UnitRecord>): ReadonlyArray<number> => {
  const byId = new Map(previous.map((unit) => [unit.id, unit.number]))
  let next = previous.reduce((max, unit) => Math.max(max, unit.number + 1), 0)
  return plan.map((unit) => byId.get(unit.id) ?? next++)
}

/** Every stored file of a unit (flows, labels, features, findings, checkpoint). */
const removeAllUnitFiles = (layout: DatasetLayout, unit: number): Effect.Effect<void, StorageError> =>
  Effect.gen(function* () {
    yield* removeUnitFiles(layout.flowsDir, unit)
    yield* removeUnitFiles(layout.labelsDir, unit)
    yield* removeUnitFiles(layout.qcDir, unit)
    yield* removeFile(layout.qcUnitTail(unit))
    yield* removeCheckpoints(layout, unit, () => true)
    for (const group of yield* listDir(layout.featuresDir)) yield* removeUnitFiles(layout.featuresGroupDir(group), unit)
  })

/** Remove the checkpoint files of `unit` whose next batch passes `which`. */
const removeCheckpoints = (layout: DatasetLayout, unit: number, which: (nextBatch: number) => boolean): Effect.Effect<void, StorageError> =>
  Effect.flatMap(listDir(layout.checkpointsDir), (names) =>
    Effect.forEach(
      names.filter((name) => {
        const parsed = parseCheckpointName(name)
        return parsed !== undefined && parsed.unit === unit && which(parsed.batch)
      }),
      (name) => removeFile(join(layout.checkpointsDir, name)),
      { discard: true }
    )
  )

interface UnitOutcome {
  readonly read: boolean
  readonly batchesWritten: number
  readonly batchesSkipped: number
}

export const runFlows = (context: RunContext, dataset: DatasetSpec, source: Made<"source">): Effect.Effect<FlowsOutcome, RunError> =>
  Effect.gen(function* () {
    const name = dataset.name
    const layout = context.layout.dataset(name)
    for (const dir of [layout.flowsDir, layout.qcDir, layout.checkpointsDir, layout.sourceDir]) yield* ensureDir(dir)
    const stageContext: StageContext = { dataset: name, baseDir: context.spec.baseDir, workDir: layout.sourceDir }
    yield* context.progress.emit({ _tag: "StageStart", stage: "flows", dataset: name })

    const units = yield* source.stage.plan(stageContext)
    const ids = new Set<string>()
    for (const unit of units) {
      if (ids.has(unit.id)) {
        return yield* new PluginError({ pluginId: source.plugin.id, stage: "reading", reason: `plan lists unit ${unit.id} twice` })
      }
      ids.add(unit.id)
    }
    const previous = context.manifest.data.datasets[name]
    const numbers = assignNumbers(units, previous?.units ?? [])
    for (const gone of (previous?.units ?? []).filter((unit) => !ids.has(unit.id))) yield* removeAllUnitFiles(layout, gone.number)
    // checkpoints of units that are no longer known (a killed run may leave them)
    for (const file of yield* listDir(layout.checkpointsDir)) {
      const parsed = parseCheckpointName(file)
      if (parsed !== undefined && !numbers.includes(parsed.unit)) yield* removeFile(join(layout.checkpointsDir, file))
    }

    const records: Array<UnitRecord> = units.map((unit, index) => {
      const key = flowsKey(source.identity, unit)
      const existing = previous?.units.find((record) => record.id === unit.id)
      if (existing !== undefined && existing.flows_key === key) return existing
      return {
        number: numbers[index]!,
        id: unit.id,
        ...(unit.path === undefined ? {} : { path: unit.path }),
        ...(unit.paths === undefined ? {} : { paths: [...unit.paths] }),
        fingerprint: unit.fingerprint,
        ...(unit.sizeBytes === undefined ? {} : { size_bytes: unit.sizeBytes }),
        flows_key: key,
        status: "reading",
        batches: []
      }
    })
    yield* context.manifest.update((manifest) => {
      const old = manifest.datasets[name]
      manifest.datasets[name] = {
        source: { type: source.entry.type, version: source.plugin.version, config_hash: configHashOf(source.entry) },
        units: records,
        features: old?.features ?? {},
        ...(old?.qc === undefined ? {} : { qc: old.qc })
      }
    })

    const flowsChecks = context.qc.filter((check) => check.stage.phase === "flows")
    const qcIdentities = context.qc.map((check) => check.identity)

    const processUnit = (unit: SourceUnit, record: UnitRecord): Effect.Effect<UnitOutcome, RunError> =>
      Effect.gen(function* () {
        const number = record.number
        const storedRows = () => record.batches.reduce((sum, batch) => sum + batch.rows, 0)
        if (record.status === "complete") {
          // a run killed between recording completion and removing the last checkpoint leaves it
          yield* removeCheckpoints(layout, number, () => true)
          yield* context.progress.emit({ _tag: "UnitDone", dataset: name, unit: unit.id, flows: storedRows(), skipped: true })
          return { read: false, batchesWritten: 0, batchesSkipped: record.batches.length }
        }
        const nextBatch = record.batches.length
        yield* removeUnitFiles(layout.flowsDir, number, nextBatch)
        yield* removeUnitFiles(layout.qcDir, number, nextBatch)

        let resume: ResumePoint | undefined
        if (nextBatch > 0) {
          const file = record.checkpoint_next_batch === nextBatch ? yield* readBytes(layout.checkpoint(number, nextBatch)) : undefined
          const checkpoint = file === undefined ? undefined : decodeCheckpoint(file, nextBatch)
          resume = checkpoint === undefined ? { nextBatch } : { nextBatch, checkpoint }
        }
        const qcKey = batchQcKey(record.flows_key, qcIdentities)
        const qcConsistent = nextBatch === 0 || record.qc_key === qcKey
        yield* context.manifest.update(() => {
          record.qc_key = qcConsistent ? qcKey : "mixed"
          if (resume?.checkpoint === undefined) record.checkpoint_next_batch = undefined
        })
        yield* removeCheckpoints(layout, number, (batch) => resume?.checkpoint === undefined || batch !== nextBatch)

        let expected = nextBatch
        let pending: Array<Finding> = []
        let written = 0
        let flows = storedRows()

        const storeBatch = (event: Extract<SourceEvent, { _tag: "Batch" }>) =>
          Effect.gen(function* () {
            const index = event.index
            const batch = stampIdentity(event.batch, name, unit.id, index)
            const qcFindings = yield* runBatchChecks(flowsChecks, batch, { dataset: name, capture: unit.id, batch: index })
            yield* context.storage.writeBatch(batch, layout.flowsPart(number, index))
            yield* writeBatchFindings(layout.qcBatch(number, index), {
              dataset: name,
              unit: unit.id,
              unit_number: number,
              batch: index,
              rows: batch.numRows,
              source_findings: pending,
              qc_findings: qcFindings
            })
            const checkpoint = event.checkpoint
            if (checkpoint !== undefined) yield* writeFileAtomic(layout.checkpoint(number, index + 1), encodeCheckpoint(index + 1, checkpoint))
            yield* context.manifest.update(() => {
              record.batches.push({ index, rows: batch.numRows })
              record.checkpoint_next_batch = checkpoint === undefined ? undefined : index + 1
            })
            // the checkpoint the manifest pointed at before is no longer needed
            yield* removeCheckpoints(layout, number, (next) => next <= index)
            expected = index + 1
            pending = []
            written++
            flows += batch.numRows
            yield* context.progress.emit({
              _tag: "UnitProgress",
              dataset: name,
              unit: unit.id,
              bytesRead: event.bytesRead ?? 0,
              totalBytes: unit.sizeBytes ?? 0,
              batches: expected,
              flows
            })
          })

        yield* Stream.runForEach(source.stage.read(unit, stageContext, resume), (event): Effect.Effect<void, RunError> => {
          if (event._tag === "Finding") {
            pending.push(event.finding)
            return Effect.void
          }
          if (event.index < nextBatch && expected === nextBatch) {
            // a replaying source: this batch is stored already, and so are the findings before it
            pending = []
            return Effect.void
          }
          if (event.index !== expected) {
            return Effect.fail(
              new PluginError({
                pluginId: source.plugin.id,
                stage: "reading",
                input: unit.id,
                reason: `emitted batch ${event.index} where batch ${expected} was expected`
              })
            )
          }
          return storeBatch(event)
        })

        yield* writeUnitFindings(layout.qcUnitTail(number), {
          dataset: name,
          unit: unit.id,
          unit_number: number,
          batches: expected,
          source_findings: pending
        })
        yield* removeUnitFiles(layout.flowsDir, number, expected)
        yield* removeUnitFiles(layout.qcDir, number, expected)
        yield* context.manifest.update(() => {
          record.status = "complete"
          record.checkpoint_next_batch = undefined
        })
        yield* removeCheckpoints(layout, number, () => true)
        yield* context.progress.emit({ _tag: "UnitDone", dataset: name, unit: unit.id, flows, skipped: false })
        return { read: true, batchesWritten: written, batchesSkipped: nextBatch }
      })

    const outcomes = yield* Effect.forEach(units, (unit, index) => processUnit(unit, records[index]!), {
      concurrency: Math.max(1, context.spec.options.unit_concurrency)
    })
    const outcome: FlowsOutcome = {
      unitsRead: outcomes.filter((o) => o.read).length,
      unitsSkipped: outcomes.filter((o) => !o.read).length,
      batchesWritten: outcomes.reduce((sum, o) => sum + o.batchesWritten, 0),
      batchesSkipped: outcomes.reduce((sum, o) => sum + o.batchesSkipped, 0)
    }
    yield* context.progress.emit({
      _tag: "StageDone",
      stage: "flows",
      dataset: name,
      detail: `${outcome.unitsRead} units read, ${outcome.unitsSkipped} skipped; ${outcome.batchesWritten} batches written`
    })
    return outcome
  })
