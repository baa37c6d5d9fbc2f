/**
 * The features stage of one dataset: each feature group writes
 * `features/<group>/part-UUUUU-BBBBB.parquet` (flow_id + the group's features, rows in the
 * order of the flows part).
 *
 * Holds: `runFeatures` and `featureGroupDirs`. `batch` groups get each stored flows part with
 * guarded columns (identity, keys that name hosts, app hints, labels) removed unless the
 * pipeline allows them; `sql` groups get a DuckDB view over the dataset's flows parts
 * (`CREATE TEMP VIEW … AS SELECT flow_id, <allowed catalogue columns> FROM read_parquet([...])`,
 * with typed NULLs for catalogue columns the dataset lacks), their SELECT is materialised once
 * and split per part by a join on flow_id. A feature whose required columns a dataset lacks is
 * null there. A group is redone when its key (flows keys, group id + version + config, allowed
 * columns) changes, and only then. Then the dataset's feature artefacts for the QC report
 * (`feature-artefacts.ts`: qc/features.json, qc/feature-sample.json).
 * Does not hold: which datasets get features (the runner skips QC-failed ones).
 */
import {
  FLOW_COLUMNS,
  isGuardedColumn,
  PluginError,
  type FeatureColumns,
  type FeatureSpec,
  type FlowBatch
} from "@hashhound/core"
import { Bool, Float64, Int32, makeData, makeVector, Table, type Vector } from "apache-arrow"
import { Effect } from "effect"
import type { DatasetSpec } from "../spec.js"
import {
  commitFile,
  ensureDir,
  parquetSource,
  quoteIdent,
  quoteLiteral,
  reasonOf,
  removeDir,
  sqlTypeOf,
  tmpPathOf
} from "../storage/index.js"
import { copyOptions } from "../storage/copy-sql.js"
import { datasetRecordOf, type RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { writeFeatureArtefacts } from "./feature-artefacts.js"
import { featuresKey } from "./keys.js"
import type { Made } from "./made-stages.js"

/** Folder names of the groups: the plugin id, with `-2`, `-3` … for repeats. */
export const featureGroupDirs = (groups: ReadonlyArray<Made<"features">>): ReadonlyArray<string> => {
  const seen = new Map<string, number>()
  return groups.map((group) => {
    const count = (seen.get(group.entry.type) ?? 0) + 1
    seen.set(group.entry.type, count)
    return count === 1 ? group.entry.type : `${group.entry.type}-${count}`
  })
}

const allowedColumn = (allow: ReadonlyArray<string>) => (name: string): boolean => !isGuardedColumn(name) || allow.includes(name)

/** A feature column as Arrow, NaN → null, typed by the feature's dtype. */
const featureVector = (spec: FeatureSpec, values: Float64Array | undefined, rows: number): Vector => {
  const valid = new Uint8Array((rows + 7) >> 3)
  let nullCount = 0
  for (let row = 0; row < rows; row++) {
    const value = values?.[row]
    if (value === undefined || Number.isNaN(value)) nullCount++
    else valid[row >> 3]! |= 1 << (row & 7)
  }
  const nullBitmap = nullCount === 0 ? undefined : valid
  switch (spec.dtype) {
    case "float64": {
      const data = new Float64Array(rows)
      for (let row = 0; row < rows; row++) data[row] = values?.[row] ?? Number.NaN
      return makeVector(makeData({ type: new Float64(), length: rows, nullCount, nullBitmap, data }))
    }
    case "int32": {
      const data = new Int32Array(rows)
      for (let row = 0; row < rows; row++) {
        const value = values?.[row] ?? Number.NaN
        data[row] = Number.isNaN(value) ? 0 : Math.round(value)
      }
      return makeVector(makeData({ type: new Int32(), length: rows, nullCount, nullBitmap, data }))
    }
    case "bool": {
      const data = new Uint8Array((rows + 7) >> 3)
      for (let row = 0; row < rows; row++) {
        const value = values?.[row] ?? Number.NaN
        if (!Number.isNaN(value) && value !== 0) data[row >> 3]! |= 1 << (row & 7)
      }
      return makeVector(makeData({ type: new Bool(), length: rows, nullCount, nullBitmap, data }))
    }
  }
}

const castOf = (spec: FeatureSpec): string => (spec.dtype === "float64" ? "DOUBLE" : spec.dtype === "int32" ? "INTEGER" : "BOOLEAN")

const computeBatchGroup = (
  context: RunContext,
  dataset: string,
  group: Made<"features">,
  dir: string,
  compute: (batch: FlowBatch) => Effect.Effect<FeatureColumns, PluginError>
): Effect.Effect<void, RunError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    const record = yield* datasetRecordOf(context, dataset)
    const allowed = allowedColumn(context.spec.options.allow_guarded_columns)
    for (const unit of record.units) {
      for (const stored of unit.batches) {
        const flows = yield* context.storage.readParquet(layout.flowsPart(unit.number, stored.index))
        const names = flows.schema.fields.map((field) => field.name)
        const input = flows.select(names.filter(allowed))
        const present = new Set(input.schema.fields.map((field) => field.name))
        const columns = yield* compute(input)
        const flowIds = flows.getChild("flow_id")
        if (flowIds === null) {
          return yield* new PluginError({ pluginId: "pipeline", stage: "processing", input: `${unit.id} batch ${stored.index}`, reason: "stored flows have no flow_id" })
        }
        const vectors: Record<string, Vector> = { flow_id: flowIds }
        for (const spec of group.stage.features) {
          const values = columns[spec.name]
          if (values !== undefined && values.length !== flows.numRows) {
            return yield* new PluginError({
              pluginId: group.plugin.id,
              stage: "processing",
              input: `${unit.id} batch ${stored.index}`,
              reason: `feature ${spec.name} has ${values.length} values for ${flows.numRows} flows`
            })
          }
          const computable = spec.requires.every((column) => present.has(column))
          vectors[spec.name] = featureVector(spec, computable ? values : undefined, flows.numRows)
        }
        yield* context.storage.writeBatch(new Table(vectors), layout.featuresPart(dir, unit.number, stored.index))
      }
    }
  })

