/**
 * The tables of the evaluation report, as escaped HTML fragments.
 *
 * Holds: number formatting, operating-point names, the summary table (ROC-AUC with interval,
 * PR-AUC, Brier, recall and FPR at the thresholds fixed on the training data), confusion
 * matrices at every threshold, per-behaviour and per-capture breakdowns, and the model cards.
 * Every value from artefacts (dataset, model, capture and label names, config values) goes
 * through the escaping `html` template.
 * Does not hold: charts (`charts.ts`) or the page frame (`page.ts`).
 */
import { html, type Html } from "@hashhound/core"
import type { BehaviourRow, CaptureRow, CardInput, DatasetMetrics, MetricsInput, ModelMetrics, ModelThreshold, OperatingPoint } from "./inputs.js"

export const count = (n: number): string => n.toLocaleString("en-US")

export const fixed = (value: number | null | undefined, digits = 3): string => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits))

export const percent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : value === 0 ? "0 %" : value < 0.001 ? `${(100 * value).toPrecision(2)} %` : `${(100 * value).toFixed(1)} %`

const thresholdText = (value: number | null): string => (value === null ? "–" : Math.abs(value) >= 1e-3 || value === 0 ? value.toPrecision(4) : value.toExponential(3))

const fprText = (fpr: number | undefined): string => (fpr === undefined ? "?" : String(fpr))

/** "FPR ≤ 0.001, fixed on training" and friends. */
export const pointName = (point: Pick<OperatingPoint, "basis" | "rule" | "target_fpr">): string =>
  point.rule === "best_f1"
    ? point.basis === "train"
      ? "best F1, threshold fixed on training"
      : "best F1 on this data (oracle)"
    : point.basis === "train"
      ? `FPR ≤ ${fprText(point.target_fpr)}, threshold fixed on training`
      : `FPR ≤ ${fprText(point.target_fpr)} on this data (oracle)`

/** Short column heading for a fixed threshold: "FPR 0.001" or "best F1". */
export const pointShort = (point: Pick<OperatingPoint, "rule" | "target_fpr">): string => (point.rule === "best_f1" ? "best F1" : `FPR ${fprText(point.target_fpr)}`)

/** The models of a dataset, in the metrics' model order. */
export const modelsOf = (metrics: MetricsInput, dataset: DatasetMetrics): ReadonlyArray<string> => {
  const ordered = metrics.models.map((m) => m.name)
  const present = new Set([...Object.keys(dataset.models), ...Object.keys(dataset.roc_auc)])
  return [...ordered.filter((m) => present.has(m)), ...[...present].filter((m) => !ordered.includes(m)).sort()]
}

const aucCell = (model: ModelMetrics | undefined, legacy: number | null | undefined): Html => {
  const auc = model?.roc_auc ?? legacy ?? null
  const ci = model?.roc_auc_ci ?? null
  return html`<td class="num">${fixed(auc)}${ci === null ? "" : html` <span class="muted">[${fixed(ci.lo)}, ${fixed(ci.hi)}]</span>`}</td>`
}

const fixedPoints = (model: ModelMetrics | undefined): ReadonlyArray<OperatingPoint> => (model?.operating_points ?? []).filter((p) => p.basis === "train")

