/**
 * A vega-lite scatter-plot matrix of chosen features, coloured by label: a pure function from
 * rows to a vega-lite v5 spec that `renderChart` draws to SVG.
 *
 * Holds: `scatterMatrixSpec(rows, options)`. The matrix is the lower triangle: cell (i, j) with
 * i > j plots feature j (x) against feature i (y); the diagonal holds each feature's histogram,
 * stacked by label. Every cell of a column shares that feature's x domain, every cell of a row
 * its y domain (computed here from the data), axis titles sit on the left column and the bottom
 * row. Data fields are named `f0`, `f1`, … and `label`, so a feature name (which can be any
 * string) never reaches vega-lite as a field path; names appear only as axis titles. Rows are
 * plain objects (feature values + the label field); non-finite values become null so the JSON
 * is valid and the cell drops them; rows beyond `max_rows` are thinned deterministically (every
 * k-th row, order kept, so points are drawn in the rows' order); the colour scale has a fixed
 * domain for hashhound's labels (mining, benign, unknown, then any other label) with the report's
 * label colours (unknown a darker grey). A feature listed in `log_features` (bytes, rates) is plotted as log10, computed
 * here (values ≤ 0 become null).
 * Also `mergeSquarePoints`, which shrinks the SVG vega draws from this spec.
 * Does not hold: rendering (`charts.ts`), choosing the features or reading artefacts
 * (`features-section.ts`).
 */
import type { TopLevelSpec } from "vega-lite"
import { CHART_CONFIG, LABEL_COLORS } from "./charts.js"

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
  /** axis title per feature (default: the name, with "log10 " before it for log features) */
  readonly titles?: Readonly<Record<string, string>>
  readonly title?: string
  /** side of one cell in pixels; default 140 */
  readonly cell_px?: number
}

const LABEL_DOMAIN = ["mining", "benign", "unknown"]
const UNKNOWN_POINTS = "#9aa0a6"

const cleanValue = (value: unknown): number | null => {
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "boolean") return value ? 1 : 0
  return null
}

/** Every k-th row so that at most `max` remain (deterministic, keeps the order). */
const thin = <A>(rows: ReadonlyArray<A>, max: number): ReadonlyArray<A> => {
  if (rows.length <= max) return rows
  const step = rows.length / max
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]!)
}

/** [min, max] of the non-null values, widened when they are all equal; undefined when there are none. */
const extentOf = (values: ReadonlyArray<number | null>): readonly [number, number] | undefined => {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const value of values) {
    if (value === null) continue
    if (value < lo) lo = value
    if (value > hi) hi = value
  }
  if (lo > hi) return undefined
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1
    return [lo - pad, hi + pad]
  }
  return [lo, hi]
}

