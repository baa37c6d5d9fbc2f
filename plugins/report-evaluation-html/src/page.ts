/**
 * The evaluation report page: one self-contained HTML file (inline CSS and SVG, no script, no
 * external URL, a Content-Security-Policy that forbids both).
 *
 * Holds: `renderPage` (inputs → HTML text): the header (train and test datasets, target FPRs,
 * where the fixed thresholds come from), the summary table, the ROC-AUC bar chart, per dataset
 * the ROC, precision-recall and calibration charts, confusion matrices at every threshold and the
 * per-behaviour and per-capture breakdowns, feature importance per model, the model cards and
 * notes about unreadable artefacts.
 * Does not hold: reading artefacts (`inputs.ts`), chart specs (`charts.ts`), tables (`sections.ts`).
 */
import { Effect } from "effect"
import { aucSpec, calibrationSpec, importanceSpec, prSpec, renderChart, rocSpec, type AucBar, type CurveSeries, type ImportanceBar } from "./charts.js"
import { html, raw, safeSvg, type Html } from "@hashhound/core"
import type { CardInput, EvaluationInputs, MetricsInput } from "./inputs.js"
import { behaviourTable, captureTable, cardSection, confusionTable, count, modelsOf, summaryTable } from "./sections.js"
import { CSS } from "./style.js"

export interface PageOptions {
  readonly title: string
  readonly maxTableRows: number
  readonly topFeatures: number
}

/** A chart as inline SVG, or a caption when it cannot be drawn or its SVG is not safe. */
const chart = (spec: Parameters<typeof renderChart>[0], alt: string): Effect.Effect<Html> =>
  Effect.match(renderChart(spec), {
    onFailure: (error) => html`<figure class="chart missing"><figcaption>${alt}: ${error.reason}</figcaption></figure>`,
    onSuccess: (svg) => {
      const safe = safeSvg(svg)
      return safe === undefined
        ? html`<figure class="chart missing"><figcaption>${alt}: chart refused (unsafe SVG)</figcaption></figure>`
        : html`<figure class="chart" role="img" aria-label="${alt}">${safe}</figure>`
    }
  })

/** Datasets in report order: held-out test datasets first, then in-sample ones. */
const datasetOrder = (metrics: MetricsInput): ReadonlyArray<string> => {
  const names = Object.keys(metrics.datasets)
  const inSample = (name: string) => metrics.datasets[name]!.in_sample
  return [...names.filter((n) => !inSample(n)), ...names.filter(inSample)]
}

const allModels = (metrics: MetricsInput, datasets: ReadonlyArray<string>, cards: ReadonlyArray<CardInput>): ReadonlyArray<string> => {
  const names = [...metrics.models.map((m) => m.name)]
  for (const d of datasets) for (const m of modelsOf(metrics, metrics.datasets[d]!)) if (!names.includes(m)) names.push(m)
  for (const card of cards) if (!names.includes(card.name)) names.push(card.name)
  return names
}

