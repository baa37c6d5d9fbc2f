/**
 * Charts of the evaluation report as inline SVG, rendered at build time: Vega-Lite specs
 * compiled to Vega and drawn by a headless Vega view (`renderer: "none"`, `toSVG()`), so the
 * page needs no script.
 *
 * Holds: the chart specs: ROC curves on a log false-positive-rate axis and precision-recall
 * curves of one dataset, a line per model, the legend on the ROC chart only; ROC-AUC bars per
 * dataset and model with confidence-interval whiskers; a reliability diagram; feature-importance
 * bars. And `renderChart` (spec → SVG string; failures are PluginErrors).
 * Model colours come from one palette indexed by the model's position, so a model keeps its
 * colour across charts.
 * Does not hold: the data (see `inputs.ts`) or the page (see `page.ts`).
 */
import { PluginError } from "@hashhound/core"
import { Effect } from "effect"
import type { TopLevelSpec } from "vega-lite"

export const PLUGIN_ID = "report.evaluation-html"

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

const CONFIG: TopLevelSpec["config"] = {
  font: FONT,
  background: "white",
  view: { stroke: "transparent" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: "#e8eaed", domainColor: "#9aa0a6", tickColor: "#9aa0a6" },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  title: { fontSize: 14, fontWeight: 600, anchor: "start" as const, subtitleFontSize: 11, subtitleColor: "#5f6368" }
}

const PALETTE = ["#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#12b5cb", "#b06000", "#5f6368"]

/** The colour scale shared by every chart: models in the report's order. */
export const modelScale = (models: ReadonlyArray<string>) => ({
  domain: [...models],
  range: models.map((_, i) => PALETTE[i % PALETTE.length]!)
})

export interface CurveSeries {
  readonly model: string
  readonly x: ReadonlyArray<number>
  readonly y: ReadonlyArray<number>
}

const curveValues = (series: ReadonlyArray<CurveSeries>) =>
  series.flatMap((s) => s.x.map((x, i) => ({ model: s.model, x, y: s.y[i] ?? null, i })).filter((p) => p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y)))

interface CurveAxes {
  readonly x: string
  readonly y: string
  /** log x axis from this value to 1 (x values below it are drawn at it) */
  readonly logXFrom?: number
}

/** Powers of ten from `floor` to 1. */
const decades = (floor: number): Array<number> => {
  const out: Array<number> = []
  for (let e = Math.round(Math.log10(floor)); e <= 0; e++) out.push(10 ** e)
  return out
}

const curveSpec = (
  title: { readonly text: string; readonly subtitle: string },
  series: ReadonlyArray<CurveSeries>,
  models: ReadonlyArray<string>,
  axes: CurveAxes,
  reference: ReadonlyArray<{ readonly x: number; readonly y: number }>,
  legend: boolean
): TopLevelSpec => {
  const floor = axes.logXFrom
  const clip = (points: ReadonlyArray<{ readonly x: number; readonly y: number | null }>) => (floor === undefined ? points : points.map((p) => ({ ...p, x: Math.max(p.x, floor) })))
  const xScale = floor === undefined ? { domain: [0, 1] } : { type: "log" as const, domain: [floor, 1] }
  return {
    width: 270,
    height: 250,
    title,
    layer: [
      {
        data: { values: clip(reference).map((p) => ({ ...p })) },
        mark: { type: "line", strokeDash: [4, 4], color: "#9aa0a6", strokeWidth: 1 },
        encoding: { x: { field: "x", type: "quantitative", scale: xScale }, y: { field: "y", type: "quantitative" } }
      },
      {
        data: { values: clip(curveValues(series)) },
        mark: { type: "line", strokeWidth: 2, interpolate: "linear" },
        encoding: {
          x: { field: "x", type: "quantitative", title: axes.x, scale: xScale, axis: floor === undefined ? {} : { format: "~g", values: decades(floor) } },
          y: { field: "y", type: "quantitative", title: axes.y, scale: { domain: [0, 1] } },
          color: { field: "model", type: "nominal", title: "model", scale: modelScale(models), legend: legend ? { orient: "bottom", direction: "vertical" } : null },
          order: { field: "i", type: "quantitative" }
        }
      }
    ],
    config: CONFIG
  }
}

/** The smallest FPR axis value worth drawing for `negatives` benign rows: a power of ten at or below 1/negatives (≥ 1e-6). */
export const fprFloor = (negatives: number): number => Math.max(1e-6, 10 ** Math.floor(Math.log10(1 / Math.max(1, negatives))))

/**
 * ROC curves of one dataset, one line per model, on a log false-positive-rate axis (the region
 * where detectors operate), with the chance line.
 */
export const rocSpec = (dataset: string, series: ReadonlyArray<CurveSeries>, models: ReadonlyArray<string>, subtitle: string, negatives: number): TopLevelSpec => {
  const floor = fprFloor(negatives)
  const chance = Array.from({ length: 25 }, (_, i) => {
    const x = floor * (1 / floor) ** (i / 24)
    return { x, y: x }
  })
  return curveSpec({ text: `ROC: ${dataset}`, subtitle }, series, models, { x: "false-positive rate (log)", y: "true-positive rate (recall)", logXFrom: floor }, chance, true)
}

