/**
 * The "Features" section of a QC report page: which features each dataset of the run has, and a
 * scatter matrix of chosen features of this dataset coloured by label.
 *
 * Holds: `featuresSection`. The availability matrix has one row per feature (grouped by feature
 * group, with its unit) and one column per dataset of the run that has a `qc/features.json`
 * (this page's dataset marked); a cell is the share of the dataset's flows where the feature is
 * non-null, and names the required flow columns that make it null: a column the dataset does not
 * have ("no splt_len"), one it holds only as nulls ("splt_len empty"), or a guarded column the
 * pipeline did not allow. The scatter matrix plots `scatter_features` from this dataset's
 * `qc/feature-sample.json` (log10 axes for magnitudes spanning more than two decades); a name
 * the sample does not hold, or a feature without values in it, becomes a note in the section,
 * never a failed page. Everything from artefacts is escaped.
 * Does not hold: reading artefacts (`inputs.ts`), the spec (`scatter-matrix.ts`), drawing (`charts.ts`).
 */
import { html, type Html } from "@hashhound/core"
import { Effect } from "effect"
import { chartFigure } from "./charts.js"
import type { DatasetInputs, FeatureAvailabilityInput, FeatureSampleInput } from "./inputs.js"
import { mergeSquarePoints, scatterMatrixSpec, type ScatterRow } from "./scatter-matrix.js"

export interface FeatureOptions {
  /** features of the scatter matrix, in order */
  readonly scatterFeatures: ReadonlyArray<string>
  /** most points drawn per cell */
  readonly scatterPoints: number
}

/** A dataset's feature availability, for the matrix. */
export interface DatasetAvailability {
  readonly dataset: string
  readonly availability: FeatureAvailabilityInput
}

type FeatureEntry = FeatureAvailabilityInput["groups"][number]["features"][number]

const count = (n: number): string => n.toLocaleString("en-US")

/** A share that never rounds a partial count to 0 % or 100 %. */
export const shareText = (part: number, whole: number): string => {
  if (whole === 0) return "–"
  if (part === 0) return "0 %"
  if (part === whole) return "100 %"
  const percent = (100 * part) / whole
  return percent < 0.1 ? "< 0.1 %" : percent > 99.9 ? "> 99.9 %" : `${percent.toFixed(1)} %`
}

const shareClass = (part: number, whole: number): string =>
  whole === 0 ? "avail-none" : part === whole ? "avail-full" : part === 0 ? "avail-none" : part * 2 >= whole ? "avail-most" : "avail-some"

/** Why a feature is null in a dataset: its missing, guarded or empty columns. */
const reasons = (feature: FeatureEntry, availability: FeatureAvailabilityInput): ReadonlyArray<string> => [
  ...feature.missing_columns.map((column) => {
    const known = availability.columns[column]
    return known !== undefined && known.stored && !known.allowed ? `${column} not allowed (guarded)` : `no ${column}`
  }),
  ...feature.empty_columns.map((column) => `${column} empty`)
]

const matrixCell = (feature: FeatureEntry | undefined, availability: FeatureAvailabilityInput, current: boolean): Html => {
  if (feature === undefined) return html`<td class="num avail-absent${current ? " current" : ""}" title="not computed for this dataset">–</td>`
  const why = reasons(feature, availability)
  return html`<td class="num ${shareClass(feature.non_null, availability.flows)}${current ? " current" : ""}" title="${count(feature.non_null)} of ${count(availability.flows)} flows">${shareText(
    feature.non_null,
    availability.flows
  )}${why.map((reason) => html`<span class="lack">${reason}</span>`)}</td>`
}

interface MatrixRow {
  readonly group: string
  readonly name: string
  readonly unit: string
}

/** Feature rows in group order: this dataset's artefact first, then what other datasets add. */
const matrixRows = (columns: ReadonlyArray<DatasetAvailability>): ReadonlyArray<MatrixRow> => {
  const rows: Array<MatrixRow> = []
  const seen = new Set<string>()
  for (const { availability } of columns) {
    for (const group of availability.groups) {
      for (const feature of group.features) {
        const id = `${group.group}\u0000${feature.name}`
        if (seen.has(id)) continue
        seen.add(id)
        rows.push({ group: group.group, name: feature.name, unit: feature.unit })
      }
    }
  }
  const order = [...new Set(rows.map((row) => row.group))]
  return [...rows].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group))
}

const entryOf = (availability: FeatureAvailabilityInput, group: string, name: string): FeatureEntry | undefined =>
  availability.groups.find((candidate) => candidate.group === group)?.features.find((feature) => feature.name === name)

const availabilityMatrix = (name: string, columns: ReadonlyArray<DatasetAvailability>, without: ReadonlyArray<string>): Html => {
  const ordered = [...columns.filter((column) => column.dataset === name), ...columns.filter((column) => column.dataset !== name)]
  const rows = matrixRows(ordered)
  const groups = [...new Set(rows.map((row) => row.group))]
  const types = new Map(columns.flatMap(({ availability }) => availability.groups.map((group) => [group.group, group.type] as const)))
  const width = 2 + columns.length
  return html`<h3>Availability</h3>
<p class="muted">Share of each dataset's flows where the feature is not null. A feature is null where a flow column it needs is missing
(<span class="lack">no column</span>: the dataset has no such column; <span class="lack">column empty</span>: it is null in every flow), and wherever its definition says so.</p>
<div class="scroll"><table class="availability"><thead><tr><th>feature</th><th>unit</th>${columns.map(
    (column) => html`<th class="num${column.dataset === name ? " current" : ""}">${column.dataset}<br><span class="muted">${count(column.availability.flows)} flows</span></th>`
  )}</tr></thead>
<tbody>${groups.map(
    (group) => html`<tr class="group"><th colspan="${width}">${group}${types.get(group) !== undefined && types.get(group) !== group ? html` <span class="muted">(${types.get(group)})</span>` : ""}</th></tr>
${rows
  .filter((row) => row.group === group)
  .map(
    (row) => html`<tr><td><code>${row.name}</code></td><td>${row.unit}</td>${columns.map((column) =>
      matrixCell(entryOf(column.availability, row.group, row.name), column.availability, column.dataset === name)
    )}</tr>`
  )}`
  )}</tbody></table></div>
${without.length === 0 ? "" : html`<p class="muted">No feature artefacts (features not computed: QC failed, or no feature groups) for ${without.join(", ")}.</p>`}`
}