let viewCounter = 0

const computeSqlGroup = (
  context: RunContext,
  dataset: string,
  group: Made<"features">,
  dir: string,
  sql: (flowTable: string) => string
): Effect.Effect<void, RunError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    const record = yield* datasetRecordOf(context, dataset)
    const parts = record.units.flatMap((unit) =>
      unit.batches.map((batch) => ({ flows: layout.flowsPart(unit.number, batch.index), out: layout.featuresPart(dir, unit.number, batch.index) }))
    )
    if (parts.length === 0) return
    const allowed = allowedColumn(context.spec.options.allow_guarded_columns)
    const pluginFailure = (error: unknown) =>
      new PluginError({ pluginId: group.plugin.id, stage: "processing", input: dataset, reason: reasonOf(error) })
    yield* context.storage.withConnection((connection) =>
      Effect.gen(function* () {
        const step = <A>(run: () => Promise<A>): Effect.Effect<A, PluginError> => Effect.tryPromise({ try: run, catch: pluginFailure })
        const source = parquetSource(
          parts.map((part) => part.flows),
          { unionByName: true }
        )
        const present = yield* step(async () => new Set((await connection.run(`SELECT * FROM ${source} LIMIT 0`)).columnNames()))
        const select = [
          "flow_id",
          ...FLOW_COLUMNS.filter((column) => column.name !== "flow_id" && allowed(column.name)).map((column) =>
            present.has(column.name) ? quoteIdent(column.name) : `CAST(NULL AS ${sqlTypeOf(column.type)}) AS ${quoteIdent(column.name)}`
          )
        ].join(", ")
        const id = ++viewCounter
        const view = `hh_flows_${id}`
        const table = `hh_features_${id}`
        yield* step(() => connection.run(`CREATE TEMP VIEW ${view} AS SELECT ${select} FROM ${source}`))
        yield* step(() => connection.run(`CREATE TEMP TABLE ${table} AS ${sql(view)}`))
        const produced = yield* step(async () => new Set((await connection.run(`SELECT * FROM ${table} LIMIT 0`)).columnNames()))
        if (!produced.has("flow_id")) return yield* pluginFailure("the feature SELECT returned no flow_id column")
        const columns = group.stage.features
          .map((spec) =>
            produced.has(spec.name)
              ? `CAST(f.${quoteIdent(spec.name)} AS ${castOf(spec)}) AS ${quoteIdent(spec.name)}`
              : `CAST(NULL AS ${castOf(spec)}) AS ${quoteIdent(spec.name)}`
          )
          .join(", ")
        for (const part of parts) {
          const tmp = tmpPathOf(part.out)
          yield* step(() =>
            connection.run(
              `COPY (SELECT p.flow_id${columns === "" ? "" : `, ${columns}`} FROM read_parquet(${quoteLiteral(part.flows)}, file_row_number = true) p LEFT JOIN ${table} f ON p.flow_id = f.flow_id ORDER BY p.file_row_number) TO ${quoteLiteral(tmp)} (${copyOptions("parquet")})`
            )
          )
          yield* commitFile(tmp, part.out)
        }
      })
    )
  })

export interface FeaturesOutcome {
  readonly groupsComputed: number
  readonly groupsSkipped: number
}

export const runFeatures = (
  context: RunContext,
  dataset: DatasetSpec,
  groups: ReadonlyArray<Made<"features">>
): Effect.Effect<FeaturesOutcome, RunError> =>
  Effect.gen(function* () {
    const name = dataset.name
    const layout = context.layout.dataset(name)
    const record = yield* datasetRecordOf(context, name)
    const dirs = featureGroupDirs(groups)
    const flowsKeys = record.units.map((unit) => unit.flows_key)
    let computed = 0
    yield* context.progress.emit({ _tag: "StageStart", stage: "features", dataset: name })
    for (const [index, group] of groups.entries()) {
      const dir = dirs[index]!
      const key = featuresKey(flowsKeys, group.identity, context.spec.options.allow_guarded_columns)
      if (record.features[dir]?.key === key) continue
      const groupDir = layout.featuresGroupDir(dir)
      yield* removeDir(groupDir)
      yield* ensureDir(groupDir)
      const computation = group.stage.computation
      if (computation._tag === "batch") yield* computeBatchGroup(context, name, group, dir, computation.compute)
      else yield* computeSqlGroup(context, name, group, dir, computation.sql)
      yield* context.manifest.update(() => {
        record.features[dir] = { key, type: group.entry.type }
      })
      computed++
    }
    // folders of groups no longer in the pipeline
    for (const stale of Object.keys(record.features).filter((dir) => !dirs.includes(dir))) {
      yield* removeDir(layout.featuresGroupDir(stale))
      yield* context.manifest.update(() => {
        delete record.features[stale]
      })
    }
    yield* writeFeatureArtefacts(context, name, groups, dirs)
    yield* context.progress.emit({
      _tag: "StageDone",
      stage: "features",
      dataset: name,
      detail: `${computed} groups computed, ${groups.length - computed} skipped`
    })
    return { groupsComputed: computed, groupsSkipped: groups.length - computed }
  })
