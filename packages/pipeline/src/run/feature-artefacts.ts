/**
 * The feature artefacts of one dataset, made after its features stage for the QC report:
 * `qc/features.json` (which features a dataset has: per feature the flows where it is non-null,
 * and the required flow columns the dataset lacks or holds only as nulls) and
 * `qc/feature-sample.json` (a bounded, deterministic sample of feature values with labels, for a
 * scatter matrix).
 *
 * Holds: the two formats (`FeatureAvailability`, `FeatureSample`), `featureArtefactPaths`,
 * `writeFeatureArtefacts` and `removeFeatureArtefacts`. Everything is counted by DuckDB over the
 * stored Parquet (flows parts, labels parts, each group's feature parts). The sample takes at
 * most `FEATURE_SAMPLE_ROWS` flows, stratified by label: each label gets an equal share (a label
 * with fewer flows gives the rest to the others), so rare mining flows are all there; within a
 * label flows are taken in md5(flow_id) order, so the sample depends on the stored flows only and
 * a resumed run writes the same bytes. Rows are ordered unknown, benign, other labels, mining (a
 * plot draws mining last, on top). Values are rounded to 6 significant digits; a feature name
 * that a later group repeats is sampled once (from the first group). Both files carry a key
 * (flows, labels and feature keys of the dataset, the formats, the sample size) and are skipped
 * when the stored ones have it; they are written atomically. A dataset without feature groups,
 * or whose QC failed (the runner calls `removeFeatureArtefacts`), has neither file.
 * Does not hold: computing features (see `features.ts`), rendering (report.qc-html).
 */