/** One row per dataset and model: ranking quality and the fixed-threshold rates. */
export const summaryTable = (metrics: MetricsInput, datasets: ReadonlyArray<string>): Html => {
  const pointColumns = [...new Map(datasets.flatMap((d) => Object.values(metrics.datasets[d]?.models ?? {}).flatMap(fixedPoints)).map((p) => [p.id, p])).values()]
  const rows = datasets.flatMap((name) => {
    const dataset = metrics.datasets[name]!
    return modelsOf(metrics, dataset).map((model, index) => {
      const m = dataset.models[model]
      const byId = new Map(fixedPoints(m).map((p) => [p.id, p]))
      return html`<tr class="${index === 0 ? "group" : ""}"><td class="name">${index === 0 ? html`<b>${name}</b>${dataset.in_sample ? html`<br><span class="badge info">in-sample</span>` : ""}` : ""}</td>
<td class="name">${model}</td><td class="num">${index === 0 ? `${count(dataset.mining ?? 0)} / ${count(dataset.benign ?? 0)}` : ""}</td><td class="num">${index === 0 ? count(dataset.unknown_dropped ?? 0) : ""}</td>
${aucCell(m, dataset.roc_auc[model])}<td class="num">${fixed(m?.pr_auc)}</td><td class="num">${fixed(m?.brier, 4)}</td>
${pointColumns.map((column) => {
  const p = byId.get(column.id)
  return html`<td class="num">${p === undefined ? "–" : html`${percent(p.recall)} <span class="muted">/ ${percent(p.fpr)}</span>`}</td>`
})}</tr>`
    })
  })
  return html`<div class="scroll"><table class="summary"><thead><tr><th rowspan="2">dataset</th><th rowspan="2">model</th><th rowspan="2" class="num">mining / benign</th><th rowspan="2" class="num">unknown<br>(excluded)</th>
<th rowspan="2" class="num">ROC-AUC [95 % CI]</th><th rowspan="2" class="num">PR-AUC</th><th rowspan="2" class="num">Brier</th>${
    pointColumns.length === 0 ? "" : html`<th colspan="${pointColumns.length}" class="center">recall / FPR at the thresholds fixed on training</th>`
  }</tr>
${pointColumns.length === 0 ? "" : html`<tr>${pointColumns.map((p) => html`<th class="num">${p.rule === "best_f1" ? "best F1" : `FPR ≤ ${fprText(p.target_fpr)}`}</th>`)}</tr>`}</thead>
<tbody>${rows}</tbody></table></div>`
}

/** Confusion matrices of one dataset and model: one row per threshold. */
export const confusionTable = (model: string, m: ModelMetrics): Html =>
  m.operating_points.length === 0
    ? html``
    : html`<h3>${model}</h3><div class="scroll"><table class="confusion"><thead>
<tr><th rowspan="2">threshold rule</th><th rowspan="2" class="num">score ≥</th><th colspan="2" class="center">flagged as mining</th><th colspan="2" class="center">not flagged</th><th rowspan="2" class="num">precision</th><th rowspan="2" class="num">recall</th><th rowspan="2" class="num">F1</th><th rowspan="2" class="num">FPR</th></tr>
<tr><th class="num">mining (TP)</th><th class="num">benign (FP)</th><th class="num">mining (FN)</th><th class="num">benign (TN)</th></tr></thead>
<tbody>${m.operating_points.map(
        (p) => html`<tr class="${p.basis === "test" ? "oracle" : ""}"><td>${pointName(p)}</td><td class="num">${thresholdText(p.threshold)}</td>
<td class="num tp">${count(p.tp)}</td><td class="num fp">${count(p.fp)}</td><td class="num fn">${count(p.fn)}</td><td class="num">${count(p.tn)}</td>
<td class="num">${percent(p.precision)}</td><td class="num">${percent(p.recall)}</td><td class="num">${fixed(p.f1)}</td><td class="num">${percent(p.fpr)}</td></tr>`
      )}</tbody></table></div>`

/** Per model, its fixed-threshold points in order: the columns of the breakdown tables. */
interface ModelColumn {
  readonly model: string
  readonly points: ReadonlyArray<OperatingPoint>
}

const modelColumnsOf = (metrics: MetricsInput, dataset: DatasetMetrics): ReadonlyArray<ModelColumn> =>
  modelsOf(metrics, dataset)
    .map((model) => ({ model, points: fixedPoints(dataset.models[model]) }))
    .filter((column) => column.points.length > 0)

