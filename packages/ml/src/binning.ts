/**
 * Quantile binning: every feature becomes at most `maxBins` value bins plus one missing bin.
 *
 * Holds: the bin layout (upper edges per feature, bins per feature, the missing code), edge
 * computation from the training rows (exact distinct values when there are few, quantiles of a
 * seeded sample of at most 200,000 values otherwise) and the row-major Uint8 bin matrix. Shared by
 * the histogram tree models (model.gbdt, model.random-forest).
 * Does not hold: histograms or splits (each model's own). A value `v` falls in the first bin `i`
 * with `v <= edges[i]`, so "bin <= t" and "v <= edges[t]" choose the same rows: trees trained on
 * bins predict raw values exactly as they were trained. NaN is missing and gets the missing code.
 */
import type { Rng } from "./random.js"

/** values used to place quantile edges; beyond this a seeded sample is taken */
export const EDGE_SAMPLE = 200_000

export interface BinLayout {
  /** bins per feature at most; it is also the code of the missing bin in the bin matrix */
  readonly maxBins: number
  /** histogram slots per feature: value bins plus the missing bin */
  readonly stride: number
  /** value bins per feature (1 for constant or all-missing features) */
  readonly binCounts: Int32Array
  /** ascending upper edges per feature; the last one is +Infinity */
  readonly edges: ReadonlyArray<Float64Array>
}

const lastEdgeIsInfinity = (edges: Array<number>): Float64Array => {
  if (edges.length === 0 || edges[edges.length - 1] !== Infinity) edges.push(Infinity)
  return Float64Array.from(edges)
}

/** Upper bin edges of one feature over `rows` (all rows when null). */
export const featureEdges = (column: Float64Array, rows: Uint32Array | null, maxBins: number, rng: Rng): Float64Array => {
  const count = rows === null ? column.length : rows.length
  let values = new Float64Array(count)
  let present = 0
  for (let i = 0; i < count; i++) {
    const v = column[rows === null ? i : rows[i]!]!
    if (v === v) values[present++] = v
  }
  if (present > EDGE_SAMPLE) {
    for (let i = 0; i < EDGE_SAMPLE; i++) {
      const j = i + rng.below(present - i)
      const tmp = values[i]!
      values[i] = values[j]!
      values[j] = tmp
    }
    present = EDGE_SAMPLE
  }
  values = values.subarray(0, present).sort()
  // few distinct values: cut half-way between neighbours (stop counting once there are too many)
  const distinct: Array<number> = []
  for (let i = 0; i < present && distinct.length <= maxBins; i++) if (i === 0 || values[i] !== values[i - 1]) distinct.push(values[i]!)
  const edges: Array<number> = []
  if (distinct.length <= maxBins) {
    for (let i = 0; i + 1 < distinct.length; i++) edges.push(distinct[i]! / 2 + distinct[i + 1]! / 2)
    return lastEdgeIsInfinity(edges)
  }
  for (let k = 1; k < maxBins; k++) {
    const pos = Math.floor((k * present) / maxBins)
    const below = values[pos - 1]!
    const above = values[pos]!
    const edge = below === above ? below : below / 2 + above / 2
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge)
  }
  return lastEdgeIsInfinity(edges)
}

/** The layout for the training rows of every column. */
export const makeLayout = (
  columns: ReadonlyArray<Float64Array>,
  rows: Uint32Array | null,
  maxBins: number,
  rng: Rng
): BinLayout => {
  const edges = columns.map((column) => featureEdges(column, rows, maxBins, rng))
  return {
    maxBins,
    stride: maxBins + 1,
    binCounts: Int32Array.from(edges, (e) => e.length),
    edges
  }
}

/** The bin of `v` among ascending `edges` whose last element is +Infinity; NaN gives `missing`. */
export const binOf = (edges: Float64Array, v: number, missing: number): number => {
  if (v !== v) return missing
  let lo = 0
  let hi = edges.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (v <= edges[mid]!) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * Row-major bin matrix of `rows` (all rows when null): `out[i * features + f]` is the bin of
 * row `rows[i]` in feature `f`. `out` may live in a SharedArrayBuffer for the workers.
 */
export const binRows = (
  columns: ReadonlyArray<Float64Array>,
  rows: Uint32Array | null,
  layout: BinLayout,
  out: Uint8Array
): void => {
  const features = columns.length
  for (let f = 0; f < features; f++) {
    const column = columns[f]!
    const edges = layout.edges[f]!
    const count = rows === null ? column.length : rows.length
    for (let i = 0; i < count; i++) {
      out[i * features + f] = binOf(edges, column[rows === null ? i : rows[i]!]!, layout.maxBins)
    }
  }
}
