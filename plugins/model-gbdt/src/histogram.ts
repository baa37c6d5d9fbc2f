/**
 * Gradient histograms: per feature and bin, the sums of gradients, hessians and row counts of
 * the rows in one tree node. This is the hot loop of training.
 *
 * Holds: `buildHistogram` over a block of the active features (a worker thread calls it with its
 * own block; results do not depend on how features are split into blocks) and the subtraction
 * trick (a larger child's histogram is its parent's minus its smaller sibling's).
 * Does not hold: choosing splits (`split.ts`) or threads (`threads.ts`).
 *
 * Layout: `hist[((f * stride) + bin) * 3 + k]` with k = 0 gradient, 1 hessian, 2 row count.
 */

export const HIST_FIELDS = 3

/** Floats one histogram needs for `features` features. */
export const histogramLength = (features: number, stride: number): number => features * stride * HIST_FIELDS

/**
 * Sum the rows `idx[start..end)` into `out` for the features `active[from..to)`; those features'
 * segments of `out` are cleared first, other segments are left alone.
 */
export const buildHistogram = (
  bins: Uint8Array,
  features: number,
  stride: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  active: Int32Array,
  from: number,
  to: number,
  out: Float64Array
): void => {
  const segment = stride * HIST_FIELDS
  for (let j = from; j < to; j++) out.fill(0, active[j]! * segment, (active[j]! + 1) * segment)
  if (to - from === 1) {
    const f = active[from]!
    const offset = f * stride
    for (let i = start; i < end; i++) {
      const r = idx[i]!
      const k = (offset + bins[r * features + f]!) * HIST_FIELDS
      out[k] = out[k]! + grad[r]!
      out[k + 1] = out[k + 1]! + hess[r]!
      out[k + 2] = out[k + 2]! + 1
    }
    return
  }
  for (let i = start; i < end; i++) {
    const r = idx[i]!
    const g = grad[r]!
    const h = hess[r]!
    const base = r * features
    for (let j = from; j < to; j++) {
      const f = active[j]!
      const k = (f * stride + bins[base + f]!) * HIST_FIELDS
      out[k] = out[k]! + g
      out[k + 1] = out[k + 1]! + h
      out[k + 2] = out[k + 2]! + 1
    }
  }
}

/** `target = parent - child` over the active features; `target` may be `parent` itself. */
export const subtractHistogram = (
  parent: Float64Array,
  child: Float64Array,
  target: Float64Array,
  active: Int32Array,
  count: number,
  stride: number
): void => {
  const segment = stride * HIST_FIELDS
  for (let j = 0; j < count; j++) {
    const begin = active[j]! * segment
    const stop = begin + segment
    for (let k = begin; k < stop; k++) target[k] = parent[k]! - child[k]!
  }
}