/** Precision-recall curves of one dataset, with the prevalence (a random ranking) as reference. */
export const prSpec = (dataset: string, series: ReadonlyArray<CurveSeries>, models: ReadonlyArray<string>, prevalence: number | null, subtitle: string): TopLevelSpec =>
  curveSpec(
    { text: `Precision-recall: ${dataset}`, subtitle },
    series,
    models,
    { x: "recall", y: "precision" },
    prevalence === null ? [] : [{ x: 0, y: prevalence }, { x: 1, y: prevalence }],
    false
  )

export interface AucBar {
  readonly dataset: string
  readonly model: string
  readonly auc: number
  readonly lo: number | null
  readonly hi: number | null
}

/** ROC-AUC per dataset (groups) and model (bars), whiskers at the bootstrap interval. */
export const aucSpec = (bars: ReadonlyArray<AucBar>, datasets: ReadonlyArray<string>, models: ReadonlyArray<string>): TopLevelSpec => ({
  width: { step: Math.max(14, Math.min(40, Math.floor(300 / Math.max(1, models.length)))) },
  height: 220,
  title: { text: "ROC-AUC per dataset and model", subtitle: "whiskers: bootstrap 95 % interval; * in-sample (training data)" },
  data: { values: bars.map((bar) => ({ ...bar })) },
  encoding: {
    x: { field: "dataset", type: "nominal", title: null, sort: [...datasets], axis: { labelAngle: 0, labelLimit: 160 } },
    xOffset: { field: "model", type: "nominal", sort: [...models] },
    color: { field: "model", type: "nominal", title: "model", scale: modelScale(models) }
  },
  layer: [
    { mark: { type: "bar" }, encoding: { y: { field: "auc", type: "quantitative", title: "ROC-AUC", scale: { domain: [0, 1] } } } },
    {
      transform: [{ filter: "datum.lo != null && datum.hi != null" }],
      mark: { type: "rule", color: "#202124", strokeWidth: 1.5 },
      encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { value: "#202124" } }
    },
    {
      mark: { type: "text", dy: -8, fontSize: 9, color: "#202124" },
      encoding: { y: { field: "auc", type: "quantitative" }, text: { field: "auc", type: "quantitative", format: ".3f" }, color: { value: "#202124" } }
    }
  ],
  config: CONFIG
})

export interface CalibrationPoint {
  readonly model: string
  readonly mean_score: number
  readonly positive_rate: number
  readonly count: number
}

/** Reliability diagram: observed mining share against mean score per bin; the diagonal is perfect calibration. */
export const calibrationSpec = (dataset: string, points: ReadonlyArray<CalibrationPoint>, models: ReadonlyArray<string>): TopLevelSpec => ({
  width: 270,
  height: 250,
  title: { text: `Calibration: ${dataset}`, subtitle: "mining share per score bin; size: flows" },
  layer: [
    {
      data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
      mark: { type: "line", strokeDash: [4, 4], color: "#9aa0a6", strokeWidth: 1 },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } }
    },
    {
      data: { values: points.map((p) => ({ ...p })) },
      mark: { type: "line", point: false, strokeWidth: 1.5 },
      encoding: {
        x: { field: "mean_score", type: "quantitative", title: "mean score", scale: { domain: [0, 1] } },
        y: { field: "positive_rate", type: "quantitative", title: "share labelled mining", scale: { domain: [0, 1] } },
        color: { field: "model", type: "nominal", title: "model", scale: modelScale(models), legend: null }
      }
    },
    {
      data: { values: points.map((p) => ({ ...p })) },
      mark: { type: "point", filled: true, opacity: 0.85 },
      encoding: {
        x: { field: "mean_score", type: "quantitative" },
        y: { field: "positive_rate", type: "quantitative" },
        size: { field: "count", type: "quantitative", title: "flows", scale: { type: "sqrt", range: [12, 220] }, legend: null },
        color: { field: "model", type: "nominal", scale: modelScale(models), legend: null }
      }
    }
  ],
  config: CONFIG
})

export interface ImportanceBar {
  readonly feature: string
  readonly value: number
  readonly std: number | null
}

/** Horizontal importance bars, largest first, with ± one standard deviation when known. */
export const importanceSpec = (title: string, subtitle: string, bars: ReadonlyArray<ImportanceBar>, color: string): TopLevelSpec => ({
  width: 300,
  height: { step: 15 },
  title: { text: title, subtitle },
  data: { values: bars.map((bar) => ({ ...bar, lo: bar.std === null ? null : bar.value - bar.std, hi: bar.std === null ? null : bar.value + bar.std })) },
  encoding: { y: { field: "feature", type: "nominal", sort: bars.map((bar) => bar.feature), title: null, axis: { labelLimit: 200 } } },
  layer: [
    { mark: { type: "bar", color }, encoding: { x: { field: "value", type: "quantitative", title: null } } },
    {
      transform: [{ filter: "datum.lo != null" }],
      mark: { type: "rule", color: "#202124" },
      encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } }
    }
  ],
  config: CONFIG
})

/** Render a Vega-Lite spec to an SVG string, without a browser. */
export const renderChart = (spec: TopLevelSpec): Effect.Effect<string, PluginError> =>
  Effect.tryPromise({
    try: async () => {
      // loaded when a chart is drawn, not at start-up (vega alone takes ~300 ms to load)
      const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")])
      const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" })
      try {
        return await view.toSVG()
      } finally {
        view.finalize()
      }
    },
    catch: (error) => new PluginError({ pluginId: PLUGIN_ID, stage: "writing", reason: `chart could not be drawn: ${error instanceof Error ? error.message : String(error)}` })
  })
