/**
 * Charts of a QC report as inline SVG, rendered at build time: Vega-Lite specs compiled to Vega
 * and drawn by a headless Vega view (`renderer: "none"`, `toSVG()`), so the page needs no script.
 *
 * Holds: the chart specs (log-scale histograms from a `LogHistogram`, horizontal bar charts of
 * named counts, stacked label bars per capture, findings per check and severity) and
 * `renderChart` (spec → SVG string in an Effect; failures are PluginErrors), `inlineSvg` (the root
 * tag without namespace declarations) and `chartFigure` (the SVG as a `<figure>`, or a caption
 * saying why there is no chart: a failure or unsafe SVG).
 * Does not hold: the data (core's `flow-summary.ts`) or the page (see `page.ts`).
 */
import { html, PluginError, safeSvg, type CaptureLabels, type Html, type LogHistogram } from "@hashhound/core"
import { Effect } from "effect"
import type { TopLevelSpec } from "vega-lite"

export const PLUGIN_ID = "report.qc-html"

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

/** The look every chart of the report shares. */
export const CHART_CONFIG: TopLevelSpec["config"] = {
  font: FONT,
  background: "white",
  view: { stroke: "transparent" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: "#e8eaed", domainColor: "#9aa0a6", tickColor: "#9aa0a6" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, fontWeight: 600, anchor: "start" as const, subtitleFontSize: 11, subtitleColor: "#5f6368" }
}

/** A bar histogram on a log x axis; the subtitle says what a log axis cannot show. */
export const histogramSpec = (histogram: LogHistogram, title: string, axisTitle: string, color: string): TopLevelSpec => {
  const notes = [
    histogram.zero > 0 ? `${histogram.zero.toLocaleString("en-US")} at 0` : "",
    histogram.negative > 0 ? `${histogram.negative.toLocaleString("en-US")} negative` : "",
    histogram.missing > 0 ? `${histogram.missing.toLocaleString("en-US")} missing` : ""
  ].filter((note) => note !== "")
  return {
    width: 430,
    height: 190,
    title: { text: title, subtitle: notes.length === 0 ? "log scale" : `log scale; not shown: ${notes.join(", ")}` },
    data: { values: histogram.bins.map((bin) => ({ lo: bin.lo, hi: bin.hi, count: bin.count })) },
    mark: { type: "rect", color, stroke: "white", strokeWidth: 0.5 },
    encoding: {
      x: { field: "lo", type: "quantitative", scale: { type: "log" }, title: axisTitle, axis: { format: "~s", grid: false } },
      x2: { field: "hi" },
      y: { field: "count", type: "quantitative", title: "flows", axis: { format: "~s" } },
      y2: { datum: 0 }
    },
    config: CHART_CONFIG
  }
}

/** Horizontal bars of counts by name, in the given order. */
export const barSpec = (rows: ReadonlyArray<{ readonly name: string; readonly flows: number }>, title: string, color: string, subtitle?: string): TopLevelSpec => ({
  width: 380,
  height: { step: 16 },
  title: subtitle === undefined ? title : { text: title, subtitle },
  data: { values: rows.map((row, order) => ({ name: row.name, flows: row.flows, order })) },
  mark: { type: "bar", color },
  encoding: {
    y: { field: "name", type: "nominal", sort: { field: "order" }, title: null, axis: { labelLimit: 180 } },
    x: { field: "flows", type: "quantitative", title: "flows", axis: { format: "~s" } }
  },
  config: CHART_CONFIG
})

/** Colours of the labels in every chart (`other`: any label that is not mining, benign or unknown). */
export const LABEL_COLORS = { mining: "#d93025", benign: "#1e8e3e", unknown: "#bdc1c6", other: "#f9ab00" } as const

/** Stacked horizontal bars per capture: mining, benign, unknown, other. */
export const labelSpec = (labels: ReadonlyArray<CaptureLabels>): TopLevelSpec => ({
  width: 380,
  height: { step: 18 },
  title: { text: "Labels per capture", subtitle: "flows by merged label" },
  data: {
    values: labels.flatMap((row, order) =>
      (["mining", "benign", "unknown", "other"] as const).filter((label) => row[label] > 0).map((label) => ({ capture: row.capture, label, flows: row[label], order }))
    )
  },
  mark: { type: "bar" },
  encoding: {
    y: { field: "capture", type: "nominal", sort: { field: "order" }, title: null, axis: { labelLimit: 280 } },
    x: { field: "flows", type: "quantitative", stack: "zero", title: "flows", axis: { format: "~s" } },
    color: {
      field: "label",
      type: "nominal",
      title: "label",
      scale: { domain: ["mining", "benign", "unknown", "other"], range: Object.values(LABEL_COLORS) }
    }
  },
  config: CHART_CONFIG
})

const SEVERITY_COLORS = ["#d93025", "#f29900", "#80868b"]

/** Stacked bars of findings per check by severity. */
export const findingsSpec = (rows: ReadonlyArray<{ readonly check: string; readonly severity: "fail" | "warn" | "info"; readonly count: number }>): TopLevelSpec => ({
  width: 300,
  height: { step: 18 },
  title: { text: "Findings per check", subtitle: "source findings and QC checks" },
  data: { values: rows.map((row) => ({ ...row })) },
  mark: { type: "bar" },
  encoding: {
    y: { field: "check", type: "nominal", title: null, axis: { labelLimit: 180 } },
    x: { field: "count", type: "quantitative", stack: "zero", title: "findings" },
    color: { field: "severity", type: "nominal", title: "severity", scale: { domain: ["fail", "warn", "info"], range: SEVERITY_COLORS } },
    order: { field: "severity", sort: "ascending" }
  },
  config: CHART_CONFIG
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

const NAMESPACE_DECLARATIONS = / xmlns(?::xlink)?="http:\/\/www\.w3\.org\/(?:2000\/svg|1999\/xlink)"/g

/**
 * SVG for inline use in HTML: the root tag without its `xmlns` / `xmlns:xlink` declarations. An
 * HTML parser puts an inline `<svg>` in the SVG namespace by itself; the declarations are names,
 * never fetched, but without them the page holds no `http://` at all, so a search for URLs in
 * a report finds none.
 */
export const inlineSvg = (svg: string): string => {
  const end = svg.indexOf(">")
  return end < 0 ? svg : svg.slice(0, end).replace(NAMESPACE_DECLARATIONS, "") + svg.slice(end)
}

/**
 * A chart as inline SVG in a figure (after `rewrite`, e.g. merging marks, and `inlineSvg`), or a
 * caption when it cannot be drawn or its SVG is not safe; the safety check runs on the rewritten
 * SVG.
 */
export const chartFigure = (spec: TopLevelSpec, alt: string, rewrite: (svg: string) => string = (svg) => svg): Effect.Effect<Html> =>
  Effect.match(Effect.map(renderChart(spec), (svg) => inlineSvg(rewrite(svg))), {
    onFailure: (error) => html`<figure class="chart missing"><figcaption>${alt}: ${error.reason}</figcaption></figure>`,
    onSuccess: (svg) => {
      const safe = safeSvg(svg)
      return safe === undefined
        ? html`<figure class="chart missing"><figcaption>${alt}: chart refused (unsafe SVG)</figcaption></figure>`
        : html`<figure class="chart" role="img" aria-label="${alt}">${safe}</figure>`
    }
  })