const columnHeads = (columns: ReadonlyArray<ModelColumn>): Html => html`${columns.map((c) => html`<th class="num">${c.model}</th>`)}`

/** The order of the values in each cell, said once above the table. */
const cellLegend = (columns: ReadonlyArray<ModelColumn>): Html => {
  const orders = [...new Set(columns.map((c) => c.points.map(pointShort).join(" · ")))]
  return html`<p class="muted">Each cell: % flagged at the thresholds fixed on training, ${orders.join("; ")}.</p>`
}

const shareText = (n: number | undefined, whole: number): string => {
  if (n === undefined) return "–"
  const value = (100 * n) / whole
  return value === 0 || value === 100 ? String(value) : value < 0.1 ? value.toPrecision(2) : value.toFixed(1)
}

/** "100 · 83.3 · 90.9 %": the percentage flagged at each point, in the column's point order. */
const shares = (points: ReadonlyArray<OperatingPoint>, flagged: Readonly<Record<string, number>> | undefined, whole: number): Html =>
  whole === 0 || flagged === undefined
    ? html`<span class="muted">–</span>`
    : html`${points.map((p, i) => html`${i === 0 ? "" : html`<span class="muted"> · </span>`}${shareText(flagged[p.id], whole)}`)} %`

const aucNote = (auc: number | null | undefined): Html => (auc === null || auc === undefined ? html`` : html`<br><span class="muted">AUC ${fixed(auc)}</span>`)

const otherNote = (other: { readonly groups: number; readonly flows: number } | undefined, what: string): Html =>
  other === undefined || other.groups === 0 ? html`` : html`<p class="muted">${count(other.groups)} more ${what} (${count(other.flows)} flows) not listed.</p>`

/**
 * Recall per mining behaviour and FPR per benign behaviour (label_raw groups), at every
 * threshold fixed on the training data, per model.
 */
export const behaviourTable = (metrics: MetricsInput, dataset: DatasetMetrics, maxRows: number): Html => {
  const columns = modelColumnsOf(metrics, dataset)
  const first = modelsOf(metrics, dataset).map((m) => dataset.models[m]).find((m) => m !== undefined && m.behaviours.length > 0)
  if (first === undefined || columns.length === 0) return html`<p class="muted">No behaviour labels (label_raw) in this dataset.</p>`
  const byModel = new Map<string, Map<string, BehaviourRow>>()
  for (const model of modelsOf(metrics, dataset)) {
    const rows = new Map<string, BehaviourRow>()
    for (const row of dataset.models[model]?.behaviours ?? []) rows.set(`${row.label}\u0000${row.value ?? ""}`, row)
    byModel.set(model, rows)
  }
  const shown = first.behaviours.slice(0, maxRows)
  return html`${cellLegend(columns)}<div class="scroll"><table class="breakdown"><thead><tr><th>behaviour (label_raw)</th><th>label</th><th class="num">flows</th>${columnHeads(columns)}</tr></thead><tbody>
${shown.map((row) => {
  const key = `${row.label}\u0000${row.value ?? ""}`
  return html`<tr class="${row.label}"><td class="name">${row.value ?? html`<span class="muted">(none)</span>`}</td><td>${row.label}</td><td class="num">${count(row.flows)}</td>
${columns.map((c) => {
  const own = byModel.get(c.model)?.get(key)
  return html`<td class="num">${shares(c.points, own?.flagged, row.flows)}${aucNote(own?.roc_auc)}</td>`
})}</tr>`
})}</tbody></table></div>
<p class="muted">Mining rows: recall of that behaviour; benign rows: its false-positive rate. AUC: the behaviour's flows against every flow of the other class.</p>
${first.behaviours.length > shown.length ? html`<p class="muted">${count(first.behaviours.length - shown.length)} more behaviours not shown (max_table_rows ${maxRows}).</p>` : ""}
${otherNote(first.behaviours_other, "behaviours")}`
}