const datasetSection = (metrics: MetricsInput, inputs: EvaluationInputs, name: string, models: ReadonlyArray<string>, options: PageOptions): Effect.Effect<Html> =>
  Effect.gen(function* () {
    const dataset = metrics.datasets[name]!
    const present = modelsOf(metrics, dataset)
    const curves = inputs.curves?.datasets[name] ?? {}
    const roc: Array<CurveSeries> = []
    const pr: Array<CurveSeries> = []
    for (const model of present) {
      const c = curves[model]
      if (c?.roc !== undefined) roc.push({ model, x: c.roc.fpr, y: c.roc.tpr })
      if (c?.pr !== undefined) pr.push({ model, x: c.pr.recall, y: c.pr.precision })
    }
    const prevalence = present.map((m) => dataset.models[m]?.prevalence).find((p) => p !== null && p !== undefined) ?? null
    const labelled = `${count(dataset.mining ?? 0)} mining, ${count(dataset.benign ?? 0)} benign`
    const calibration = present.flatMap((model) =>
      (dataset.models[model]?.calibration ?? []).flatMap((bin) =>
        bin.count > 0 && bin.mean_score !== null && bin.positive_rate !== null ? [{ model, mean_score: bin.mean_score, positive_rate: bin.positive_rate, count: bin.count }] : []
      )
    )
    const charts: Array<Html> = []
    if (roc.length > 0) charts.push(yield* chart(rocSpec(name, roc, models, labelled, dataset.benign ?? 0), `ROC curves of ${name}`))
    if (pr.length > 0) charts.push(yield* chart(prSpec(name, pr, models, prevalence, prevalence === null ? labelled : `dashed: prevalence ${(100 * prevalence).toFixed(2)} %`), `precision-recall curves of ${name}`))
    if (calibration.length > 0) charts.push(yield* chart(calibrationSpec(name, calibration, models), `calibration of ${name}`))
    const brier = present.map((m) => ({ m, b: dataset.models[m]?.brier ?? null })).filter((x) => x.b !== null)
    return html`<section class="dataset" id="dataset-${name.replace(/[^A-Za-z0-9_-]/g, "_")}"><h2>${name} ${dataset.in_sample ? html`<span class="badge info">in-sample: training data</span>` : html`<span class="badge pass">held out</span>`}</h2>
<p>${labelled}${dataset.unknown_dropped ? html`; ${count(dataset.unknown_dropped)} flows labelled unknown are excluded from every metric` : ""}${
      dataset.duplicates_dropped ? html`; ${count(dataset.duplicates_dropped)} duplicate flows (the same flow seen in another capture or batch) are excluded too` : ""
    }.${
      dataset.in_sample ? html` <b>Scored with the models trained on it</b>: these figures show fit, not transfer.` : ""
    }</p>
${charts.length === 0 ? html`<p class="muted">No curves for this dataset (evaluation/curves.json absent or without it).</p>` : html`<div class="charts">${charts}</div>`}
${brier.length === 0 ? "" : html`<p class="muted">Brier score (mean squared error of the score as a probability): ${brier.map((x, i) => html`${i === 0 ? "" : ", "}${x.m} ${x.b!.toFixed(4)}`)}.</p>`}
<h3 class="sub">Confusion matrices</h3>
${present.map((model) => {
  const m = dataset.models[model]
  return m === undefined ? html`` : confusionTable(model, m)
})}
<h3 class="sub">Per behaviour</h3>
${behaviourTable(metrics, dataset, options.maxTableRows)}
<h3 class="sub">Per capture</h3>
${captureTable(metrics, dataset, options.maxTableRows)}
</section>`
  })

const importanceCharts = (card: CardInput, models: ReadonlyArray<string>, options: PageOptions): Effect.Effect<ReadonlyArray<Html>> => {
  const color = ["#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#12b5cb", "#b06000", "#5f6368"][Math.max(0, models.indexOf(card.name)) % 8]!
  const specs: Array<Effect.Effect<Html>> = []
  const permutation = card.importance?.permutation
  if (permutation !== undefined) {
    const bars: Array<ImportanceBar> = Object.entries(permutation.values)
      .map(([feature, v]) => ({ feature, value: v.mean, std: v.std }))
      .sort((a, b) => b.value - a.value)
      .slice(0, options.topFeatures)
    const subtitle = `training ROC-AUC drop when shuffled${permutation.rows === undefined ? "" : ` (${count(permutation.rows)} rows${permutation.repeats === undefined ? "" : ` × ${permutation.repeats}`})`}`
    specs.push(chart(importanceSpec(`Permutation importance: ${card.name}`, subtitle, bars, color), `permutation importance of ${card.name}`))
  }
  const gain = card.importance?.gain
  if (gain !== undefined && Object.keys(gain).length > 0) {
    const bars = Object.entries(gain)
      .map(([feature, value]) => ({ feature, value, std: null }))
      .sort((a, b) => b.value - a.value)
      .slice(0, options.topFeatures)
    specs.push(chart(importanceSpec(`Gain importance: ${card.name}`, "the model's own importance", bars, color), `gain importance of ${card.name}`))
  }
  return Effect.all(specs, { concurrency: 1 })
}

