/**
 * A vega-lite scatter-plot matrix of chosen features, coloured by label: a pure function from
 * rows to a vega-lite v5 JSON spec (for the QC / feature report to render).
 *
 * Holds: `scatterMatrixSpec(rows, options)`. Rows are plain objects (feature values + the label
 * field); non-finite values become null so the JSON is valid and vega-lite drops them from the
 * plot; rows beyond `max_rows` are thinned deterministically (every k-th row) so the inlined
 * data stays small; the colour scale has a fixed domain for hashhound's labels (mining, benign,
 * unknown) so the colours mean the same in every report. A feature listed in `log_features`
 * (bytes, rates) is plotted as `log10(<feature>)`, computed here (values ≤ 0 become null), since
 * a repeated chart shares one scale type across its cells.
 * Does not hold: rendering (vega), choosing the features, or reading feature Parquet files.
 */

export type ScatterRow = Readonly<Record<string, unknown>>

export interface ScatterMatrixOptions {
  /** the features to plot against each other (2–8 keep it readable) */
  readonly features: ReadonlyArray<string>
  /** the field holding the label; default `label` */
  readonly label_field?: string
  /** at most this many rows are inlined; default 5000 */
  readonly max_rows?: number
  /** features plotted as log10 (values ≤ 0 are left out) */
  readonly log_features?: ReadonlyArray<string>
  readonly title?: string
  /** side of one cell in pixels; default 140 */
  readonly cell_px?: number
}

export type VegaLiteSpec = Readonly<Record<string, unknown>>

const LABEL_DOMAIN = ["mining", "benign", "unknown"]
const LABEL_COLOURS = ["#d62728", "#1f77b4", "#9a9a9a"]

const cleanValue = (value: unknown): number | string | null => {
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "boolean") return value ? 1 : 0
  if (typeof value === "string") return value
  return null
}

/** Every k-th row so that at most `max` remain (deterministic, keeps the order). */
const thin = <A>(rows: ReadonlyArray<A>, max: number): ReadonlyArray<A> => {
  if (rows.length <= max) return rows
  const step = rows.length / max
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]!)
}

/** The vega-lite spec: a `repeat` of row × column features over point marks coloured by label. */
export const scatterMatrixSpec = (rows: ReadonlyArray<ScatterRow>, options: ScatterMatrixOptions): VegaLiteSpec => {
  const labelField = options.label_field ?? "label"
  const logs = new Set(options.log_features ?? [])
  const kept = thin(rows, Math.max(1, options.max_rows ?? 5000))
  const fields = options.features.map((feature) => (logs.has(feature) ? `log10(${feature})` : feature))
  const values = kept.map((row) => {
    const out: Record<string, number | string | null> = {}
    options.features.forEach((feature, i) => {
      const value = cleanValue(row[feature])
      out[fields[i]!] = !logs.has(feature) ? value : typeof value === "number" && value > 0 ? Math.log10(value) : null
    })
    const label = row[labelField]
    out[labelField] = typeof label === "string" && label !== "" ? label : "unknown"
    return out
  })
  const labels = [...new Set(values.map((value) => String(value[labelField])))]
  const domain = [...LABEL_DOMAIN, ...labels.filter((label) => !LABEL_DOMAIN.includes(label)).sort()]
  const axis = (channel: "row" | "column") => ({
    field: { repeat: channel },
    type: "quantitative",
    scale: { zero: false }
  })
  const size = options.cell_px ?? 140
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    description: `Scatter matrix of ${options.features.join(", ")} coloured by ${labelField} (${values.length} of ${rows.length} rows)`,
    data: { values },
    repeat: { row: fields, column: fields },
    spec: {
      width: size,
      height: size,
      mark: { type: "point", filled: true, size: 12, opacity: 0.5 },
      encoding: {
        x: axis("column"),
        y: axis("row"),
        color: {
          field: labelField,
          type: "nominal",
          scale: { domain, range: [...LABEL_COLOURS, ...domain.slice(LABEL_COLOURS.length).map(() => "#8c564b")] },
          legend: { title: labelField }
        },
        tooltip: [{ field: labelField, type: "nominal" }, ...fields.map((field) => ({ field, type: "quantitative" }))]
      }
    }
  }
}