/** Per capture: label counts, and recall / FPR at every fixed threshold per model. */
export const captureTable = (metrics: MetricsInput, dataset: DatasetMetrics, maxRows: number): Html => {
  const columns = modelColumnsOf(metrics, dataset)
  const first = modelsOf(metrics, dataset).map((m) => dataset.models[m]).find((m) => m !== undefined && m.captures.length > 0)
  if (first === undefined || columns.length === 0) return html``
  const byModel = new Map<string, Map<string, CaptureRow>>()
  for (const model of modelsOf(metrics, dataset)) byModel.set(model, new Map((dataset.models[model]?.captures ?? []).map((row) => [row.capture ?? "", row])))
  const shown = first.captures.slice(0, maxRows)
  return html`${cellLegend(columns)}<div class="scroll"><table class="breakdown"><thead><tr><th>capture</th><th class="num">mining</th><th class="num">benign</th><th class="num">unknown</th>${columnHeads(columns)}</tr></thead><tbody>
${shown.map(
  (row) => html`<tr><td class="name">${row.capture ?? html`<span class="muted">(none)</span>`}</td><td class="num">${count(row.mining)}</td><td class="num">${count(row.benign)}</td><td class="num">${count(row.unknown)}</td>
${columns.map((c) => {
  const r = byModel.get(c.model)?.get(row.capture ?? "")
  if (r === undefined) return html`<td class="num">–</td>`
  return html`<td class="num">${r.mining === 0 ? "" : html`<span class="muted">recall</span> ${shares(c.points, r.flagged_mining, r.mining)}${aucNote(r.roc_auc_mining)}`}${r.mining > 0 && r.benign > 0 ? html`<br>` : ""}${
    r.benign === 0 ? "" : html`<span class="muted">FPR</span> ${shares(c.points, r.flagged_benign, r.benign)}`
  }</td>`
})}</tr>`
)}</tbody></table></div>
<p class="muted">Recall among the capture's mining flows (AUC: those flows against every benign flow of the dataset); false-positive rate among its benign flows.</p>
${first.captures.length > shown.length ? html`<p class="muted">${count(first.captures.length - shown.length)} more captures not shown (max_table_rows ${maxRows}).</p>` : ""}
${otherNote(first.captures_other, "captures")}`
}

const jsonText = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** Target FPRs finer than one benign training flow can measure. */
const resolutionNote = (thresholds: ReadonlyArray<ModelThreshold>): Html => {
  const resolution = thresholds.find((t) => t.fpr_resolution !== undefined && t.fpr_resolution !== null)?.fpr_resolution
  if (resolution === undefined || resolution === null) return html``
  const below = thresholds.filter((t) => t.rule === "target_fpr" && t.target_fpr !== undefined && t.target_fpr < resolution)
  return below.length === 0
    ? html``
    : html`<p class="muted">One benign training flow is ${percent(resolution)} FPR: the threshold${below.length === 1 ? "" : "s"} for ${below.map((t) => `FPR ≤ ${fprText(t.target_fpr)}`).join(", ")} ${below.length === 1 ? "is" : "are"} only "no training false positive", not a measured rate.</p>`
}

/** "5 folds grouped by conversation" */
const foldText = (plan: { readonly folds: number; readonly grouping: string }): string => `${plan.folds} folds grouped by ${plan.grouping}`

