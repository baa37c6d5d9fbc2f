/**
 * Stage contracts: what each plugin kind's `make(config)` returns.
 *
 * Holds: SourceStage (plan units, read a unit into a stream of batches and findings, resume
 * from a checkpoint), QcStage, LabelerStage, FeaturesStage (per batch or SQL), ModelStage
 * (scikit-learn style: parameters at make, learning in fit), ReportStage.
 * Does not hold: how the pipeline drives them (see `@hashhound/pipeline`).
 */
import type { Effect, Stream } from "effect"
import type { Label } from "./columns.js"
import type { InputError, PluginError } from "./errors.js"
import type { Finding } from "./finding.js"
import type { FlowBatch } from "./flow-batch.js"

/** Where a stage is running: the dataset, the folder relative paths resolve from, and a work folder it owns. */
export interface StageContext {
  readonly dataset: string
  /** folder of the pipeline file; relative `paths:` resolve from here */
  readonly baseDir: string
  /** a folder inside the run that this stage may write to (generated captures, caches) */
  readonly workDir: string
  /**
   * `false` for one-shot conversions that store and resume nothing (`hashhound flows`): a
   * source may then skip what only resuming needs, such as content hashes of its inputs (a
   * full extra read; a stat fingerprint does) and checkpoints. Absent means resumable.
   */
  readonly resumable?: boolean
}

// ---------------------------------------------------------------- source

/** One resumable piece of input: a capture file, an export file, a generated scenario. */
export interface SourceUnit {
  /** stable id inside the dataset, used in flow ids and file names (`trace-01.pcap`) */
  readonly id: string
  /** the file behind it, when there is one (the first, when there are several) */
  readonly path?: string
  /**
   * the files behind it, in reading order, when it is several: the pieces a rotating capture
   * was cut into, read as one (`source.pcap sequence: true`)
   */
  readonly paths?: ReadonlyArray<string>
  /** content hash or other fingerprint: a change means the unit is read again */
  readonly fingerprint: string
  readonly sizeBytes?: number
}

/** Where to pick up a unit again: the next batch index and, if the source gave one, its saved state. */
export interface ResumePoint {
  readonly nextBatch: number
  readonly checkpoint?: Uint8Array
}

export type SourceEvent =
  | {
      readonly _tag: "Batch"
      /** 0, 1, 2, … within the unit */
      readonly index: number
      readonly batch: FlowBatch
      /** state after this batch (reader offset, open flows) so a resumed read continues here */
      readonly checkpoint?: Uint8Array
      /** progress within the unit, bytes read so far, for progress bars */
      readonly bytesRead?: number
    }
  | { readonly _tag: "Finding"; readonly finding: Finding }

export interface SourceStage {
  /** the units this source will read, in a stable order (files are hashed here) */
  readonly plan: (ctx: StageContext) => Effect.Effect<ReadonlyArray<SourceUnit>, PluginError | InputError>
  /**
   * Read one unit. Batches come with indices from `resume.nextBatch` (0 when absent). A source
   * that cannot restore a checkpoint replays from the start and the pipeline drops batches it
   * already has; a deterministic source gives the same batches either way.
   */
  readonly read: (
    unit: SourceUnit,
    ctx: StageContext,
    resume?: ResumePoint
  ) => Stream.Stream<SourceEvent, PluginError | InputError>
  /**
   * For sources that make their inputs (synthetic traffic): write them as files into
   * `ctx.workDir` and return their paths, without reading them (`hashhound generate`).
   */
  readonly materialize?: (ctx: StageContext) => Effect.Effect<ReadonlyArray<string>, PluginError | InputError>
}

// ---------------------------------------------------------------- qc

export interface BatchInfo {
  readonly dataset: string
  readonly capture: string
  readonly batch: number
}

/** One input unit of a stored dataset, as dataset-level checks see it. */
export interface DatasetUnit {
  /** the unit id, which is also the `capture` column of its flows */
  readonly id: string
  /** the content hash or other fingerprint the source gave it */
  readonly fingerprint: string
}

/** Read access to stored datasets for dataset-level checks (duplicates across batches, drift). */
export interface DatasetAccess {
  readonly dataset: string
  readonly datasets: ReadonlyArray<string>
  /**
   * The input units of `dataset` in plan order, when the runner knows them: two ids with one
   * fingerprint are the same input read twice.
   */
  readonly units?: ReadonlyArray<DatasetUnit>
  /**
   * The stored batches of a dataset (label columns joined where labels are stored). With
   * `columns`, each batch holds only those of the named columns it has (ask for `capture` and
   * `batch` too when they matter); a batch with none of them keeps `flow_id`, so row counts stay
   * right. Without `columns`, every column.
   */
  readonly read: (dataset: string, columns?: ReadonlyArray<string>) => Stream.Stream<FlowBatch, PluginError>
}

