/**
 * The labels stage of one dataset: run the labelers on every stored flows part, merge their
 * answers by declared priority, and store `labels/part-UUUUU-BBBBB.parquet` (flow_id, label,
 * label_source, label_detail; rows in the order of the flows part).
 *
 * Holds: `runLabels`. The merge rule and the checks on answers are `labels/`'s (`labelBatch`:
 * first definite opinion wins, later disagreeing ones are recorded as conflicts in
 * label_detail, rows nobody has an opinion on are `unknown`, never benign by accident).
 * Labels are stored apart from flows, so changing a labeler redoes labels only; a unit's labels
 * are redone when its labels key (flows key, labelers, label_skew_s) changes. Labelers get the
 * stage context (pipeline folder for relative paths, a work folder under the dataset).
 * Does not hold: QC of the `labels` phase (see `qc.ts`).
 */
import { utf8Vector } from "@hashhound/core"
import { Table } from "apache-arrow"
import { Effect } from "effect"
import { join } from "node:path"
import { labelBatch, labelColumns } from "../labels/index.js"
import type { DatasetSpec } from "../spec.js"
import { ensureDir } from "../storage/index.js"
import { datasetRecordOf, removeUnitFiles, type RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { labelsKey } from "./keys.js"
import type { Made } from "./made-stages.js"
import type { UnitRecord } from "./manifest.js"

export interface LabelsOutcome {
  readonly unitsLabelled: number
  readonly unitsSkipped: number
}

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
    const identities = labelers.map((labeler) => labeler.identity)
    const named = labelers.map((labeler) => ({ id: labeler.plugin.id, stage: labeler.stage }))
    const stageContext = { dataset: name, baseDir: context.spec.baseDir, workDir: join(layout.root, "work", "labels") }

    const labelUnit = (unit: UnitRecord): Effect.Effect<boolean, RunError> =>
      Effect.gen(function* () {
        const key = labelsKey(unit.flows_key, identities, context.spec.options.label_skew_s)
        if (unit.labels_key === key) return false
        for (const stored of unit.batches) {
          const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, stored.index))
          const merged = yield* labelBatch(named, flows, { dataset: name, capture: unit.id, batch: stored.index }, stageContext)
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
    yield* context.progress.emit({
      _tag: "StageDone",
      stage: "labels",
      dataset: name,
      detail: `${outcome.unitsLabelled} units labelled, ${outcome.unitsSkipped} skipped`
    })
    return outcome
  })
