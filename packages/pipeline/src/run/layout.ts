/**
 * Run layout: where every output of a run lives (DESIGN.md, "Run layout and resumability").
 *
 * ```
 * <output>/manifest.json
 * <output>/datasets/<name>/flows/part-UUUUU-BBBBB.parquet      flows of unit U, batch B
 * <output>/datasets/<name>/labels/part-UUUUU-BBBBB.parquet     flow_id, label, label_source, label_detail
 * <output>/datasets/<name>/features/<group>/part-UUUUU-BBBBB.parquet   flow_id + that group's features
 * <output>/datasets/<name>/qc/batch-UUUUU-BBBBB.json           source findings before batch B + QC of B
 * <output>/datasets/<name>/qc/unit-UUUUU.json                  source findings after the unit's last batch
 * <output>/datasets/<name>/qc/labels-UUUUU-BBBBB.json          QC of the `labels` phase on batch B
 * <output>/datasets/<name>/qc/dataset.json                     QC finish, totals, status
 * <output>/datasets/<name>/qc/flow-summary.json                chart data of the stored flows (core's FlowSummary)
 * <output>/datasets/<name>/qc/labels.json                      label report of the stored labels (core's LabelReport)
 * <output>/datasets/<name>/checkpoints/UUUUU-BBBBB.bin         source state from which batch B of unit U is read
 * <output>/datasets/<name>/source/                             the source's work folder
 * <output>/models/<model>/model.bin, card.json
 * <output>/evaluation/scores-<dataset>.parquet, metrics.json
 * ```
 *
 * Naming choice: DESIGN.md sketches `part-NNNNN`; parts here are `part-UUUUU-BBBBB` (unit number,
 * batch index within the unit) because units are read concurrently, so a run-wide batch counter
 * would depend on timing and a resumed run could not find or overwrite the same files. The
 * unit number is the unit's position in the source's plan the first time the run saw it; a
 * unit keeps its number across reruns (new units get the next free number), so adding a file
 * never renames the parts of the others. Both numbers are zero-padded to five digits (more
 * digits appear past 99999; order is always taken from the manifest, never from names).
 * Checkpoints are named by unit and the batch they resume at (not one `UUUUU.bin` per unit):
 * the new checkpoint is written before the manifest records its batch, and the one the manifest
 * still points at is removed only after that, so a kill in between never leaves a unit without
 * the checkpoint its manifest entry names.
 * Does not hold: writing (see `storage/` and the stage modules).
 */
import { join } from "node:path"

const pad = (value: number): string => String(value).padStart(5, "0")

export const partName = (unit: number, batch: number): string => `part-${pad(unit)}-${pad(batch)}.parquet`

/** The (unit, batch) of a part, batch-json or labels-json file name; undefined for other names. */
export const parsePartName = (name: string): { readonly unit: number; readonly batch: number } | undefined => {
  const match = /^(?:part|batch|labels)-(\d{5,})-(\d{5,})\.(?:parquet|json)$/.exec(name)
  return match === null ? undefined : { unit: Number(match[1]), batch: Number(match[2]) }
}

/** The (unit, next batch) of a checkpoint file name. */
export const parseCheckpointName = (name: string): { readonly unit: number; readonly batch: number } | undefined => {
  const match = /^(\d{5,})-(\d{5,})\.bin$/.exec(name)
  return match === null ? undefined : { unit: Number(match[1]), batch: Number(match[2]) }
}

export interface DatasetLayout {
  readonly root: string
  readonly flowsDir: string
  readonly labelsDir: string
  readonly featuresDir: string
  readonly qcDir: string
  readonly checkpointsDir: string
  readonly sourceDir: string
  readonly flowsPart: (unit: number, batch: number) => string
  readonly labelsPart: (unit: number, batch: number) => string
  readonly featuresGroupDir: (group: string) => string
  readonly featuresPart: (group: string, unit: number, batch: number) => string
  readonly qcBatch: (unit: number, batch: number) => string
  readonly qcUnitTail: (unit: number) => string
  readonly qcLabels: (unit: number, batch: number) => string
  readonly qcDataset: string
  readonly qcFlowSummary: string
  readonly qcLabelReport: string
  readonly checkpoint: (unit: number, nextBatch: number) => string
}

export interface RunLayout {
  readonly output: string
  readonly manifest: string
  readonly datasetsDir: string
  readonly modelsDir: string
  readonly evaluationDir: string
  readonly dataset: (name: string) => DatasetLayout
  readonly modelDir: (name: string) => string
  readonly scores: (dataset: string) => string
  readonly metrics: string
}

export const runLayout = (output: string): RunLayout => {
  const datasetsDir = join(output, "datasets")
  const modelsDir = join(output, "models")
  const evaluationDir = join(output, "evaluation")
  return {
    output,
    manifest: join(output, "manifest.json"),
    datasetsDir,
    modelsDir,
    evaluationDir,
    dataset: (name) => {
      const root = join(datasetsDir, name)
      const flowsDir = join(root, "flows")
      const labelsDir = join(root, "labels")
      const featuresDir = join(root, "features")
      const qcDir = join(root, "qc")
      const checkpointsDir = join(root, "checkpoints")
      return {
        root,
        flowsDir,
        labelsDir,
        featuresDir,
        qcDir,
        checkpointsDir,
        sourceDir: join(root, "source"),
        flowsPart: (unit, batch) => join(flowsDir, partName(unit, batch)),
        labelsPart: (unit, batch) => join(labelsDir, partName(unit, batch)),
        featuresGroupDir: (group) => join(featuresDir, group),
        featuresPart: (group, unit, batch) => join(featuresDir, group, partName(unit, batch)),
        qcBatch: (unit, batch) => join(qcDir, `batch-${pad(unit)}-${pad(batch)}.json`),
        qcUnitTail: (unit) => join(qcDir, `unit-${pad(unit)}.json`),
        qcLabels: (unit, batch) => join(qcDir, `labels-${pad(unit)}-${pad(batch)}.json`),
        qcDataset: join(qcDir, "dataset.json"),
        qcFlowSummary: join(qcDir, "flow-summary.json"),
        qcLabelReport: join(qcDir, "labels.json"),
        checkpoint: (unit, nextBatch) => join(checkpointsDir, `${pad(unit)}-${pad(nextBatch)}.bin`)
      }
    },
    modelDir: (name) => join(modelsDir, name),
    scores: (dataset) => join(evaluationDir, `scores-${dataset}.parquet`),
    metrics: join(evaluationDir, "metrics.json")
  }
}
