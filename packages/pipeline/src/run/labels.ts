/**
 * The labels stage of one dataset: run the labelers on every stored flows part, merge their
 * answers by declared priority, flag duplicate flows, and store
 * `labels/part-UUUUU-BBBBB.parquet` (flow_id, label, label_source, label_detail; rows in the
 * order of the flows part).
 *
 * Holds: `runLabels` and `unitLabelsKeys`. The merge rule and the checks on answers are
 * `labels/`'s (`labelBatch`: first definite opinion wins, later disagreeing ones are recorded as
 * conflicts in label_detail, rows nobody has an opinion on are `unknown`, never benign by
 * accident). Labelers get the stage context (pipeline folder for relative paths, a work folder
 * under the dataset) and the run-wide `label_skew_s` as `labelSkewS`, by which labelers with
 * time windows widen them when it is larger than their own tolerance.
 *
 * Duplicates (the rule is `labels/duplicates.ts`'s): one `DuplicateTracker`, with `label_skew_s`
 * as its tolerance, is fed every unit of the dataset in unit-number order, then batch index, so
 * a flow repeating a flow of an earlier unit (the same traffic captured twice, overlapping
 * captures) or of an earlier batch is found, and "earlier" is the same on every run. Duplicates
 * are flagged, not dropped: they keep their labels and their label_detail ends with
 * `duplicate of <kept flow_id>`; the QC stage counts them into qc/labels.json. The tracker is fed
 * from the stored flows parts (projected to the key columns) in a pass before labelling, up to
 * the last unit to label, so units whose labels are already stored (a resumed run) are seen too
 * and the flags do not depend on interruptions or on `unit_concurrency`.
 *
 * Keys: labels are stored apart from flows, so changing a labeler redoes labels only. A unit's
 * labels key is the stage key of `keys.ts` (flows key, labelers, label_skew_s) combined with the
 * duplicate rule and the flows keys of every unit numbered before it (its flags depend on them):
 * a changed or removed earlier unit redoes the labels of the units after it; a unit added (it
 * gets the next number) redoes only its own.
 * Does not hold: QC of the `labels` phase (see `qc.ts`), the label report (`qc-artefacts.ts`).
 */