/** The vega-lite spec: a lower-triangle grid of point cells with histograms on the diagonal, coloured by label. */
export const scatterMatrixSpec = (rows: ReadonlyArray<ScatterRow>, options: ScatterMatrixOptions): TopLevelSpec => {
  const labelField = options.label_field ?? "label"
  const logs = new Set(options.log_features ?? [])
  const kept = thin(rows, Math.max(1, options.max_rows ?? 5000))
  const features = options.features
  const fields = features.map((_, index) => `f${index}`)
  const columns = features.map((feature) =>
    kept.map((row) => {
      const value = cleanValue(row[feature])
      return !logs.has(feature) ? value : value !== null && value > 0 ? Math.log10(value) : null
    })
  )
  const values = kept.map((row, at) => {
    const out: Record<string, number | string | null> = {}
    fields.forEach((field, index) => {
      out[field] = columns[index]![at]!
    })
    const label = row[labelField]
    out["label"] = typeof label === "string" && label !== "" ? label : "unknown"
    return out
  })
  const labels = [...new Set(values.map((value) => String(value["label"])))]
  const domain = [...LABEL_DOMAIN, ...labels.filter((label) => !LABEL_DOMAIN.includes(label)).sort()]
  // unknown a shade darker than in the label bars: light grey points vanish on white
  const range = domain.map((label) => (label === "unknown" ? UNKNOWN_POINTS : label === "mining" || label === "benign" ? LABEL_COLORS[label] : LABEL_COLORS.other))
  const extents = columns.map(extentOf)
  const titleOf = (index: number): string => {
    const feature = features[index]!
    return options.titles?.[feature] ?? (logs.has(feature) ? `log10 ${feature}` : feature)
  }
  const size = options.cell_px ?? 140
  const color = { field: "label", type: "nominal" as const, title: "label", scale: { domain, range } }
  const positional = (index: number, title: string | null) => {
    const extent = extents[index]
    return {
      field: fields[index]!,
      type: "quantitative" as const,
      title,
      scale: extent === undefined ? { zero: false } : { domain: [extent[0], extent[1]], zero: false, nice: false },
      // SI prefixes for large magnitudes only: "~s" would write 0.5 as "500m"
      axis: { tickCount: 4, format: extent !== undefined && Math.max(Math.abs(extent[0]), Math.abs(extent[1])) >= 10_000 ? "~s" : ",~r", labelFlush: true }
    }
  }
  const last = features.length - 1
  const cell = (row: number, column: number) =>
    row === column
      ? {
          width: size,
          height: size,
          title: { text: titleOf(row), fontSize: 11, fontWeight: 500 as const },
          transform: [{ filter: { field: fields[row]!, valid: true } }],
          mark: { type: "bar" as const, binSpacing: 0, aria: false },
          encoding: {
            x: { ...positional(row, row === last ? titleOf(row) : null), bin: { maxbins: 20, ...(extents[row] === undefined ? {} : { extent: [extents[row]![0], extents[row]![1]] }) } },
            y: { aggregate: "count" as const, type: "quantitative" as const, stack: "zero" as const, title: column === 0 ? "flows" : null, axis: { tickCount: 3, format: ",~r" } },
            color
          }
        }
      : {
          width: size,
          height: size,
          mark: { type: "point" as const, filled: true, size: 9, opacity: 0.55, shape: "square", aria: false },
          encoding: {
            x: positional(column, row === last ? titleOf(column) : null),
            y: positional(row, column === 0 ? titleOf(row) : null),
            color
          }
        }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    description: `Scatter matrix of ${features.join(", ")} coloured by ${labelField} (${values.length} of ${rows.length} rows)`,
    data: { values },
    vconcat: features.map((_, row) => ({ hconcat: features.slice(0, row + 1).map((_, column) => cell(row, column)) })),
    resolve: { scale: { color: "shared" }, legend: { color: "shared" } },
    spacing: 8,
    config: CHART_CONFIG
  }
}

const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:e-?\d+)?`
/** One filled square point as vega's SVG renderer writes it for this spec's marks. */
const POINT = new RegExp(String.raw`<path transform="translate\((${NUMBER}),(${NUMBER})\)" d="M-1\.5,-1\.5h3v3h-3Z" fill="(#[0-9a-fA-F]{6})" stroke-width="2" opacity="([\d.]+)"/>`, "g")
const POINT_RUN = new RegExp(`(?:${POINT.source})+`, "g")

const tenth = (value: number): string => String(Math.round(value * 10) / 10)

/**
 * The SVG with each run of consecutive square points of one colour merged into one `<path>` of
 * `M x,y h3v3h-3Z` pieces (coordinates to 0.1 px): a fifth of the bytes, the same picture except
 * that overlapping points of one colour no longer darken each other. Runs keep their order, so
 * colours drawn later stay on top. SVG that does not hold such points is returned as it is.
 */
export const mergeSquarePoints = (svg: string): string =>
  svg.replace(POINT_RUN, (run) => {
    const pieces: Array<string> = []
    let fill = ""
    let opacity = ""
    let d = ""
    const flush = () => {
      if (d !== "") pieces.push(`<path d="${d}" fill="${fill}" opacity="${opacity}"/>`)
      d = ""
    }
    for (const match of run.matchAll(POINT)) {
      if (match[3] !== fill || match[4] !== opacity) {
        flush()
        fill = match[3]!
        opacity = match[4]!
      }
      d += `M${tenth(Number(match[1]) - 1.5)},${tenth(Number(match[2]) - 1.5)}h3v3h-3Z`
    }
    flush()
    return pieces.join("")
  })