const resultsTable = (card: CardInput): Html => {
  const training = card.metrics?.training
  const outOfFold = card.metrics?.out_of_fold
  const datasets = Object.entries(card.metrics?.datasets ?? {})
  if (training === undefined && datasets.length === 0) return html``
  return html`<h4>Results</h4><table><thead><tr><th>data</th><th class="num">ROC-AUC [95 % CI]</th><th class="num">PR-AUC</th></tr></thead><tbody>
${training === undefined ? "" : html`<tr><td>training rows <span class="muted">(in-sample)</span></td><td class="num">${fixed(training.roc_auc)}</td><td class="num">${fixed(training.pr_auc)}</td></tr>`}
${outOfFold === undefined ? "" : html`<tr><td>training rows <span class="muted">(out-of-fold: ${foldText(outOfFold)})</span></td><td class="num">${fixed(outOfFold.roc_auc)}</td><td class="num">${fixed(outOfFold.pr_auc ?? null)}</td></tr>`}
${datasets.map(
  ([name, m]) => html`<tr><td>${name}${m.in_sample === true ? html` <span class="muted">(in-sample)</span>` : ""}</td><td class="num">${fixed(m.roc_auc)}${
    m.roc_auc_ci === undefined || m.roc_auc_ci === null ? "" : html` <span class="muted">[${fixed(m.roc_auc_ci.lo)}, ${fixed(m.roc_auc_ci.hi)}]</span>`
  }</td><td class="num">${fixed(m.pr_auc)}</td></tr>`
)}</tbody></table>`
}

/** One model card: what it was trained on and how, its thresholds and feature set. */
export const cardSection = (card: CardInput): Html => {
  const thresholds = card.thresholds?.values ?? []
  return html`<div class="model-card"><h3>${card.name} <span class="muted">${card.type}${card.version === undefined ? "" : ` ${card.version}`}</span></h3>
<div class="columns">
<div><h4>Parameters</h4><table class="kv"><tbody>${Object.entries(card.params).map(([key, value]) => html`<tr><th>${key}</th><td class="wrap">${jsonText(value)}</td></tr>`)}</tbody></table></div>
<div><h4>Training data</h4><table><thead><tr><th>dataset</th><th class="num">flows</th><th class="num">mining</th><th class="num">benign</th><th class="num">unknown</th><th class="num">duplicates</th></tr></thead><tbody>
${card.training.map((t) => html`<tr><td class="wrap">${t.dataset}</td><td class="num">${count(t.rows ?? 0)}</td><td class="num">${count(t.mining ?? 0)}</td><td class="num">${count(t.benign ?? 0)}</td><td class="num">${count(t.unknown_dropped ?? 0)}</td><td class="num">${count(t.duplicates_dropped ?? 0)}</td></tr>`)}</tbody></table>
${thresholds.length === 0 ? "" : html`<h4>Thresholds ${card.thresholds?.basis === undefined ? "" : html`<span class="muted">(from ${card.thresholds.basis} training scores${
  card.thresholds.out_of_fold === undefined ? "" : html`: ${foldText(card.thresholds.out_of_fold)}`
}${card.thresholds.in_sample_reason === undefined ? "" : html`; no folds: ${card.thresholds.in_sample_reason}`})</span>`}</h4>
<table><thead><tr><th>rule</th><th class="num">score ≥</th><th class="num">training recall</th><th class="num">training FPR</th></tr></thead><tbody>
${thresholds.map((t) => html`<tr><td>${t.rule === "best_f1" ? "best F1" : `FPR ≤ ${fprText(t.target_fpr)}`}${card.thresholds?.default === t.id ? html` <span class="badge pass">default</span>` : ""}</td><td class="num">${thresholdText(t.threshold)}</td><td class="num">${percent(t.train?.recall)}</td><td class="num">${percent(t.train?.fpr)}</td></tr>`)}</tbody></table>
${resolutionNote(thresholds)}`}
${resultsTable(card)}
</div>
<div><h4>Feature groups</h4><ul class="compact">${card.feature_groups.map((g) => html`<li><b>${g.type}</b>${g.raw === undefined || jsonText(g.raw) === "{}" ? "" : html` <code>${jsonText(g.raw)}</code>`}</li>`)}</ul>
<p class="muted">${count(card.features.length)} features${card.flow_columns.length === 0 ? "" : html`; reads flow columns: ${card.flow_columns.join(", ")}`}</p></div>
</div></div>`
}