import { utf8Vector, type LabelerContext } from "@hashhound/core"
import { Table } from "apache-arrow"
import { Effect } from "effect"
import { join } from "node:path"
import { configHash } from "../config/hash.js"
import { DEDUPE_COLUMNS, DUPLICATE_RULE, DuplicateTracker, labelBatch, labelColumns, markDuplicates } from "../labels/index.js"
import type { DatasetSpec } from "../spec.js"
import { ensureDir, type StorageError } from "../storage/index.js"
import { datasetRecordOf, removeUnitFiles, type RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { labelsKey, type EntryIdentity } from "./keys.js"
import type { Made } from "./made-stages.js"
import type { UnitRecord } from "./manifest.js"
import { readStoredPart } from "./stored-flows.js"

export interface LabelsOutcome {
  readonly unitsLabelled: number
  readonly unitsSkipped: number
}

/**
 * The labels key of each unit (by unit number): `labelsKey` of its flows, combined with the
 * duplicate rule and a chain over the flows keys of the units numbered before it.
 */
export const unitLabelsKeys = (
  units: ReadonlyArray<UnitRecord>,
  labelers: ReadonlyArray<EntryIdentity>,
  labelSkewS: number
): ReadonlyMap<number, string> => {
  const keys = new Map<number, string>()
  let earlier = configHash({ duplicates: DUPLICATE_RULE })
  for (const unit of [...units].sort((a, b) => a.number - b.number)) {
    keys.set(unit.number, configHash({ labels: labelsKey(unit.flows_key, labelers, labelSkewS), earlier }))
    earlier = configHash({ earlier, flows: unit.flows_key })
  }
  return keys
}

/** Duplicate rows of the batches of the units to label: `unit/batch` → row → kept flow id. */
type DuplicateMarks = ReadonlyMap<string, ReadonlyMap<number, string>>

const partKey = (unit: number, batch: number): string => `${unit}/${batch}`

/**
 * Feed the tracker every batch of every unit up to the last one in `pending`, in unit-number
 * then batch order, reading the stored flows projected to the key columns; keep the marks of the
 * pending units' batches (only their duplicate rows).
 */
const duplicateMarks = (
  context: RunContext,
  dataset: string,
  units: ReadonlyArray<UnitRecord>,
  pending: ReadonlySet<number>,
  toleranceUs: number
): Effect.Effect<DuplicateMarks, StorageError> =>
  Effect.gen(function* () {
    const marks = new Map<string, Map<number, string>>()
    if (pending.size === 0) return marks
    const ordered = [...units].sort((a, b) => a.number - b.number)
    const last = Math.max(...pending)
    const tracker = new DuplicateTracker(toleranceUs)
    for (const unit of ordered) {
      if (unit.number > last) break
      for (const stored of [...unit.batches].sort((a, b) => a.index - b.index)) {
        const keys = yield* readStoredPart(context, dataset, unit, stored.index, DEDUPE_COLUMNS)
        const of = tracker.observe(keys)
        if (!pending.has(unit.number)) continue
        let rows: Map<number, string> | undefined
        for (let row = 0; row < of.length; row++) {
          const kept = of[row]
          if (kept === null || kept === undefined) continue
          if (rows === undefined) {
            rows = new Map()
            marks.set(partKey(unit.number, stored.index), rows)
          }
          rows.set(row, kept)
        }
      }
    }
    return marks
  })

export const runLabels = (
  context: RunContext,
  dataset: DatasetSpec,
  labelers: ReadonlyArray<Made<"labeler">>
): Effect.Effect<LabelsOutcome, RunError> =>
  Effect.gen(function* () {
    const name = dataset.name
    const layout = context.layout.dataset(name)
    yield* ensureDir(layout.labelsDir)
    yield* context.progress.emit({ _tag: "StageStart", stage: "labels", dataset: name })
    const record = yield* datasetRecordOf(context, name)
    const skewS = context.spec.options.label_skew_s
    const keys = unitLabelsKeys(
      record.units,
      labelers.map((labeler) => labeler.identity),
      skewS
    )
    const named = labelers.map((labeler) => ({ id: labeler.plugin.id, stage: labeler.stage }))
    const stageContext: LabelerContext = {
      dataset: name,
      baseDir: context.spec.baseDir,
      workDir: join(layout.root, "work", "labels"),
      labelSkewS: skewS
    }
    const pending = new Set(record.units.filter((unit) => unit.labels_key !== keys.get(unit.number)).map((unit) => unit.number))
    const marks = yield* duplicateMarks(context, name, record.units, pending, Math.round(skewS * 1e6))

    const labelUnit = (unit: UnitRecord): Effect.Effect<boolean, RunError> =>
      Effect.gen(function* () {
        const key = keys.get(unit.number)
        if (!pending.has(unit.number) || key === undefined) return false
        for (const stored of unit.batches) {
          const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, stored.index))
          let merged = yield* labelBatch(named, flows, { dataset: name, capture: unit.id, batch: stored.index }, stageContext)
          const rows = marks.get(partKey(unit.number, stored.index))
          if (rows !== undefined) {
            const duplicateOf = new Array<string | null>(flows.numRows).fill(null)
            for (const [row, kept] of rows) if (row < duplicateOf.length) duplicateOf[row] = kept
            merged = markDuplicates(merged, duplicateOf)
          }
          const table = new Table({ flow_id: flows.getChild("flow_id") ?? utf8Vector([]), ...labelColumns(merged) })
          yield* context.storage.writeBatch(table, layout.labelsPart(unit.number, stored.index))
        }
        yield* removeUnitFiles(layout.labelsDir, unit.number, unit.batches.length)
        yield* context.manifest.update(() => {
          unit.labels_key = key
        })
        return true
      })

    const done = yield* Effect.forEach(record.units, labelUnit, { concurrency: Math.max(1, context.spec.options.unit_concurrency) })
    const outcome = { unitsLabelled: done.filter(Boolean).length, unitsSkipped: done.filter((d) => !d).length }
    const flagged = [...marks.values()].reduce((sum, rows) => sum + rows.size, 0)
    yield* context.progress.emit({
      _tag: "StageDone",
      stage: "labels",
      dataset: name,
      detail: `${outcome.unitsLabelled} units labelled, ${outcome.unitsSkipped} skipped${pending.size > 0 ? `; ${flagged} duplicate flows flagged in them` : ""}`
    })
    return outcome
  })
