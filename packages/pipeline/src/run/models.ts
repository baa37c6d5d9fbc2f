/**
 * Models and a first evaluation: train each model on the `evaluation.train` datasets, score the
 * `evaluation.test` datasets, and report ROC-AUC per test dataset.
 *
 * Holds: `runModels`. Training rows are the train datasets' stored features (all groups, in
 * declared order) with their merged labels: `mining` → 1, `benign` → 0, `unknown` dropped.
 * Writes models/<model>/model.bin (the plugin's `save` bytes) and card.json (params, features,
 * training datasets with label counts), evaluation/scores-<dataset>.parquet (flow_id, label, one
 * `score_<model>` column per model) and evaluation/metrics.json (rank-based ROC-AUC per model
 * and test dataset). Models are redone when their key (config, train features and labels)
 * changes; the evaluation when any model or test input changes. Training is skipped when a train
 * dataset failed QC; a test dataset that failed QC is not scored.
 * Does not hold: thresholds at target FPRs, reports (later work).
 */
import { PluginError, readNumeric, readStrings, utf8Vector, type FeatureMatrix } from "@hashhound/core"
import { Float64, makeData, makeVector, Table, type Vector } from "apache-arrow"
import { Effect } from "effect"
import { join } from "node:path"
import { ensureDir, fileExists, readBytes, readJson, writeFileAtomic } from "../storage/index.js"
import { rocAuc } from "./auc.js"
import type { RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { featureGroupDirs } from "./features.js"
import { evaluationKey, modelKey, type TrainingKeys } from "./keys.js"
import type { Made } from "./made-stages.js"

export interface ModelsOutcome {
  readonly trained: ReadonlyArray<string>
  readonly reused: ReadonlyArray<string>
  /** why nothing was trained or evaluated, when so */
  readonly blocked?: string
  /** ROC-AUC per model and test dataset (null: one class absent) */
  readonly auc: Readonly<Record<string, Readonly<Record<string, number | null>>>>
  readonly evaluated: boolean
}

interface DatasetMatrix {
  readonly matrix: FeatureMatrix
  readonly flowIds: ReadonlyArray<string | null>
  readonly labels: ReadonlyArray<string | null>
}

const modelNames = (models: ReadonlyArray<Made<"model">>): ReadonlyArray<string> => {
  const seen = new Map<string, number>()
  return models.map((model) => {
    const count = (seen.get(model.entry.type) ?? 0) + 1
    seen.set(model.entry.type, count)
    return count === 1 ? model.entry.type : `${model.entry.type}-${count}`
  })
}

/** ROC-AUC per model and dataset from a stored metrics.json. */
const aucOf = (metrics: unknown, names: ReadonlyArray<string>): Record<string, Record<string, number | null>> => {
  const out: Record<string, Record<string, number | null>> = {}
  for (const name of names) out[name] = {}
  const datasets = (metrics as { datasets?: Record<string, { roc_auc?: Record<string, number | null> }> }).datasets ?? {}
  for (const [dataset, entry] of Object.entries(datasets)) {
    for (const name of names) out[name]![dataset] = entry.roc_auc?.[name] ?? null
  }
  return out
}

const scoreColumn = (model: string): string => `score_${model.replaceAll(/[^a-z0-9]+/g, "_")}`

/** Features (all groups) and labels of a stored dataset, rows in manifest order. */
const loadDataset = (
  context: RunContext,
  dataset: string,
  groups: ReadonlyArray<Made<"features">>
): Effect.Effect<DatasetMatrix, RunError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    const record = context.manifest.data.datasets[dataset]
    const dirs = featureGroupDirs(groups)
    const names = groups.flatMap((group) => group.stage.features.map((feature) => feature.name))
    if (new Set(names).size !== names.length) {
      return yield* new PluginError({ pluginId: "pipeline", stage: "processing", reason: `two feature groups provide the same feature name (${names.join(", ")})` })
    }
    const rows = record?.units.reduce((sum, unit) => sum + unit.batches.reduce((s, b) => s + b.rows, 0), 0) ?? 0
    const columns = names.map(() => new Float64Array(rows))
    const flowIds: Array<string | null> = []
    const labels: Array<string | null> = []
    let offset = 0
    for (const unit of record?.units ?? []) {
      for (const stored of unit.batches) {
        const labelPart = yield* context.storage.readParquet(layout.labelsPart(unit.number, stored.index), ["flow_id", "label"])
        flowIds.push(...(readStrings(labelPart, "flow_id") ?? []))
        labels.push(...(readStrings(labelPart, "label") ?? []))
        let column = 0
        for (const [index, group] of groups.entries()) {
          const part = yield* context.storage.readParquet(layout.featuresPart(dirs[index]!, unit.number, stored.index))
          for (const feature of group.stage.features) {
            const values = readNumeric(part, feature.name)
            columns[column]!.set(values ?? new Float64Array(stored.rows).fill(Number.NaN), offset)
            column++
          }
        }
        offset += stored.rows
      }
    }
    return { matrix: { names, rows, columns }, flowIds, labels }
  })

