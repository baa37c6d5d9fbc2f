/**
 * Reading a dataset's stored flows back for QC: one batch per stored part, in manifest order
 * (unit, then batch index), with the label columns of its labels part joined where labels are
 * stored, optionally projected to some columns.
 *
 * Holds: `LABEL_COLUMNS`, `labelColumnsOf` (the label vectors of a labels part), `readStoredPart`
 * (one part, projected: the flows Parquet is read for the requested columns it has only, the
 * labels Parquet only when a label column is requested), `storedDataset` (a dataset as a stream
 * of such parts) and `datasetAccess` (core's `DatasetAccess` over the run: any dataset, with
 * projection, and the dataset's units with their fingerprints).
 * Does not hold: what QC does with the batches (see `qc.ts`).
 */
import { PluginError, projectBatch, withColumns, type DatasetAccess, type FlowBatch } from "@hashhound/core"
import type { Vector } from "apache-arrow"
import { Effect, Stream } from "effect"
import { fileExists, quoteLiteral, type StorageError } from "../storage/index.js"
import type { RunContext } from "./context.js"
import type { UnitRecord } from "./manifest.js"

export const LABEL_COLUMNS: ReadonlyArray<string> = ["label", "label_source", "label_detail"]

/** The label columns of a stored labels part (those present), to join onto its flows part. */
export const labelColumnsOf = (labels: FlowBatch): Record<string, Vector> => {
  const columns: Record<string, Vector> = {}
  for (const name of LABEL_COLUMNS) {
    const vector = labels.getChild(name)
    if (vector !== null) columns[name] = vector
  }
  return columns
}

/** Column names of a Parquet file, without reading its rows. */
const parquetColumns = (context: RunContext, path: string): Effect.Effect<ReadonlyArray<string>, StorageError> =>
  context.storage.run("read parquet schema", path, async (connection) =>
    (await connection.run(`SELECT * FROM read_parquet(${quoteLiteral(path)}) LIMIT 0`)).columnNames()
  )

/**
 * Batch `batch` of `unit` with labels joined when stored; with `columns`, only those of them
 * the part has (core's `projectBatch` rule: none of them leaves `flow_id`).
 */
export const readStoredPart = (
  context: RunContext,
  dataset: string,
  unit: UnitRecord,
  batch: number,
  columns?: ReadonlyArray<string>
): Effect.Effect<FlowBatch, StorageError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    const flowsPath = layout.flowsPart(unit.number, batch)
    let flows: FlowBatch
    if (columns === undefined) flows = yield* context.storage.readParquet(flowsPath)
    else {
      const stored = new Set(yield* parquetColumns(context, flowsPath))
      const present = columns.filter((name, at) => columns.indexOf(name) === at && stored.has(name))
      flows = yield* context.storage.readParquet(flowsPath, present.length > 0 ? present : ["flow_id"])
    }
    const wanted = columns === undefined ? LABEL_COLUMNS : LABEL_COLUMNS.filter((name) => columns.includes(name))
    const labelsPath = layout.labelsPart(unit.number, batch)
    if (wanted.length > 0 && unit.labels_key !== undefined && (yield* fileExists(labelsPath))) {
      const labels = yield* context.storage.readParquet(labelsPath, wanted)
      flows = withColumns(flows, labelColumnsOf(labels))
    }
    return columns === undefined ? flows : projectBatch(flows, columns)
  })

/** Stored flows of a dataset (with label columns where labels are stored), one batch per part. */
export const storedDataset = (
  context: RunContext,
  dataset: string,
  columns?: ReadonlyArray<string>
): Stream.Stream<FlowBatch, StorageError> => {
  const record = context.manifest.data.datasets[dataset]
  if (record === undefined) return Stream.empty
  return Stream.fromIterable(record.units.flatMap((unit) => unit.batches.map((stored) => ({ unit, batch: stored.index })))).pipe(
    Stream.mapEffect(({ unit, batch }) => readStoredPart(context, dataset, unit, batch, columns))
  )
}

const asPluginError = (error: StorageError): PluginError =>
  new PluginError({ pluginId: "pipeline", stage: "reading", reason: error.message, ...(error.path === undefined ? {} : { input: error.path }) })

/** What a QC check's `finish` sees of the run: every dataset of the pipeline, and `dataset`'s units. */
export const datasetAccess = (context: RunContext, dataset: string): DatasetAccess => ({
  dataset,
  datasets: context.spec.datasets.map((d) => d.name),
  units: (context.manifest.data.datasets[dataset]?.units ?? []).map((unit) => ({ id: unit.id, fingerprint: unit.fingerprint })),
  read: (which, columns) => Stream.mapError(storedDataset(context, which, columns), asPluginError)
})
