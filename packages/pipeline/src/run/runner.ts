/**
 * `runPipeline`: a whole run, resumable, from a PipelineSpec to stored flows, labels, QC,
 * features, models and evaluation.
 *
 * Holds: the run order and the RunSummary (per dataset also its findings per reporting plugin
 * and severity, with the first finding of each severity, for the CLI's QC table). Order: (A) datasets, `dataset_concurrency` at a time:
 * flows (plan → units `unit_concurrency` at a time → read → stamp → per-batch QC → store), then
 * labels; (B) once every dataset is stored, QC per dataset (labels-phase checks and `finish`,
 * which may read any dataset, hence the barrier); (C) features for datasets whose QC did not
 * fail; (D) models and evaluation when the pipeline has models; (E) reports when it has any
 * (they get the manifest, evaluation/metrics.json, evaluation/curves.json, models/<name>/card.json
 * and each dataset's qc/dataset.json, flow-summary.json, labels.json, features.json and
 * feature-sample.json as JSON artefacts; a dataset that failed QC loses its feature artefacts).
 * A QC `fail` is not an error of the run: it stops that dataset's downstream stages, the other
 * datasets go on, and the summary (and manifest) end with status `failed`, listing each failure
 * as a QcFailedError. Errors (a plugin failing, storage failing) fail the run; what was stored
 * before stays valid for the next attempt.
 * Start of a run: `.tmp` leftovers of a killed run are removed; with `force` every stored
 * output (not the sources' work folders) is removed and the manifest starts empty.
 * Does not hold: stage internals (see flows/labels/qc/features/models).
 */
import { PluginRegistry, type Finding, type QcFailedError } from "@hashhound/core"
import { Effect } from "effect"
import { basename, dirname, join, normalize, isAbsolute } from "node:path"
import { configHash } from "../config/hash.js"
import { Progress, type PipelineSpec } from "../spec.js"
import { ensureDir, listDir, readJson, removeDir, removeTmpLeftovers, Storage, writeFileAtomic } from "../storage/index.js"
import type { RunContext } from "./context.js"
import type { RunError } from "./errors.js"
import { featureArtefactPaths, removeFeatureArtefacts } from "./feature-artefacts.js"
import { runFeatures, type FeaturesOutcome } from "./features.js"
import { runFlows, type FlowsOutcome } from "./flows.js"
import { configHashOf, type DatasetKeys } from "./keys.js"
import { runLabels, type LabelsOutcome } from "./labels.js"
import { runLayout } from "./layout.js"
import { makeStage, type Made } from "./made-stages.js"
import { emptyManifest, loadManifest, makeManifestStore } from "./manifest.js"
import { runModels, type ModelsOutcome } from "./models.js"
import { runQc, type QcOutcome, type SeverityCounts } from "./qc.js"

export interface RunPipelineOptions {
  /** redo everything: ignore (and remove) what earlier runs stored */
  readonly force?: boolean
}

/** One reporting plugin's findings on a dataset: a QC check, or the source (damage it met). */
export interface CheckFindings {
  readonly check: string
  readonly counts: SeverityCounts
  /** its first finding of each severity it reported, worst first */
  readonly examples: ReadonlyArray<Finding>
}

export interface DatasetSummary {
  readonly name: string
  readonly units: { readonly read: number; readonly skipped: number }
  readonly batches: { readonly written: number; readonly skipped: number }
  readonly flows: number
  readonly findings: SeverityCounts
  /** findings per reporting plugin and severity, in the order they were first reported */
  readonly checks: ReadonlyArray<CheckFindings>
  readonly qc: "pass" | "warn" | "fail"
  readonly failures: ReadonlyArray<QcFailedError>
  readonly labels: LabelsOutcome
  /** undefined when QC failed and features were not computed */
  readonly features?: FeaturesOutcome
}

export interface RunSummary {
  readonly name: string
  readonly output: string
  /** `failed` when any dataset failed QC */
  readonly status: "ok" | "failed"
  readonly datasets: ReadonlyArray<DatasetSummary>
  readonly models: ModelsOutcome
  readonly failures: ReadonlyArray<QcFailedError>
}

interface Prepared {
  readonly source: Made<"source">
  readonly labelers: ReadonlyArray<Made<"labeler">>
}

