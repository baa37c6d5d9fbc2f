/**
 * `report.evaluation-html`: one self-contained HTML evaluation report per run,
 * `evaluation/report.html`, with charts rendered to inline SVG at build time.
 *
 * Holds: the config Schema (`title`, `max_table_rows`, `top_features`, `read_run_folder`), the
 * plugin manifest, `renderReport` and the plugin list.
 * Does not hold: reading artefacts (`inputs.ts`), the page (`page.ts`), tables (`sections.ts`),
 * charts (`charts.ts`).
 */
import { definePlugin, type AnyPlugin, type ReportFile, type ReportStage, type RunArtifacts } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { PLUGIN_ID } from "./charts.js"
import { collectInputs, readRunFolder } from "./inputs.js"
import { renderPage } from "./page.js"

export { PLUGIN_ID } from "./charts.js"
export { escapeHtml } from "@hashhound/core"
export { CardInput, CurvesInput, MetricsInput, collectInputs, type EvaluationInputs } from "./inputs.js"

export const EvaluationHtmlConfig = Schema.Struct({
  /** the page heading */
  title: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)), { default: () => "hashhound evaluation report" }),
  /** rows of each per-behaviour and per-capture table */
  max_table_rows: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 10_000)), { default: () => 100 }),
  /** features in each importance chart */
  top_features: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 200)), { default: () => 15 }),
  /** read evaluation/metrics.json, evaluation/curves.json and models/*\/card.json from the run folder when the pipeline did not pass them */
  read_run_folder: Schema.optionalWith(Schema.Boolean, { default: () => true })
})
export type EvaluationHtmlConfig = typeof EvaluationHtmlConfig.Type

export const REPORT_PATH = "evaluation/report.html"

export const renderReport = (config: EvaluationHtmlConfig, artifacts: RunArtifacts): Effect.Effect<ReadonlyArray<ReportFile>> =>
  Effect.gen(function* () {
    const fromDisk = config.read_run_folder ? yield* readRunFolder(artifacts.outputDir, artifacts.json) : { json: {}, notes: [] }
    const inputs = collectInputs({ ...fromDisk.json, ...artifacts.json })
    const page = yield* renderPage(
      { ...inputs, notes: [...fromDisk.notes, ...inputs.notes] },
      { title: config.title, maxTableRows: config.max_table_rows, topFeatures: config.top_features }
    )
    return [{ path: REPORT_PATH, contents: page }]
  })

export const evaluationHtmlReport = definePlugin({
  id: PLUGIN_ID,
  kind: "report",
  version: "0.2.0",
  summary: "one offline HTML evaluation report: ROC/PR curves, ROC-AUC with intervals, confusion matrices at fixed thresholds, per-behaviour and per-capture breakdowns, calibration, importance, model cards",
  config: EvaluationHtmlConfig,
  make: (config) => Effect.succeed<ReportStage>({ render: (artifacts) => renderReport(config, artifacts) })
})

export const plugins: ReadonlyArray<AnyPlugin> = [evaluationHtmlReport]
