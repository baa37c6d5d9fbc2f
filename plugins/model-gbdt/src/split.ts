/**
 * Best split of a node from its gradient histogram (second-order gain with L2 regularisation).
 *
 * Holds: `findBestSplit`, which scans every active feature's bins left to right and tries the
 * missing bin on both sides (the default direction is learned per split); a split that sends
 * only the missing rows one way is tried too. Candidates must leave `min_samples_leaf` rows and
 * `min_child_weight` hessian on each side and gain more than `min_split_gain`.
 * Does not hold: building histograms or partitioning rows.
 */
import { HIST_FIELDS } from "./histogram.js"

export interface SplitParams {
  readonly lambda: number
  readonly minChildWeight: number
  readonly minSamplesLeaf: number
  readonly minSplitGain: number
}

/** The winner of a scan; reused between calls to avoid allocation. */
export interface NodeSplit {
  gain: number
  feature: number
  /** rows with a value bin `<= bin` go left */
  bin: number
  missingLeft: boolean
  leftG: number
  leftH: number
  leftC: number
}

export const emptySplit = (): NodeSplit => ({
  gain: 0,
  feature: -1,
  bin: 0,
  missingLeft: false,
  leftG: 0,
  leftH: 0,
  leftC: 0
})

/** Node sums from a histogram of any one feature (every row falls in exactly one bin). */
export const nodeSums = (hist: Float64Array, feature: number, stride: number): [number, number, number] => {
  let g = 0
  let h = 0
  let c = 0
  const begin = feature * stride * HIST_FIELDS
  for (let k = begin; k < begin + stride * HIST_FIELDS; k += HIST_FIELDS) {
    g += hist[k]!
    h += hist[k + 1]!
    c += hist[k + 2]!
  }
  return [g, h, c]
}

/**
 * Scan the active features of `hist` for the best split of a node with sums (g, h, c). Returns
 * true and fills `out` when a split gains more than `minSplitGain`.
 */
export const findBestSplit = (
  hist: Float64Array,
  active: Int32Array,
  activeCount: number,
  binCounts: Int32Array,
  stride: number,
  g: number,
  h: number,
  c: number,
  params: SplitParams,
  out: NodeSplit
): boolean => {
  const { lambda, minChildWeight, minSamplesLeaf } = params
  const parentScore = (g * g) / (h + lambda)
  const missing = stride - 1
  let best = params.minSplitGain
  let found = false
  for (let j = 0; j < activeCount; j++) {
    const f = active[j]!
    const nb = binCounts[f]!
    const base = f * stride * HIST_FIELDS
    const mk = base + missing * HIST_FIELDS
    const mG = hist[mk]!
    const mH = hist[mk + 1]!
    const mC = hist[mk + 2]!
    let aG = 0
    let aH = 0
    let aC = 0
    // thresholds 0..nb-2 split the value bins; nb-1 (all values left) only when some are missing
    const lastThreshold = mC > 0 ? nb - 1 : nb - 2
    for (let t = 0; t <= lastThreshold; t++) {
      const k = base + t * HIST_FIELDS
      const binC = hist[k + 2]!
      aG += hist[k]!
      aH += hist[k + 1]!
      aC += binC
      if (binC === 0 && t < nb - 1) continue
      // missing rows go right
      {
        const rC = c - aC
        const rH = h - aH
        if (aC >= minSamplesLeaf && rC >= minSamplesLeaf && aH >= minChildWeight && rH >= minChildWeight) {
          const rG = g - aG
          const gain = 0.5 * ((aG * aG) / (aH + lambda) + (rG * rG) / (rH + lambda) - parentScore)
          if (gain > best) {
            best = gain
            found = true
            out.gain = gain
            out.feature = f
            out.bin = t
            // with no missing rows here, unseen missing values follow the larger side
            out.missingLeft = mC === 0 && aC >= rC
            out.leftG = aG
            out.leftH = aH
            out.leftC = aC
          }
        }
      }
      if (mC > 0 && t < nb - 1) {
        const lG = aG + mG
        const lH = aH + mH
        const lC = aC + mC
        const rC = c - lC
        const rH = h - lH
        if (lC >= minSamplesLeaf && rC >= minSamplesLeaf && lH >= minChildWeight && rH >= minChildWeight) {
          const rG = g - lG
          const gain = 0.5 * ((lG * lG) / (lH + lambda) + (rG * rG) / (rH + lambda) - parentScore)
          if (gain > best) {
            best = gain
            found = true
            out.gain = gain
            out.feature = f
            out.bin = t
            out.missingLeft = true
            out.leftG = lG
            out.leftH = lH
            out.leftC = lC
          }
        }
      }
    }
  }
  return found
}