const STORED_DIRS = ["flows", "labels", "features", "qc", "checkpoints"] as const

export const runPipeline = (
  spec: PipelineSpec,
  options: RunPipelineOptions = {}
): Effect.Effect<RunSummary, RunError, PluginRegistry | Progress | Storage> =>
  Effect.gen(function* () {
    const progress = yield* Progress
    const storage = yield* Storage
    const layout = runLayout(spec.output)
    const force = options.force === true

    // every stage is built before anything is touched: a bad plugin fails fast
    const prepared = new Map<string, Prepared>()
    for (const dataset of spec.datasets) {
      const source = yield* makeStage(dataset.source, "source")
      const labelers: Array<Made<"labeler">> = []
      for (const entry of dataset.labels) labelers.push(yield* makeStage(entry, "labeler"))
      prepared.set(dataset.name, { source, labelers })
    }
    const qc: Array<Made<"qc">> = []
    for (const entry of spec.qc) qc.push(yield* makeStage(entry, "qc"))
    const features: Array<Made<"features">> = []
    for (const entry of spec.features) features.push(yield* makeStage(entry, "features"))
    const models: Array<Made<"model">> = []
    for (const entry of spec.models) models.push(yield* makeStage(entry, "model"))
    const reports: Array<Made<"report">> = []
    for (const entry of spec.reports) reports.push(yield* makeStage(entry, "report"))

    yield* ensureDir(spec.output)
    if (force) {
      for (const name of yield* listDir(layout.datasetsDir)) {
        for (const dir of STORED_DIRS) yield* removeDir(join(layout.datasetsDir, name, dir))
      }
      yield* removeDir(layout.modelsDir)
      yield* removeDir(layout.evaluationDir)
    }
    const leftovers = yield* removeTmpLeftovers(spec.output, (dir) => basename(dir) === "source" && dirname(dirname(dir)) === layout.datasetsDir)
    if (leftovers > 0) yield* progress.emit({ _tag: "Log", level: "info", message: `removed ${leftovers} unfinished file(s) of an interrupted run` })
    const initial = force ? emptyManifest(spec.name) : yield* loadManifest(layout.manifest, spec.name)
    const manifest = yield* makeManifestStore(layout.manifest, initial)

    // datasets no longer in the pipeline lose their outputs
    const names = new Set(spec.datasets.map((dataset) => dataset.name))
    for (const gone of Object.keys(manifest.data.datasets).filter((name) => !names.has(name))) {
      yield* removeDir(join(layout.datasetsDir, gone))
      yield* manifest.update((m) => {
        delete m.datasets[gone]
      })
    }
    const made = [...[...prepared.values()].flatMap((p) => [p.source, ...p.labelers]), ...qc, ...features, ...models, ...reports]
    yield* manifest.update((m) => {
      m.name = spec.name
      m.status = "running"
      m.plugins = Object.fromEntries(made.map((stage) => [stage.plugin.id, stage.plugin.version]))
      m.stages = Object.fromEntries(
        made.map((stage) => [stage.entry.path, { type: stage.entry.type, version: stage.plugin.version, config_hash: configHashOf(stage.entry) }])
      )
    })

    const context: RunContext = { spec, layout, manifest, storage, progress, qc }
    const concurrency = Math.max(1, spec.options.dataset_concurrency)

    // (A) flows and labels
    const stored = yield* Effect.forEach(
      spec.datasets,
      (dataset) =>
        Effect.gen(function* () {
          const stages = prepared.get(dataset.name)
          if (stages === undefined) return yield* Effect.die(`dataset ${dataset.name} was not prepared`)
          const flows = yield* runFlows(context, dataset, stages.source)
          const labels = yield* runLabels(context, dataset, stages.labelers)
          return { flows, labels }
        }),
      { concurrency }
    )

    // (B) QC, once every dataset is stored
    const keys: ReadonlyArray<DatasetKeys> = spec.datasets.map((dataset) => {
      const units = manifest.data.datasets[dataset.name]?.units ?? []
      return { name: dataset.name, flows: units.map((unit) => unit.flows_key), labels: units.map((unit) => unit.labels_key) }
    })
    const qcOutcomes: ReadonlyArray<QcOutcome> = yield* Effect.forEach(spec.datasets, (dataset) => runQc(context, dataset, keys), { concurrency })
    const failed = new Set(spec.datasets.filter((_, index) => qcOutcomes[index]!.status === "fail").map((dataset) => dataset.name))
    for (const failure of qcOutcomes.flatMap((outcome) => outcome.failures)) {
      yield* progress.emit({ _tag: "Log", level: "error", message: failure.message })
    }

    // (C) features where QC did not fail
    const featureOutcomes = yield* Effect.forEach(
      spec.datasets,
      (dataset) =>
        failed.has(dataset.name) ? Effect.as(removeFeatureArtefacts(layout.dataset(dataset.name)), undefined) : runFeatures(context, dataset, features),
      { concurrency }
    )

    // (D) models and evaluation
    const modelOutcome = yield* runModels(context, features, models, failed)

    // (E) reports
    if (reports.length > 0) {
      const key = configHash({
        reports: reports.map((report) => report.identity),
        datasets: manifest.data.datasets,
        models: manifest.data.models,
        evaluation: manifest.data.evaluation ?? null
      })
      if (manifest.data.reports?.key !== key) {
        const json: Record<string, unknown> = { "manifest.json": manifest.data }
        const metrics = yield* readJson(layout.metrics)
        if (metrics !== undefined) json["evaluation/metrics.json"] = metrics
        const curves = yield* readJson(join(layout.evaluationDir, "curves.json"))
        if (curves !== undefined) json["evaluation/curves.json"] = curves
        for (const model of [...modelOutcome.trained, ...modelOutcome.reused].sort()) {
          const card = yield* readJson(join(layout.modelDir(model), "card.json"))
          if (card !== undefined) json[`models/${model}/card.json`] = card
        }
        for (const dataset of spec.datasets) {
          const qcLayout = layout.dataset(dataset.name)
          const featureArtefacts = featureArtefactPaths(qcLayout)
          for (const path of [qcLayout.qcDataset, qcLayout.qcFlowSummary, qcLayout.qcLabelReport, featureArtefacts.availability, featureArtefacts.sample]) {
            const value = yield* readJson(path)
            if (value !== undefined) json[`datasets/${dataset.name}/qc/${basename(path)}`] = value
          }
        }
        for (const report of reports) {
          const files = yield* report.stage.render({ outputDir: spec.output, datasets: [...names], json })
          for (const file of files) {
            const relative = normalize(file.path)
            if (isAbsolute(relative) || relative.startsWith("..")) {
              yield* progress.emit({ _tag: "Log", level: "warn", message: `${report.plugin.id}: refused to write outside the run: ${file.path}` })
              continue
            }
            yield* writeFileAtomic(join(spec.output, relative), file.contents)
          }
        }
        yield* manifest.update((m) => {
          m.reports = { key }
        })
      }
    }

    const failures = qcOutcomes.flatMap((outcome) => outcome.failures)
    const status: RunSummary["status"] = failed.size > 0 ? "failed" : "ok"
    yield* manifest.update((m) => {
      m.status = status === "ok" ? "complete" : "failed"
    })
    const datasets: ReadonlyArray<DatasetSummary> = spec.datasets.map((dataset, index) => {
      const flows: FlowsOutcome = stored[index]!.flows
      const units = manifest.data.datasets[dataset.name]?.units ?? []
      const outcome = qcOutcomes[index]!
      const featureOutcome = featureOutcomes[index]
      return {
        name: dataset.name,
        units: { read: flows.unitsRead, skipped: flows.unitsSkipped },
        batches: { written: flows.batchesWritten, skipped: flows.batchesSkipped },
        flows: units.reduce((sum, unit) => sum + unit.batches.reduce((s, b) => s + b.rows, 0), 0),
        findings: outcome.totals,
        checks: Object.entries(outcome.bySource).map(([check, counts]) => ({ check, counts, examples: outcome.examples[check] ?? [] })),
        qc: outcome.status,
        failures: outcome.failures,
        labels: stored[index]!.labels,
        ...(featureOutcome === undefined ? {} : { features: featureOutcome })
      }
    })
    yield* progress.emit({ _tag: "Log", level: status === "ok" ? "info" : "error", message: `run ${spec.name}: ${status}` })
    return { name: spec.name, output: spec.output, status, datasets, models: modelOutcome, failures }
  })