/** Keep rows labelled mining (1) or benign (0). */
const trainingRows = (data: DatasetMatrix): { readonly keep: ReadonlyArray<number>; readonly y: Uint8Array } => {
  const keep: Array<number> = []
  for (let row = 0; row < data.labels.length; row++) if (data.labels[row] === "mining" || data.labels[row] === "benign") keep.push(row)
  const y = new Uint8Array(keep.length)
  keep.forEach((row, index) => {
    y[index] = data.labels[row] === "mining" ? 1 : 0
  })
  return { keep, y }
}

const countLabels = (labels: ReadonlyArray<string | null>) => ({
  rows: labels.length,
  mining: labels.filter((l) => l === "mining").length,
  benign: labels.filter((l) => l === "benign").length,
  unknown_dropped: labels.filter((l) => l !== "mining" && l !== "benign").length
})

export const runModels = (
  context: RunContext,
  groups: ReadonlyArray<Made<"features">>,
  models: ReadonlyArray<Made<"model">>,
  failedDatasets: ReadonlySet<string>
): Effect.Effect<ModelsOutcome, RunError> =>
  Effect.gen(function* () {
    const evaluation = context.spec.evaluation
    if (evaluation === undefined || models.length === 0 || evaluation.train.length === 0) {
      return { trained: [], reused: [], auc: {}, evaluated: false }
    }
    const blockedBy = evaluation.train.filter((dataset) => failedDatasets.has(dataset))
    if (blockedBy.length > 0) {
      const blocked = `training skipped: train dataset${blockedBy.length === 1 ? "" : "s"} ${blockedBy.join(", ")} failed QC`
      yield* context.progress.emit({ _tag: "Log", level: "warn", message: blocked })
      return { trained: [], reused: [], blocked, auc: {}, evaluated: false }
    }
    yield* context.progress.emit({ _tag: "StageStart", stage: "models" })
    const dirs = featureGroupDirs(groups)
    const keysOf = (dataset: string): TrainingKeys => {
      const record = context.manifest.data.datasets[dataset]
      return {
        dataset,
        features: dirs.map((dir) => record?.features[dir]?.key ?? "missing"),
        labels: record?.units.map((unit) => unit.labels_key) ?? []
      }
    }
    const trainKeys = evaluation.train.map(keysOf)
    const names = modelNames(models)
    let training: { readonly x: FeatureMatrix; readonly y: Uint8Array; readonly card: ReadonlyArray<unknown> } | undefined
    const trainingSet = Effect.gen(function* () {
      if (training !== undefined) return training
      const parts = []
      for (const dataset of evaluation.train) parts.push({ dataset, data: yield* loadDataset(context, dataset, groups) })
      const picked = parts.map((part) => ({ ...part, ...trainingRows(part.data) }))
      const rows = picked.reduce((sum, part) => sum + part.keep.length, 0)
      const featureNames = parts[0]?.data.matrix.names ?? []
      const columns = featureNames.map(() => new Float64Array(rows))
      const y = new Uint8Array(rows)
      let offset = 0
      for (const part of picked) {
        for (const [index, row] of part.keep.entries()) {
          for (let column = 0; column < columns.length; column++) columns[column]![offset + index] = part.data.matrix.columns[column]![row]!
        }
        y.set(part.y, offset)
        offset += part.keep.length
      }
      training = {
        x: { names: featureNames, rows, columns },
        y,
        card: picked.map((part) => ({ dataset: part.dataset, ...countLabels(part.data.labels) }))
      }
      return training
    })

    const fitted: Array<unknown> = []
    const trained: Array<string> = []
    const reused: Array<string> = []
    const keys: Array<string> = []
    for (const [index, model] of models.entries()) {
      const name = names[index]!
      const dir = context.layout.modelDir(name)
      const key = modelKey(model.identity, trainKeys)
      keys.push(key)
      const binPath = join(dir, "model.bin")
      const stored = context.manifest.data.models[name]
      if (stored?.key === key && (yield* fileExists(join(dir, "card.json")))) {
        const bytes = yield* readBytes(binPath)
        if (bytes !== undefined) {
          fitted.push(yield* model.stage.load(bytes))
          reused.push(name)
          continue
        }
      }
      const set = yield* trainingSet
      const fit = yield* model.stage.fit(set.x, set.y)
      const bytes = yield* model.stage.save(fit)
      yield* ensureDir(dir)
      yield* writeFileAtomic(binPath, bytes)
      const card = {
        name,
        type: model.entry.type,
        version: model.plugin.version,
        key,
        params: model.stage.params,
        features: set.x.names,
        training: set.card,
        ...(model.stage.importance === undefined ? {} : { importance: model.stage.importance(fit) })
      }
      yield* writeFileAtomic(join(dir, "card.json"), `${JSON.stringify(card, null, 2)}\n`)
      yield* context.manifest.update((manifest) => {
        manifest.models[name] = { key, type: model.entry.type }
      })
      fitted.push(fit)
      trained.push(name)
    }

    const tests = evaluation.test.filter((dataset) => !failedDatasets.has(dataset))
    const evalKey = evaluationKey(keys, tests.map(keysOf), evaluation.target_fpr)
    const auc: Record<string, Record<string, number | null>> = {}
    for (const name of names) auc[name] = {}
    if (context.manifest.data.evaluation?.key === evalKey) {
      const stored = yield* readJson(context.layout.metrics)
      if (stored !== undefined) {
        yield* context.progress.emit({ _tag: "StageDone", stage: "models", detail: `${trained.length} trained, ${reused.length} reused; evaluation unchanged` })
        return { trained, reused, auc: aucOf(stored, names), evaluated: false }
      }
    }
    yield* ensureDir(context.layout.evaluationDir)
    const perDataset: Record<string, unknown> = {}
    for (const dataset of tests) {
      const data = yield* loadDataset(context, dataset, groups)
      const positive = new Uint8Array(data.labels.length)
      const known: Array<number> = []
      data.labels.forEach((label, row) => {
        if (label === "mining" || label === "benign") known.push(row)
        if (label === "mining") positive[row] = 1
      })
      const vectors: Record<string, Vector> = { flow_id: utf8Vector(data.flowIds), label: utf8Vector(data.labels) }
      for (const [index, model] of models.entries()) {
        const scores = yield* model.stage.predictProba(fitted[index], data.matrix)
        vectors[scoreColumn(names[index]!)] = makeVector(makeData({ type: new Float64(), length: scores.length, data: scores }))
        const knownScores = Float64Array.from(known, (row) => scores[row]!)
        const knownPositive = Uint8Array.from(known, (row) => positive[row]!)
        auc[names[index]!]![dataset] = rocAuc(knownScores, knownPositive) ?? null
      }
      yield* context.storage.writeBatch(new Table(vectors), context.layout.scores(dataset))
      perDataset[dataset] = countLabels(data.labels)
    }
    const metrics = {
      key: evalKey,
      models: names.map((name, index) => ({ name, type: models[index]!.entry.type })),
      skipped_datasets: evaluation.test.filter((dataset) => failedDatasets.has(dataset)),
      datasets: Object.fromEntries(
        tests.map((dataset) => [
          dataset,
          { ...(perDataset[dataset] as object), roc_auc: Object.fromEntries(names.map((name) => [name, auc[name]![dataset] ?? null])) }
        ])
      )
    }
    yield* writeFileAtomic(context.layout.metrics, `${JSON.stringify(metrics, null, 2)}\n`)
    yield* context.manifest.update((manifest) => {
      manifest.evaluation = { key: evalKey }
    })
    yield* context.progress.emit({ _tag: "StageDone", stage: "models", detail: `${trained.length} trained, ${reused.length} reused; ${tests.length} datasets scored` })
    return { trained, reused, auc, evaluated: true }
  })