export interface QcStage {
  /** `flows` (default) runs on source batches; `labels` runs after label merge */
  readonly phase: "flows" | "labels"
  readonly check: (batch: FlowBatch, info: BatchInfo) => Effect.Effect<ReadonlyArray<Finding>, PluginError>
  /** dataset-level findings once every batch is stored; also sees the source's findings */
  readonly finish: (
    access: DatasetAccess,
    sourceFindings: ReadonlyArray<Finding>
  ) => Effect.Effect<ReadonlyArray<Finding>, PluginError>
}

// ---------------------------------------------------------------- labeler

/** A labeler's answer per row: a label or null for "no opinion", and why. */
export interface LabelAnswer {
  readonly label: ReadonlyArray<Label | null>
  readonly detail: ReadonlyArray<string | null>
}

/** What the runner tells a labeler besides the batch: the stage context and the run-wide label clock skew. */
export interface LabelerContext extends StageContext {
  /**
   * seconds label times (scenario windows, indicator validity windows) may be off from capture
   * clocks, for the whole run (the pipeline option `label_skew_s`); absent means 0. A labeler
   * with time windows widens them on both sides by the larger of this and its own tolerance.
   */
  readonly labelSkewS?: number
}

export interface LabelerStage {
  /** `context` gives the pipeline folder (relative list paths), the dataset and the run-wide label skew */
  readonly label: (batch: FlowBatch, info: BatchInfo, context?: LabelerContext) => Effect.Effect<LabelAnswer, PluginError>
}

// ---------------------------------------------------------------- features

export interface FeatureSpec {
  readonly name: string
  readonly unit: string
  readonly dtype: "float64" | "int32" | "bool"
  readonly description: string
  /** flow columns this feature reads; when a dataset lacks one the feature is null there */
  readonly requires: ReadonlyArray<string>
}

/** Feature values per name, NaN for null. */
export type FeatureColumns = Readonly<Record<string, Float64Array>>

export type FeatureComputation =
  | { readonly _tag: "batch"; readonly compute: (batch: FlowBatch) => Effect.Effect<FeatureColumns, PluginError> }
  | {
      readonly _tag: "sql"
      /** a SELECT over `flowTable` returning `flow_id` and one column per feature */
      readonly sql: (flowTable: string) => string
    }

export interface FeaturesStage {
  readonly features: ReadonlyArray<FeatureSpec>
  readonly computation: FeatureComputation
}

// ---------------------------------------------------------------- model

/** Column-major feature matrix; NaN is a missing value. */
export interface FeatureMatrix {
  readonly names: ReadonlyArray<string>
  readonly rows: number
  readonly columns: ReadonlyArray<Float64Array>
}

export interface ModelStage<Fitted = unknown> {
  /** the parameters stored at make, for the model card */
  readonly params: Readonly<Record<string, unknown>>
  readonly fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) => Effect.Effect<Fitted, PluginError>
  readonly predictProba: (fitted: Fitted, x: FeatureMatrix) => Effect.Effect<Float64Array, PluginError>
  readonly save: (fitted: Fitted) => Effect.Effect<Uint8Array, PluginError>
  readonly load: (bytes: Uint8Array) => Effect.Effect<Fitted, PluginError>
  readonly importance?: (fitted: Fitted) => Readonly<Record<string, number>>
}

// ---------------------------------------------------------------- report

export interface ReportFile {
  readonly path: string
  readonly contents: string | Uint8Array
}

/** What a report sees: the run folder and the JSON artefacts stages wrote, by relative path. */
export interface RunArtifacts {
  readonly outputDir: string
  readonly datasets: ReadonlyArray<string>
  readonly json: Readonly<Record<string, unknown>>
}

export interface ReportStage {
  readonly render: (artifacts: RunArtifacts) => Effect.Effect<ReadonlyArray<ReportFile>, PluginError>
}

export interface StageByKind {
  readonly source: SourceStage
  readonly qc: QcStage
  readonly labeler: LabelerStage
  readonly features: FeaturesStage
  readonly model: ModelStage
  readonly report: ReportStage
}