/** The whole page. */
export const renderPage = (inputs: EvaluationInputs, options: PageOptions): Effect.Effect<string> =>
  Effect.gen(function* () {
    const metrics = inputs.metrics
    const datasets = metrics === undefined ? [] : datasetOrder(metrics)
    const models = metrics === undefined ? inputs.cards.map((c) => c.name) : allModels(metrics, datasets, inputs.cards)
    const bars: Array<AucBar> = []
    if (metrics !== undefined) {
      for (const name of datasets) {
        const dataset = metrics.datasets[name]!
        for (const model of modelsOf(metrics, dataset)) {
          const m = dataset.models[model]
          const auc = m?.roc_auc ?? dataset.roc_auc[model] ?? null
          if (auc !== null) bars.push({ dataset: dataset.in_sample ? `${name} *` : name, model, auc, lo: m?.roc_auc_ci?.lo ?? null, hi: m?.roc_auc_ci?.hi ?? null })
        }
      }
    }
    const barDatasets = datasets.map((d) => (metrics?.datasets[d]?.in_sample ? `${d} *` : d))
    const aucChart = bars.length === 0 ? html`` : yield* chart(aucSpec(bars, barDatasets, models), "ROC-AUC per dataset and model")
    const sections = metrics === undefined ? [] : yield* Effect.forEach(datasets, (name) => datasetSection(metrics, inputs, name, models, options), { concurrency: 1 })
    const importance = yield* Effect.forEach(inputs.cards, (card) => importanceCharts(card, models, options), { concurrency: 1 })
    const basis = [...new Set((metrics?.models ?? []).map((m) => m.threshold_basis).filter((b): b is string => b !== undefined))]
    const train = metrics?.train_datasets ?? []
    const tests = datasets.filter((d) => !metrics?.datasets[d]?.in_sample)
    const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<style>${raw(CSS)}</style></head>
<body><main>
<header><h1>${options.title}</h1>
<p class="lead">${train.length === 0 ? "" : html`Trained on <b>${train.join(", ")}</b>; `}${tests.length === 0 ? "no held-out dataset" : html`tested on <b>${tests.join(", ")}</b>`}${
      metrics === undefined || metrics.target_fpr.length === 0 ? "" : html`; target false-positive rates ${metrics.target_fpr.join(", ")}`
    }.</p>
<p class="muted">Fixed thresholds are chosen on the training data${basis.length === 0 ? "" : html` (${basis.join(", ")} training scores)`} and applied unchanged to every other dataset; the "oracle" rows choose the threshold on the evaluated data itself and are there for reference only. Flows labelled unknown, and flows marked as duplicates of another flow, are excluded from every metric.${
      (metrics?.skipped_datasets.length ?? 0) > 0 ? html` Not scored (QC failed): ${metrics!.skipped_datasets.join(", ")}.` : ""
    }</p></header>
${metrics === undefined ? html`<section><p class="muted">No evaluation metrics in this run (evaluation/metrics.json is absent): the pipeline has no models or no <code>evaluation:</code> section.</p></section>` : html`<section id="summary"><h2>Summary</h2>${summaryTable(metrics, datasets)}<div class="charts">${aucChart}</div></section>`}
${sections}
${inputs.cards.length === 0 ? "" : html`<section id="importance"><h2>Feature importance</h2>${importance.map((charts) => html`<div class="charts">${charts}</div>`)}</section>
<section id="cards"><h2>Model cards</h2>${inputs.cards.map(cardSection)}</section>`}
${inputs.notes.length === 0 ? "" : html`<section id="notes"><h2>Artefacts not used</h2><ul>${inputs.notes.map((note) => html`<li>${note}</li>`)}</ul></section>`}
<footer class="muted">Made by report.evaluation-html from evaluation/metrics.json, evaluation/curves.json and models/*/card.json. Works offline: no scripts, no external resources.</footer>
</main></body></html>
`
    return page.text
  })