import { isGuardedColumn, type FeatureSpec } from "@hashhound/core"
import type { DuckDBConnection } from "@duckdb/node-api"
import { Effect, Schema } from "effect"
import { join } from "node:path"
import { configHash } from "../config/hash.js"
import { fileExists, parquetSource, quoteIdent, quoteLiteral, readJson, removeFile, writeFileAtomic, type StorageError } from "../storage/index.js"
import { datasetRecordOf, type RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import type { DatasetLayout } from "./layout.js"
import type { Made } from "./made-stages.js"

export const FEATURE_AVAILABILITY_FORMAT = "hashhound.feature-availability/1"
export const FEATURE_SAMPLE_FORMAT = "hashhound.feature-sample/1"

/** Most flows in a dataset's feature sample. */
export const FEATURE_SAMPLE_ROWS = 2000

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

/** A required flow column in a dataset: stored at all, visible to feature groups, non-null flows. */
export const ColumnAvailability = Schema.Struct({ stored: Schema.Boolean, allowed: Schema.Boolean, non_null: Count })

export const FeatureAvailabilityEntry = Schema.Struct({
  name: Schema.String,
  unit: Schema.String,
  dtype: Schema.String,
  requires: Schema.Array(Schema.String),
  /** flows where the feature is not null */
  non_null: Count,
  /** required columns the dataset does not have (or a guarded column the pipeline does not allow) */
  missing_columns: Schema.Array(Schema.String),
  /** required columns the dataset has, null in every flow */
  empty_columns: Schema.Array(Schema.String)
})

export const FeatureAvailability = Schema.Struct({
  format: Schema.Literal(FEATURE_AVAILABILITY_FORMAT),
  dataset: Schema.String,
  key: Schema.String,
  flows: Count,
  columns: Schema.Record({ key: Schema.String, value: ColumnAvailability }),
  groups: Schema.Array(Schema.Struct({ group: Schema.String, type: Schema.String, features: Schema.Array(FeatureAvailabilityEntry) }))
})
export type FeatureAvailability = typeof FeatureAvailability.Type

export const FeatureSample = Schema.Struct({
  format: Schema.Literal(FEATURE_SAMPLE_FORMAT),
  dataset: Schema.String,
  key: Schema.String,
  flows: Count,
  max_rows: Count,
  /** flows per label in the whole dataset (null labels count as unknown) */
  label_counts: Schema.Record({ key: Schema.String, value: Count }),
  rows: Count,
  labels: Schema.Array(Schema.String),
  /** per feature, one value per sampled row (null where the feature is null) */
  features: Schema.Record({ key: Schema.String, value: Schema.Array(Schema.NullOr(Schema.Number)) })
})
export type FeatureSample = typeof FeatureSample.Type

export const featureArtefactPaths = (layout: DatasetLayout): { readonly availability: string; readonly sample: string } => ({
  availability: join(layout.qcDir, "features.json"),
  sample: join(layout.qcDir, "feature-sample.json")
})

export const removeFeatureArtefacts = (layout: DatasetLayout): Effect.Effect<void, StorageError> =>
  Effect.gen(function* () {
    const paths = featureArtefactPaths(layout)
    yield* removeFile(paths.availability)
    yield* removeFile(paths.sample)
  })

/** How many flows of each label the sample takes: equal shares, unused shares passed on. */
export const sampleQuotas = (counts: ReadonlyArray<readonly [string, number]>, max: number): Map<string, number> => {
  const sorted = [...counts].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const quotas = new Map<string, number>()
  let left = max
  sorted.forEach(([label, count], index) => {
    const take = Math.min(count, Math.floor(left / (sorted.length - index)))
    quotas.set(label, take)
    left -= take
  })
  return quotas
}

/** Drawing order of labels in the sample: mining last. */
const labelRank = (label: string): number => (label === "unknown" ? 0 : label === "benign" ? 1 : label === "mining" ? 3 : 2)

const rounded = (value: unknown): number | null => {
  const number = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : typeof value === "boolean" ? Number(value) : Number.NaN
  return Number.isFinite(number) ? Number(number.toPrecision(6)) : null
}

const asCount = (value: unknown): number => (typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : 0)

interface Group {
  readonly dir: string
  readonly type: string
  readonly features: ReadonlyArray<FeatureSpec>
  readonly parts: ReadonlyArray<string>
}

interface Inputs {
  readonly dataset: string
  readonly key: string
  readonly flowParts: ReadonlyArray<string>
  readonly labelParts: ReadonlyArray<string>
  readonly groups: ReadonlyArray<Group>
  readonly allowed: (column: string) => boolean
}

const columnsOf = async (connection: DuckDBConnection, parts: ReadonlyArray<string>): Promise<Set<string>> =>
  parts.length === 0 ? new Set() : new Set((await connection.run(`SELECT * FROM ${parquetSource(parts, { unionByName: true })} LIMIT 0`)).columnNames())

/** `count(*)` and `count(<column>)` of each column, over some Parquet files. */
const nonNullCounts = async (
  connection: DuckDBConnection,
  parts: ReadonlyArray<string>,
  columns: ReadonlyArray<string>
): Promise<{ readonly rows: number; readonly counts: ReadonlyArray<number> }> => {
  if (parts.length === 0) return { rows: 0, counts: columns.map(() => 0) }
  const select = ["count(*) AS n", ...columns.map((column, index) => `count(${quoteIdent(column)}) AS c${index}`)].join(", ")
  const row = (await connection.runAndReadAll(`SELECT ${select} FROM ${parquetSource(parts, { unionByName: true })}`)).getRowObjectsJS()[0] ?? {}
  return { rows: asCount(row["n"]), counts: columns.map((_, index) => asCount(row[`c${index}`])) }
}

const availabilityOf = async (connection: DuckDBConnection, inputs: Inputs): Promise<FeatureAvailability> => {
  const stored = await columnsOf(connection, inputs.flowParts)
  const required = [...new Set(inputs.groups.flatMap((group) => group.features.flatMap((feature) => feature.requires)))]
  const storedRequired = required.filter((column) => stored.has(column))
  const columnCounts = await nonNullCounts(connection, inputs.flowParts, storedRequired)
  const columns: Record<string, typeof ColumnAvailability.Type> = {}
  for (const column of required) {
    const at = storedRequired.indexOf(column)
    columns[column] = { stored: at >= 0, allowed: inputs.allowed(column), non_null: at >= 0 ? columnCounts.counts[at]! : 0 }
  }
  const groups = []
  for (const group of inputs.groups) {
    const produced = await columnsOf(connection, group.parts)
    const names = group.features.map((feature) => feature.name).filter((name) => produced.has(name))
    const counts = await nonNullCounts(connection, group.parts, names)
    groups.push({
      group: group.dir,
      type: group.type,
      features: group.features.map((feature) => {
        const at = names.indexOf(feature.name)
        return {
          name: feature.name,
          unit: feature.unit,
          dtype: feature.dtype,
          requires: [...feature.requires],
          non_null: at >= 0 ? counts.counts[at]! : 0,
          missing_columns: feature.requires.filter((column) => !columns[column]!.stored || !columns[column]!.allowed),
          empty_columns: feature.requires.filter((column) => columns[column]!.stored && columns[column]!.allowed && columns[column]!.non_null === 0)
        }
      })
    })
  }
  return { format: FEATURE_AVAILABILITY_FORMAT, dataset: inputs.dataset, key: inputs.key, flows: columnCounts.rows, columns, groups }
}

const sampleOf = async (connection: DuckDBConnection, inputs: Inputs): Promise<FeatureSample> => {
  // each feature name once, from the first group that has it in its stored parts
  const picked: Array<{ readonly name: string; readonly group: number }> = []
  for (const [index, group] of inputs.groups.entries()) {
    const produced = await columnsOf(connection, group.parts)
    for (const feature of group.features) {
      if (produced.has(feature.name) && !picked.some((p) => p.name === feature.name)) picked.push({ name: feature.name, group: index })
    }
  }
  const empty: FeatureSample = {
    format: FEATURE_SAMPLE_FORMAT,
    dataset: inputs.dataset,
    key: inputs.key,
    flows: 0,
    max_rows: FEATURE_SAMPLE_ROWS,
    label_counts: {},
    rows: 0,
    labels: [],
    features: Object.fromEntries(picked.map((p) => [p.name, []]))
  }
  if (inputs.flowParts.length === 0) return empty
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE hh_sample_ids AS SELECT f.flow_id, ${
      inputs.labelParts.length === 0 ? "'unknown'" : "coalesce(CAST(l.label AS VARCHAR), 'unknown')"
    } AS label FROM (SELECT flow_id FROM ${parquetSource(inputs.flowParts)}) f${
      inputs.labelParts.length === 0 ? "" : ` LEFT JOIN (SELECT flow_id, label FROM ${parquetSource(inputs.labelParts, { unionByName: true })}) l USING (flow_id)`
    }`
  )
  const counted = (await connection.runAndReadAll("SELECT label, count(*) AS n FROM hh_sample_ids GROUP BY label ORDER BY label")).getRowObjectsJS()
  const counts = counted.map((row) => [String(row["label"]), asCount(row["n"])] as const)
  const quotas = sampleQuotas(counts, FEATURE_SAMPLE_ROWS)
  const quotaValues = [...quotas].map(([label, quota]) => `(${quoteLiteral(label)}, ${quota}, ${labelRank(label)})`).join(", ")
  const usedGroups = [...new Set(picked.map((p) => p.group))]
  const joins = usedGroups
    .map((index) => ` LEFT JOIN ${parquetSource(inputs.groups[index]!.parts, { unionByName: true })} g${index} ON g${index}.flow_id = c.flow_id`)
    .join("")
  const values = picked.map((p, index) => `, CAST(g${p.group}.${quoteIdent(p.name)} AS DOUBLE) AS v${index}`).join("")
  const result = await connection.runAndReadAll(
    `WITH ranked AS (SELECT flow_id, label, row_number() OVER (PARTITION BY label ORDER BY md5(flow_id), flow_id) AS rn FROM hh_sample_ids),
     quota(label, quota, rank) AS (VALUES ${quotaValues}),
     chosen AS (SELECT r.flow_id, r.label, r.rn, q.rank FROM ranked r JOIN quota q USING (label) WHERE r.rn <= q.quota)
     SELECT c.label${values} FROM chosen c${joins} ORDER BY c.rank, c.label, c.rn`
  )
  await connection.run("DROP TABLE hh_sample_ids")
  const columns = result.getColumnsJS()
  const labels = (columns[0] ?? []).map(String)
  return {
    ...empty,
    flows: counts.reduce((sum, [, n]) => sum + n, 0),
    label_counts: Object.fromEntries(counts),
    rows: labels.length,
    labels,
    features: Object.fromEntries(picked.map((p, index) => [p.name, (columns[index + 1] ?? []).map(rounded)]))
  }
}


/** The key of a stored artefact of `format`; undefined when it is missing, unreadable or another format. */
const storedKey = (path: string, format: string): Effect.Effect<string | undefined> =>
  Effect.orElseSucceed(
    Effect.map(readJson(path), (value) => {
      const stored = typeof value === "object" && value !== null ? (value as { readonly format?: unknown; readonly key?: unknown }) : {}
      return stored.format === format && typeof stored.key === "string" ? stored.key : undefined
    }),
    () => undefined
  )

/**
 * Write (or keep, when their key is unchanged) `qc/features.json` and `qc/feature-sample.json` of
 * `dataset` for the feature groups as stored in folders `dirs`.
 */
export const writeFeatureArtefacts = (
  context: RunContext,
  dataset: string,
  groups: ReadonlyArray<Made<"features">>,
  dirs: ReadonlyArray<string>
): Effect.Effect<void, RunError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    if (groups.length === 0) return yield* removeFeatureArtefacts(layout)
    const record = yield* datasetRecordOf(context, dataset)
    const paths = featureArtefactPaths(layout)
    const key = configHash({
      stage: "feature-artefacts",
      formats: [FEATURE_AVAILABILITY_FORMAT, FEATURE_SAMPLE_FORMAT],
      sample_rows: FEATURE_SAMPLE_ROWS,
      flows: record.units.map((unit) => unit.flows_key),
      labels: record.units.map((unit) => unit.labels_key ?? null),
      features: dirs.map((dir) => [dir, record.features[dir]?.key ?? null])
    })
    if ((yield* storedKey(paths.availability, FEATURE_AVAILABILITY_FORMAT)) === key && (yield* storedKey(paths.sample, FEATURE_SAMPLE_FORMAT)) === key) return
    const batches = record.units.flatMap((unit) => unit.batches.map((batch) => ({ unit: unit.number, batch: batch.index })))
    const labelParts: Array<string> = []
    for (const { unit, batch } of batches) {
      const path = layout.labelsPart(unit, batch)
      if (yield* fileExists(path)) labelParts.push(path)
    }
    const allow = context.spec.options.allow_guarded_columns
    const inputs: Inputs = {
      dataset,
      key,
      flowParts: batches.map(({ unit, batch }) => layout.flowsPart(unit, batch)),
      labelParts,
      groups: groups.map((group, index) => ({
        dir: dirs[index]!,
        type: group.entry.type,
        features: group.stage.features,
        parts: batches.map(({ unit, batch }) => layout.featuresPart(dirs[index]!, unit, batch))
      })),
      allowed: (column) => !isGuardedColumn(column) || allow.includes(column)
    }
    const made = yield* context.storage.run("feature artefacts", paths.availability, async (connection) => ({
      availability: await availabilityOf(connection, inputs),
      sample: await sampleOf(connection, inputs)
    }))
    yield* writeFileAtomic(paths.sample, `${JSON.stringify(Schema.encodeSync(FeatureSample)(made.sample))}\n`)
    yield* writeFileAtomic(paths.availability, `${JSON.stringify(Schema.encodeSync(FeatureAvailability)(made.availability), null, 1)}\n`)
  })