/** Units whose values are magnitudes a log axis suits. */
const MAGNITUDE_UNITS = new Set(["bytes", "packets", "s", "ms", "us", "µs", "bytes/s", "packets/s", "flows", "count"])

/** A magnitude feature whose sample values are non-negative and span more than two decades. */
const wantsLog = (unit: string, values: ReadonlyArray<number | null>): boolean => {
  if (!MAGNITUDE_UNITS.has(unit)) return false
  let smallest = Number.POSITIVE_INFINITY
  let largest = 0
  for (const value of values) {
    if (value === null) continue
    if (value < 0) return false
    if (value > 0 && value < smallest) smallest = value
    if (value > largest) largest = value
  }
  return Number.isFinite(smallest) && largest > 100 * smallest
}

const scatterPart = (inputs: DatasetInputs, sample: FeatureSampleInput | undefined, options: FeatureOptions): Effect.Effect<Html> => {
  if (sample === undefined) return Effect.succeed(html`<p class="muted">No feature sample (qc/feature-sample.json) for ${inputs.name}; no scatter matrix.</p>`)
  const notes: Array<Html> = []
  const available = Object.keys(sample.features)
  const requested = [...new Set(options.scatterFeatures)]
  const unknown = requested.filter((name) => !(name in sample.features))
  for (const name of unknown) {
    notes.push(html`<li>scatter_features: <code>${name}</code> is not a feature of this dataset's sample${available.length === 0 ? "" : html` (it holds ${available.join(", ")})`}.</li>`)
  }
  const empty = requested.filter((name) => name in sample.features && sample.features[name]!.every((value) => value === null))
  for (const name of empty) notes.push(html`<li><code>${name}</code> is null in every sampled flow (see the availability above); left out of the scatter matrix.</li>`)
  const plotted = requested.filter((name) => !unknown.includes(name) && !empty.includes(name))
  const units = new Map(inputs.features?.groups.flatMap((group) => group.features.map((feature) => [feature.name, feature.unit] as const)) ?? [])
  const noteList = notes.length === 0 ? html`` : html`<ul class="compact notes">${notes}</ul>`
  if (plotted.length < 2) {
    return Effect.succeed(html`${noteList}<p class="muted">A scatter matrix needs two features with values; ${plotted.length === 0 ? "none" : `only ${plotted[0]}`} of scatter_features (${requested.join(", ")}) has any.</p>`)
  }
  const logs = plotted.filter((name) => wantsLog(units.get(name) ?? "", sample.features[name]!))
  const titles = Object.fromEntries(
    plotted.map((name) => {
      const unit = units.get(name) ?? ""
      return [name, `${logs.includes(name) ? "log10 " : ""}${name}${unit === "" ? "" : ` (${unit})`}`]
    })
  )
  const rows: Array<ScatterRow> = sample.labels.map((label, row) => {
    const out: Record<string, unknown> = { label }
    for (const name of plotted) out[name] = sample.features[name]![row]
    return out
  })
  const shown = Math.min(sample.rows, options.scatterPoints)
  const perLabel = new Map<string, number>()
  for (const label of sample.labels) perLabel.set(label, (perLabel.get(label) ?? 0) + 1)
  const byLabel = [...perLabel]
  const spec = scatterMatrixSpec(rows, { features: plotted, max_rows: options.scatterPoints, log_features: logs, titles, cell_px: plotted.length > 4 ? 110 : 140 })
  return Effect.map(
    chartFigure(spec, `scatter matrix of ${plotted.join(", ")} coloured by label`, mergeSquarePoints),
    (figure) => html`<h3>Scatter matrix</h3>
<p class="muted">${count(shown)} flows drawn of a sample of ${count(sample.rows)}${sample.flows === undefined ? "" : ` (of ${count(sample.flows)} flows)`}, stratified by label so that rare labels show: ${byLabel
      .map(([label, n]) => `${count(n)} ${label}`)
      .join(", ")}. Below the diagonal each feature against each other, on the diagonal its histogram by label.${
      logs.length === 0 ? "" : ` Log axes for ${logs.join(", ")} (values ≤ 0 left out).`
    }</p>
${noteList}<div class="charts">${figure}</div>`
  )
}

/** The section, or nothing when no dataset of the run has feature artefacts. */
export const featuresSection = (
  inputs: DatasetInputs,
  run: ReadonlyArray<DatasetAvailability>,
  runDatasets: ReadonlyArray<string>,
  options: FeatureOptions
): Effect.Effect<Html> => {
  if (run.length === 0 && inputs.featureSample === undefined) return Effect.succeed(html``)
  const without = runDatasets.filter((dataset) => !run.some((column) => column.dataset === dataset))
  return Effect.map(
    scatterPart(inputs, inputs.featureSample, options),
    (scatter) => html`<section id="features"><h2>Features</h2>
${run.length === 0 ? html`<p class="muted">No feature availability (qc/features.json) in the run.</p>` : availabilityMatrix(inputs.name, run, without)}
${scatter}
</section>`
  )
}
