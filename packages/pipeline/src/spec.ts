/**
 * PipelineSpec: a pipeline file after both decoding passes, and the progress events a run emits.
 *
 * Holds: the decoded shape every later step works from (datasets with their source and
 * labelers, shared qc/features/models/reports lists, evaluation plan, run options), each stage
 * entry with its YAML path; the Progress service the CLI renders as bars or plain lines.
 * Does not hold: YAML parsing (`config/`) or running (`run/`).
 */
import { Context, Effect } from "effect"

/** One `{ type: …, … }` entry after its plugin's config Schema accepted it. */
export interface StageEntry {
  /** plugin id, e.g. `source.pcap` */
  readonly type: string
  /** the entry without `type`, as written (what `plugin.make(raw)` takes) */
  readonly raw: Readonly<Record<string, unknown>>
  /** YAML path of the entry, e.g. `datasets.campus.source` or `models.0` */
  readonly path: string
}

export interface DatasetSpec {
  readonly name: string
  readonly source: StageEntry
  /** in priority order: the first labeler with an opinion wins, later ones can only conflict */
  readonly labels: ReadonlyArray<StageEntry>
}

export interface EvaluationSpec {
  readonly train: ReadonlyArray<string>
  readonly test: ReadonlyArray<string>
  readonly target_fpr: ReadonlyArray<number>
}

export interface RunOptions {
  /** datasets processed at once */
  readonly dataset_concurrency: number
  /** units (captures, exports) of one dataset processed at once */
  readonly unit_concurrency: number
  /** label windows may be off from capture clocks by this much */
  readonly label_skew_s: number
  /** column names feature groups may read although they are identity/hint/label columns */
  readonly allow_guarded_columns: ReadonlyArray<string>
}

export interface PipelineSpec {
  readonly name: string
  /** absolute path of the pipeline file, when it came from one */
  readonly file?: string
  /** folder relative paths resolve from (the pipeline file's folder) */
  readonly baseDir: string
  /** absolute output folder of the run */
  readonly output: string
  /** third-party plugin packages named under `plugins:` */
  readonly plugins: ReadonlyArray<string>
  readonly datasets: ReadonlyArray<DatasetSpec>
  readonly qc: ReadonlyArray<StageEntry>
  readonly features: ReadonlyArray<StageEntry>
  readonly models: ReadonlyArray<StageEntry>
  readonly reports: ReadonlyArray<StageEntry>
  readonly evaluation?: EvaluationSpec
  readonly options: RunOptions
}

export type ProgressEvent =
  | { readonly _tag: "StageStart"; readonly stage: string; readonly dataset?: string }
  | {
      readonly _tag: "UnitProgress"
      readonly dataset: string
      readonly unit: string
      readonly bytesRead: number
      readonly totalBytes: number
      readonly batches: number
      readonly flows: number
    }
  | {
      readonly _tag: "UnitDone"
      readonly dataset: string
      readonly unit: string
      readonly flows: number
      /** true when the unit was already complete in the manifest and nothing was redone */
      readonly skipped: boolean
    }
  | { readonly _tag: "StageDone"; readonly stage: string; readonly dataset?: string; readonly detail?: string }
  | { readonly _tag: "Log"; readonly level: "info" | "warn" | "error"; readonly message: string }

export interface ProgressSink {
  readonly emit: (event: ProgressEvent) => Effect.Effect<void>
}

/** Where a run reports progress; the CLI provides bars on a TTY and plain lines otherwise. */
export class Progress extends Context.Tag("hashhound/Progress")<Progress, ProgressSink>() {
  static readonly silent: ProgressSink = { emit: () => Effect.void }
}
