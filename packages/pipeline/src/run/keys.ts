/**
 * Stage keys: what each stored output depends on, hashed, so a rerun redoes exactly what changed.
 *
 * Holds: the key of each stage's output:
 * - flows (per unit) = hash(source id, version, raw config, unit id, unit fingerprint)
 * - per-batch QC (per unit) = hash(flows key, QC entries)
 * - labels (per unit) = hash(flows key, labelers' ids + versions + raw configs in order, label_skew_s);
 *   `run/labels.ts` chains it with the flows keys of the lower-numbered units (duplicates look back)
 * - QC stage (per dataset) = hash(QC entries, flows and labels keys of every dataset: checks may read any)
 * - features (per dataset and group) = hash(flows keys of the dataset's units, group id + version
 *   + raw config, allowed guarded columns)
 * - model = hash(model id + version + raw config, train datasets' feature and label keys)
 * - evaluation = hash(model keys, test datasets' feature and label keys, target FPRs)
 * Does not hold: the hashing itself (`configHash` in `config/hash.ts`).
 */
import type { StageEntry } from "../spec.js"
import { configHash } from "../config/hash.js"

/** A stage entry as it enters keys: plugin id, plugin version, raw config. */
export interface EntryIdentity {
  readonly type: string
  readonly version: string
  readonly raw: Readonly<Record<string, unknown>>
}

export const entryIdentity = (entry: StageEntry, version: string): EntryIdentity => ({ type: entry.type, version, raw: entry.raw })

export const configHashOf = (entry: StageEntry): string => configHash(entry.raw)

export const flowsKey = (source: EntryIdentity, unit: { readonly id: string; readonly fingerprint: string }): string =>
  configHash({ stage: "flows", source, unit: { id: unit.id, fingerprint: unit.fingerprint } })

export const batchQcKey = (flows: string, qc: ReadonlyArray<EntryIdentity>): string => configHash({ stage: "qc-batch", flows, qc })

export const labelsKey = (flows: string, labelers: ReadonlyArray<EntryIdentity>, labelSkewS: number): string =>
  configHash({ stage: "labels", flows, labelers, label_skew_s: labelSkewS })

export interface DatasetKeys {
  readonly name: string
  readonly flows: ReadonlyArray<string>
  readonly labels: ReadonlyArray<string | undefined>
}

export const qcStageKey = (qc: ReadonlyArray<EntryIdentity>, dataset: string, datasets: ReadonlyArray<DatasetKeys>): string =>
  configHash({ stage: "qc", dataset, qc, datasets })

export const featuresKey = (flows: ReadonlyArray<string>, group: EntryIdentity, allowed: ReadonlyArray<string>): string =>
  configHash({ stage: "features", flows, group, allowed: [...allowed].sort() })

export interface TrainingKeys {
  readonly dataset: string
  readonly features: ReadonlyArray<string>
  readonly labels: ReadonlyArray<string | undefined>
}

export const modelKey = (model: EntryIdentity, train: ReadonlyArray<TrainingKeys>): string => configHash({ stage: "model", model, train })

export const evaluationKey = (models: ReadonlyArray<string>, test: ReadonlyArray<TrainingKeys>, targetFpr: ReadonlyArray<number>): string =>
  configHash({ stage: "evaluation", models, test, target_fpr: targetFpr })
