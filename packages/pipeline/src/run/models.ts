/**
 * Models and the cross-dataset evaluation: train each model on the `evaluation.train` datasets,
 * score every `evaluation.test` dataset (and the train datasets in-sample, marked as such), and
 * measure each model on each.
 *
 * Holds: `runModels`. Training rows are the train datasets' stored features (all groups, in
 * declared order) with their merged labels: `mining` → 1, `benign` → 0, `unknown` dropped, and
 * rows the label stage marked `duplicate of <flow_id>` dropped (from training and from every
 * metric; they are still scored).
 * Writes models/<model>/model.bin (the plugin's `save` bytes) and card.json (the model card:
 * params, features, feature groups with their configs and flow columns, training label counts,
 * thresholds at each target FPR and best F1 fixed on out-of-fold training scores (the model
 * fitted again on 4 of 5 folds, grouped by capture or conversation, scoring the fifth; in-sample
 * scores only when there are too few groups), permutation and gain importance, training
 * medians, metrics; see `evaluation/card.ts` and `evaluation/out-of-fold.ts`),
 * evaluation/scores-<dataset>.parquet (flow_id, label, one `score_<model>` column per model),
 * evaluation/metrics.json and evaluation/curves.json (shapes in `evaluation/format.ts`).
 * Models are redone when their key (config, train features and labels, target FPRs, card
 * format) changes; the evaluation when any model or evaluated input changes. Training is skipped
 * when a train dataset failed QC; a test dataset that failed QC is not scored.
 * Does not hold: the metric computations (`evaluation/`, `@hashhound/ml`), reports.
 */
import { PluginError, readNumeric, readStrings, utf8Vector, type FeatureMatrix } from "@hashhound/core"
import { Float64, makeData, makeVector, Table, type Vector } from "apache-arrow"
import { Effect, Either, Schema } from "effect"
import { join } from "node:path"
import { configHash } from "../config/hash.js"
import {
  CARD_FORMAT,
  CURVES_FORMAT,
  DEFAULT_SETTINGS,
  defaultThresholdId,
  OUT_OF_FOLD,
  outOfFoldPlan,
  outOfFoldScores,
  evaluateModel,
  evaluationRows,
  METRICS_FORMAT,
  ModelThresholdJson,
  summarizeFit,
  type CurveJson,
  type DatasetMetrics,
  type EvaluationMetrics,
  type ModelCard,
  type ModelMetrics,
  type ModelThreshold,
  type OutOfFoldPlan,
  type ThresholdBasis
} from "../evaluation/index.js"
import { duplicateOfDetail } from "../labels/duplicates.js"
import { ensureDir, fileExists, quoteLiteral, readBytes, readJson, writeFileAtomic } from "../storage/index.js"
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
  /** ROC-AUC per model and evaluated dataset (null: one class absent) */
  readonly auc: Readonly<Record<string, Readonly<Record<string, number | null>>>>
  readonly evaluated: boolean
}

