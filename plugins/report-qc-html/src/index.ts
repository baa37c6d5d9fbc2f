/**
 * `report.qc-html`: one self-contained HTML QC report per dataset,
 * `datasets/<name>/qc/qc.html`, with charts rendered to inline SVG at build time.
 *
 * Holds: the config Schema (`title`, `max_findings`, `top_ports`, `include_info`,
 * `read_run_folder`, `scatter_features`, `scatter_points`), `renderReport` (reads every
 * dataset's artefacts first, so each page can show the feature availability of the whole run),
 * the plugin manifest, the plugin list, and re-exports of core's pure flow
 * summary (`summarizeFlows`, `FlowSummary`) that produces the report's chart data.
 * Does not hold: reading artefacts (`inputs.ts`), the page (`page.ts`), charts (`charts.ts`).
 */
import { definePlugin, type AnyPlugin, type ReportFile, type ReportStage, type RunArtifacts } from "@hashhound/core"
import { Effect, Schema } from "effect"
import { PLUGIN_ID } from "./charts.js"
import { collectInputs, readRunFolder } from "./inputs.js"
import { renderPage, type PageOptions, type RunDatasets } from "./page.js"

export { PLUGIN_ID } from "./charts.js"
export { FLOW_SUMMARY_FORMAT, FlowSummary, FlowSummaryBuilder, summarizeFlows, type FlowSummaryOptions as SummaryOptions } from "@hashhound/core"
export { escapeHtml } from "@hashhound/core"
export { scatterMatrixSpec, type ScatterMatrixOptions, type ScatterRow } from "./scatter-matrix.js"

/** Four features a security reader can interpret: size, packet size, direction balance, timing regularity. */
export const DEFAULT_SCATTER_FEATURES: ReadonlyArray<string> = ["bytes_total", "mean_pkt_size", "byte_asymmetry", "burstiness"]

export const QcHtmlConfig = Schema.Struct({
  /** the page heading */
  title: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)), { default: () => "hashhound QC report" }),
  /** rows of the findings table (fail first, then warn, then info) */
  max_findings: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 100_000)), { default: () => 1000 }),
  /** destination ports in the port chart */
  top_ports: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 100)), { default: () => 15 }),
  /** list info findings in the table too */
  include_info: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** read QC artefacts the pipeline did not pass from `<output>/datasets/<name>/qc/*.json` */
  read_run_folder: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** features of the scatter matrix (from qc/feature-sample.json); unknown names become notes */
  scatter_features: Schema.optionalWith(Schema.Array(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))).pipe(Schema.minItems(2), Schema.maxItems(8)), {
    default: () => [...DEFAULT_SCATTER_FEATURES]
  }),
  /** most flows drawn in the scatter matrix (every k-th of the sample, which holds at most 2,000) */
  scatter_points: Schema.optionalWith(Schema.Int.pipe(Schema.between(100, 5000)), { default: () => 2000 })
})
export type QcHtmlConfig = typeof QcHtmlConfig.Type

/** A dataset name that stays inside `datasets/` as a path segment. */
const safeName = (name: string): boolean => name !== "" && name !== "." && name !== ".." && !/[/\\\u0000]/.test(name)

export const renderReport = (config: QcHtmlConfig, artifacts: RunArtifacts): Effect.Effect<ReadonlyArray<ReportFile>> => {
  const options: PageOptions = {
    title: config.title,
    maxFindings: config.max_findings,
    topPorts: config.top_ports,
    includeInfo: config.include_info,
    scatterFeatures: config.scatter_features,
    scatterPoints: config.scatter_points
  }
  return Effect.gen(function* () {
    const datasets = artifacts.datasets.filter(safeName)
    const inputs = yield* Effect.forEach(
      datasets,
      (name) =>
        Effect.map(config.read_run_folder ? readRunFolder(artifacts.outputDir, name, artifacts.json) : Effect.succeed({ json: {}, notes: [] }), (fromDisk) => {
          const collected = collectInputs(name, { ...fromDisk.json, ...artifacts.json })
          return { ...collected, notes: [...fromDisk.notes, ...collected.notes] }
        }),
      { concurrency: 1 }
    )
    const run: RunDatasets = {
      datasets,
      availability: inputs.flatMap((input) => (input.features === undefined ? [] : [{ dataset: input.name, availability: input.features }]))
    }
    return yield* Effect.forEach(
      inputs,
      (input) => Effect.map(renderPage(input, options, run), (page) => ({ path: `datasets/${input.name}/qc/qc.html`, contents: page })),
      { concurrency: 1 }
    )
  })
}

export const qcHtmlReport = definePlugin({
  id: PLUGIN_ID,
  kind: "report",
  version: "0.1.0",
  summary: "one offline HTML QC report per dataset: findings, flow histograms, protocol/port mix, labels, feature availability and a scatter matrix (inline SVG, no scripts)",
  config: QcHtmlConfig,
  make: (config) => Effect.succeed<ReportStage>({ render: (artifacts) => renderReport(config, artifacts) })
})

export const plugins: ReadonlyArray<AnyPlugin> = [qcHtmlReport]
