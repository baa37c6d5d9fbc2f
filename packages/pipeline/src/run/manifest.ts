/**
 * The run manifest (`<output>/manifest.json`): what a run has done, so a rerun skips it.
 *
 * Holds: the manifest Schema (inputs with fingerprints and sizes, plugin ids and versions,
 * config hashes per stage entry, per-unit status with every stored batch, stage keys of labels,
 * QC, features, models and evaluation), loading it (a missing file is an empty manifest), and
 * `ManifestStore`, which applies changes one at a time and writes each new state atomically
 * (tmp, fsync, rename, fsync folder) with keys sorted, skipping the write when nothing changed.
 * Does not hold: deciding what to redo (the stage modules compare keys) or key computation
 * (see `keys.ts`).
 */
import { Effect, Either, Schema } from "effect"
import { readJson, writeFileAtomic, type StorageError } from "../storage/index.js"
import { ManifestError } from "./errors.js"

export const MANIFEST_FORMAT = 1

const BatchRecord = Schema.Struct({
  index: Schema.Number,
  rows: Schema.Number
})

const UnitRecord = Schema.mutable(
  Schema.Struct({
    /** UUUUU in file names */
    number: Schema.Number,
    id: Schema.String,
    path: Schema.optional(Schema.String),
    /** every file behind the unit, in reading order, when it is several (the pieces of one capture) */
    paths: Schema.optional(Schema.Array(Schema.String)),
    fingerprint: Schema.String,
    size_bytes: Schema.optional(Schema.Number),
    /** hash(source id, version, raw config, unit id, fingerprint) */
    flows_key: Schema.String,
    status: Schema.Literal("reading", "complete"),
    /** batches stored so far, in index order (index i at position i) */
    batches: Schema.mutable(Schema.Array(BatchRecord)),
    /** the next batch the checkpoint file belongs to, when there is one */
    checkpoint_next_batch: Schema.optional(Schema.Number),
    /** key of the flows-phase QC findings in qc/batch-*.json */
    qc_key: Schema.optional(Schema.String),
    /** labels stored for every batch of this unit under this key */
    labels_key: Schema.optional(Schema.String)
  })
)
export type UnitRecord = typeof UnitRecord.Type

const StageRecord = Schema.Struct({ type: Schema.String, version: Schema.String, config_hash: Schema.String })
export type StageRecord = typeof StageRecord.Type

const KeyedRecord = Schema.Struct({ key: Schema.String, status: Schema.Literal("pass", "warn", "fail", "complete") })

const DatasetRecord = Schema.mutable(
  Schema.Struct({
    source: StageRecord,
    units: Schema.mutable(Schema.Array(UnitRecord)),
    qc: Schema.optional(KeyedRecord),
    /** per feature group folder: key of the stored parts */
    features: Schema.mutable(Schema.Record({ key: Schema.String, value: Schema.Struct({ key: Schema.String, type: Schema.String }) }))
  })
)
export type DatasetRecord = typeof DatasetRecord.Type

const ManifestSchema = Schema.mutable(
  Schema.Struct({
    format: Schema.Literal(MANIFEST_FORMAT),
    name: Schema.String,
    status: Schema.Literal("running", "complete", "failed"),
    plugins: Schema.mutable(Schema.Record({ key: Schema.String, value: Schema.String })),
    /** per stage entry YAML path: plugin, version, hash of its raw config */
    stages: Schema.mutable(Schema.Record({ key: Schema.String, value: StageRecord })),
    datasets: Schema.mutable(Schema.Record({ key: Schema.String, value: DatasetRecord })),
    models: Schema.mutable(Schema.Record({ key: Schema.String, value: Schema.Struct({ key: Schema.String, type: Schema.String }) })),
    evaluation: Schema.optional(Schema.Struct({ key: Schema.String })),
    reports: Schema.optional(Schema.Struct({ key: Schema.String }))
  })
)
export type ManifestData = typeof ManifestSchema.Type

export const emptyManifest = (name: string): ManifestData => ({
  format: MANIFEST_FORMAT,
  name,
  status: "running",
  plugins: {},
  stages: {},
  datasets: {},
  models: {}
})

/** The manifest at `path`; an empty one when there is none. A manifest that does not decode is an error (use `force`). */
export const loadManifest = (path: string, name: string): Effect.Effect<ManifestData, ManifestError | StorageError> =>
  Effect.flatMap(readJson(path), (json) => {
    if (json === undefined) return Effect.succeed(emptyManifest(name))
    return Either.match(Schema.decodeUnknownEither(ManifestSchema)(json), {
      onLeft: (error) => Effect.fail(new ManifestError({ path, reason: `${error.message.split("\n")[0] ?? "does not decode"}; rerun with force to start over` })),
      onRight: (manifest) => Effect.succeed(structuredClone(manifest))
    })
  })

/** Object keys in sorted order, so equal states give equal text whatever order stages finished in. */
const sortedKeys = (_key: string, value: unknown): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value

export interface ManifestStore {
  /** the live manifest; change it only inside `update` */
  readonly data: ManifestData
  /** apply a change and write the manifest (atomically, one writer at a time) */
  readonly update: (change: (manifest: ManifestData) => void) => Effect.Effect<void, StorageError>
}

export const makeManifestStore = (path: string, initial: ManifestData): Effect.Effect<ManifestStore> =>
  Effect.map(Effect.makeSemaphore(1), (lock) => {
    const data = initial
    let written = ""
    const update = (change: (manifest: ManifestData) => void): Effect.Effect<void, StorageError> =>
      lock.withPermits(1)(
        Effect.suspend(() => {
          change(data)
          const text = `${JSON.stringify(data, sortedKeys, 2)}\n`
          if (text === written) return Effect.void
          return Effect.tap(writeFileAtomic(path, text, { syncDir: true }), () => {
            written = text
          })
        })
      )
    return { data, update }
  })