interface DatasetMatrix {
  readonly matrix: FeatureMatrix
  readonly flowIds: ReadonlyArray<string | null>
  readonly labels: ReadonlyArray<string | null>
  readonly labelRaw: ReadonlyArray<string | null> | undefined
  readonly captures: ReadonlyArray<string | null> | undefined
  /** 1 where the label stage marked the row `duplicate of <flow_id>` */
  readonly duplicate: Uint8Array
  readonly srcIps: ReadonlyArray<string | null>
  readonly dstIps: ReadonlyArray<string | null>
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

const processing = (reason: string) => new PluginError({ pluginId: "pipeline", stage: "processing", reason })

/** Features (all groups), labels, label_raw and capture of a stored dataset, rows in manifest order. */
const loadDataset = (context: RunContext, dataset: string, groups: ReadonlyArray<Made<"features">>): Effect.Effect<DatasetMatrix, RunError> =>
  Effect.gen(function* () {
    const layout = context.layout.dataset(dataset)
    const record = context.manifest.data.datasets[dataset]
    const dirs = featureGroupDirs(groups)
    const names = groups.flatMap((group) => group.stage.features.map((feature) => feature.name))
    if (new Set(names).size !== names.length) return yield* processing(`two feature groups provide the same feature name (${names.join(", ")})`)
    const rows = record?.units.reduce((sum, unit) => sum + unit.batches.reduce((s, b) => s + b.rows, 0), 0) ?? 0
    const columns = names.map(() => new Float64Array(rows))
    const flowIds: Array<string | null> = []
    const labels: Array<string | null> = []
    const duplicate = new Uint8Array(rows)
    const labelRaw: Array<string | null> = []
    const captures: Array<string | null> = []
    const srcIps: Array<string | null> = []
    const dstIps: Array<string | null> = []
    let anyRaw = false
    let offset = 0
    for (const unit of record?.units ?? []) {
      for (const stored of unit.batches) {
        const labelPart = yield* context.storage.readParquet(layout.labelsPart(unit.number, stored.index), ["flow_id", "label", "label_detail"])
        flowIds.push(...(readStrings(labelPart, "flow_id") ?? []))
        labels.push(...(readStrings(labelPart, "label") ?? []))
        const details = readStrings(labelPart, "label_detail") ?? []
        for (let row = 0; row < details.length; row++) if (duplicateOfDetail(details[row]) !== null) duplicate[offset + row] = 1
        const flowPath = layout.flowsPart(unit.number, stored.index)
        const described = yield* context.storage.query(`SELECT COLUMNS(lambda c: c IN ('capture', 'label_raw', 'src_ip', 'dst_ip')) FROM read_parquet(${quoteLiteral(flowPath)})`)
        const raw = readStrings(described, "label_raw")
        anyRaw ||= raw !== undefined
        labelRaw.push(...(raw ?? new Array<string | null>(stored.rows).fill(null)))
        captures.push(...(readStrings(described, "capture") ?? new Array<string | null>(stored.rows).fill(unit.id)))
        srcIps.push(...(readStrings(described, "src_ip") ?? new Array<string | null>(stored.rows).fill(null)))
        dstIps.push(...(readStrings(described, "dst_ip") ?? new Array<string | null>(stored.rows).fill(null)))
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
    return { matrix: { names, rows, columns }, flowIds, labels, labelRaw: anyRaw ? labelRaw : undefined, captures, duplicate, srcIps, dstIps }
  })

const StoredThresholds = Schema.Struct({
  thresholds: Schema.Struct({ basis: Schema.optionalWith(Schema.Literal("in-sample", "out-of-fold"), { default: () => "in-sample" as const }), values: Schema.Array(ModelThresholdJson) })
})

/** Which rows train a model and how thresholds are fixed (part of each model's key: a change refits and rewrites the cards). */
const FIT_METHOD = { scores: "out-of-fold/1", ...OUT_OF_FOLD, rows: "labelled, duplicates left out" }

const floatVector = (values: Float64Array): Vector => makeVector(makeData({ type: new Float64(), length: values.length, data: values }))

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
    const targetFprs = evaluation.target_fpr
    const settings = DEFAULT_SETTINGS
    const dirs = featureGroupDirs(groups)
    const keysOf = (dataset: string): TrainingKeys => {
      const record = context.manifest.data.datasets[dataset]
      return { dataset, features: dirs.map((dir) => record?.features[dir]?.key ?? "missing"), labels: record?.units.map((unit) => unit.labels_key) ?? [] }
    }
    const trainKeys = evaluation.train.map(keysOf)
    const names = modelNames(models)
    const featureGroups = groups.map((group) => ({ type: group.entry.type, version: group.plugin.version, raw: group.entry.raw, features: group.stage.features.map((f) => f.name) }))
    const flowColumns = [...new Set(groups.flatMap((group) => group.stage.features.flatMap((f) => f.requires)))].sort()

    const loaded = new Map<string, DatasetMatrix>()
    const load = (dataset: string) =>
      Effect.gen(function* () {
        const cached = loaded.get(dataset)
        if (cached !== undefined) return cached
        const data = yield* loadDataset(context, dataset, groups)
        if (evaluation.train.includes(dataset)) loaded.set(dataset, data)
        return data
      })
    let training: { readonly x: FeatureMatrix; readonly y: Uint8Array; readonly card: ModelCard["training"]; readonly folds: OutOfFoldPlan } | undefined
    const trainingSet = Effect.gen(function* () {
      if (training !== undefined) return training
      const parts = []
      for (const dataset of evaluation.train) {
        const data = yield* load(dataset)
        const rows = evaluationRows(data.labels, undefined, undefined, data.duplicate)
        parts.push({ dataset, data, rows })
      }
      const total = parts.reduce((sum, part) => sum + part.rows.known.length, 0)
      const featureNames = parts[0]?.data.matrix.names ?? []
      const columns = featureNames.map(() => new Float64Array(total))
      const y = new Uint8Array(total)
      // out-of-fold groups: captures of different datasets never share a group
      const captures: Array<string> = []
      const srcIps: Array<string | null> = []
      const dstIps: Array<string | null> = []
      let offset = 0
      for (const part of parts) {
        part.rows.known.forEach((row, index) => {
          for (let column = 0; column < columns.length; column++) columns[column]![offset + index] = part.data.matrix.columns[column]![row]!
          captures.push(`${part.dataset}/${part.data.captures?.[row] ?? ""}`)
          srcIps.push(part.data.srcIps[row] ?? null)
          dstIps.push(part.data.dstIps[row] ?? null)
        })
        y.set(part.rows.y, offset)
        offset += part.rows.known.length
      }
      training = {
        x: { names: featureNames, rows: total, columns },
        y,
        card: parts.map((part) => ({ dataset: part.dataset, ...part.rows.counts })),
        folds: outOfFoldPlan(y, captures, srcIps, dstIps)
      }
      return training
    })

    const fitted: Array<unknown> = []
    const thresholds: Array<ReadonlyArray<ModelThreshold>> = []
    const bases: Array<ThresholdBasis> = []
    const cards: Array<Record<string, unknown>> = []
    const trained: Array<string> = []
    const reused: Array<string> = []
    const keys: Array<string> = []
    for (const [index, model] of models.entries()) {
      const name = names[index]!
      const dir = context.layout.modelDir(name)
      const key = configHash({ model: modelKey(model.identity, trainKeys), card: CARD_FORMAT, target_fpr: targetFprs, thresholds: FIT_METHOD })
      keys.push(key)
      const binPath = join(dir, "model.bin")
      const cardPath = join(dir, "card.json")
      if (context.manifest.data.models[name]?.key === key && (yield* fileExists(cardPath))) {
        const bytes = yield* readBytes(binPath)
        const card = yield* readJson(cardPath)
        const stored = Schema.decodeUnknownEither(StoredThresholds)(card)
        if (bytes !== undefined && Either.isRight(stored)) {
          fitted.push(yield* model.stage.load(bytes))
          thresholds.push(stored.right.thresholds.values)
          bases.push(stored.right.thresholds.basis)
          cards.push(card as Record<string, unknown>)
          reused.push(name)
          continue
        }
      }
      const set = yield* trainingSet
      const fit = yield* model.stage.fit(set.x, set.y)
      const bytes = yield* model.stage.save(fit)
      const folds = set.folds
      const outOfFold =
        folds.folds >= 2
          ? {
              scores: yield* outOfFoldScores(model.stage, set.x, set.y, folds),
              plan: { folds: folds.folds, grouping: folds.grouping, groups: folds.groups, seed: OUT_OF_FOLD.seed }
            }
          : undefined
      if (outOfFold === undefined) {
        yield* context.progress.emit({ _tag: "Log", level: "warn", message: `${name}: thresholds fixed on in-sample training scores (${folds.reason ?? "no folds"})` })
      }
      const summary = yield* summarizeFit(model.stage, fit, set.x, set.y, targetFprs, outOfFold)
      yield* ensureDir(dir)
      yield* writeFileAtomic(binPath, bytes)
      const card: ModelCard = {
        format: CARD_FORMAT,
        name,
        type: model.entry.type,
        version: model.plugin.version,
        key,
        params: model.stage.params,
        features: set.x.names,
        feature_groups: featureGroups,
        flow_columns: flowColumns,
        allow_guarded_columns: context.spec.options.allow_guarded_columns,
        training: set.card,
        training_sources: evaluation.train.flatMap((dataset) => {
          const source = context.spec.datasets.find((d) => d.name === dataset)?.source
          return source === undefined ? [] : [{ dataset, type: source.type, raw: source.raw }]
        }),
        training_rows: { rows: set.x.rows, mining: set.y.reduce((sum, v) => sum + v, 0), benign: set.y.length - set.y.reduce((sum, v) => sum + v, 0) },
        thresholds: {
          basis: summary.basis,
          default: defaultThresholdId(summary.thresholds),
          values: summary.thresholds,
          ...(outOfFold === undefined ? { in_sample_reason: folds.reason ?? "no folds" } : { out_of_fold: outOfFold.plan })
        },
        feature_medians: summary.medians,
        importance: summary.importance,
        metrics: { training: summary.training, ...(summary.outOfFold === undefined ? {} : { out_of_fold: summary.outOfFold }) }
      }
      yield* writeFileAtomic(cardPath, `${JSON.stringify(card, null, 2)}\n`)
      yield* context.manifest.update((manifest) => {
        manifest.models[name] = { key, type: model.entry.type }
      })
      fitted.push(fit)
      thresholds.push(summary.thresholds)
      bases.push(summary.basis)
      cards.push(card as unknown as Record<string, unknown>)
      trained.push(name)
    }

    // held-out test datasets first, then the train datasets scored in-sample
    const tests = evaluation.test.filter((dataset) => !failedDatasets.has(dataset) && !evaluation.train.includes(dataset))
    const evaluated = [...tests, ...evaluation.train]
    const evalKey = configHash({
      evaluation: evaluationKey(keys, evaluated.map(keysOf), targetFprs),
      format: METRICS_FORMAT,
      curves: CURVES_FORMAT,
      settings,
      train: evaluation.train
    })
    const curvesPath = join(context.layout.evaluationDir, "curves.json")
    if (context.manifest.data.evaluation?.key === evalKey && (yield* fileExists(curvesPath))) {
      const stored = yield* readJson(context.layout.metrics)
      if (stored !== undefined) {
        yield* context.progress.emit({ _tag: "StageDone", stage: "models", detail: `${trained.length} trained, ${reused.length} reused; evaluation unchanged` })
        return { trained, reused, auc: aucOf(stored, names), evaluated: false }
      }
    }
    yield* ensureDir(context.layout.evaluationDir)
    const auc: Record<string, Record<string, number | null>> = Object.fromEntries(names.map((name) => [name, {}]))
    const datasets: Record<string, DatasetMetrics> = {}
    const curves: Record<string, Record<string, CurveJson>> = {}
    for (const dataset of evaluated) {
      const data = yield* load(dataset)
      const rows = evaluationRows(data.labels, data.labelRaw, data.captures, data.duplicate)
      const inSample = evaluation.train.includes(dataset)
      const vectors: Record<string, Vector> = { flow_id: utf8Vector(data.flowIds), label: utf8Vector(data.labels) }
      const perModel: Record<string, ModelMetrics> = {}
      curves[dataset] = {}
      for (const [index, model] of models.entries()) {
        const name = names[index]!
        const scores = yield* model.stage.predictProba(fitted[index], data.matrix)
        if (scores.length !== data.matrix.rows) return yield* processing(`${model.entry.type} returned ${scores.length} scores for ${data.matrix.rows} rows of ${dataset}`)
        vectors[scoreColumn(name)] = floatVector(scores)
        const result = evaluateModel(rows, scores, thresholds[index]!, targetFprs, settings)
        perModel[name] = result.metrics
        curves[dataset]![name] = result.curves
        auc[name]![dataset] = result.metrics.roc_auc
      }
      yield* context.storage.writeBatch(new Table(vectors), context.layout.scores(dataset))
      datasets[dataset] = {
        role: inSample ? "train" : "test",
        in_sample: inSample,
        ...rows.counts,
        roc_auc: Object.fromEntries(names.map((name) => [name, auc[name]![dataset] ?? null])),
        models: perModel
      }
    }
    const metrics: EvaluationMetrics = {
      format: METRICS_FORMAT,
      key: evalKey,
      target_fpr: targetFprs,
      settings,
      models: names.map((name, index) => ({ name, type: models[index]!.entry.type, threshold_basis: bases[index]!, thresholds: thresholds[index]! })),
      train_datasets: evaluation.train,
      test_datasets: tests,
      skipped_datasets: evaluation.test.filter((dataset) => failedDatasets.has(dataset)),
      datasets
    }
    yield* writeFileAtomic(context.layout.metrics, `${JSON.stringify(metrics, null, 2)}\n`)
    yield* writeFileAtomic(curvesPath, `${JSON.stringify({ format: CURVES_FORMAT, datasets: curves })}\n`)
    // the cards carry each model's results too
    for (const [index, name] of names.entries()) {
      const card = cards[index]!
      const previous = typeof card["metrics"] === "object" && card["metrics"] !== null ? (card["metrics"] as Record<string, unknown>) : {}
      const results = Object.fromEntries(
        evaluated.map((dataset) => {
          const m = datasets[dataset]!.models[name]!
          return [dataset, { in_sample: datasets[dataset]!.in_sample, roc_auc: m.roc_auc, roc_auc_ci: m.roc_auc_ci === null ? null : { lo: m.roc_auc_ci.lo, hi: m.roc_auc_ci.hi }, pr_auc: m.pr_auc }]
        })
      )
      yield* writeFileAtomic(join(context.layout.modelDir(name), "card.json"), `${JSON.stringify({ ...card, metrics: { ...previous, datasets: results } }, null, 2)}\n`)
    }
    yield* context.manifest.update((manifest) => {
      manifest.evaluation = { key: evalKey }
    })
    yield* context.progress.emit({ _tag: "StageDone", stage: "models", detail: `${trained.length} trained, ${reused.length} reused; ${evaluated.length} datasets scored` })
    return { trained, reused, auc, evaluated: true }
  })
