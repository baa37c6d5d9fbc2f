/**
 * Training data for model.gbdt before any tree: weights, the validation split, the bin layout
 * and the bin matrix.
 *
 * Holds: `GbdtParams`, `TrainingData` (weights from `@hashhound/ml`'s `sampleWeights`),
 * `validationSplit` (seeded, stratified) and `prepareTraining`, which bins every training row
 * once (edges from all rows: quantiles use no labels, so the validation rows' values placing
 * edges leaks nothing about their labels) into buffers that the early-stopping run and the refit
 * on all rows both use, so worker threads are started once.
 * Does not hold: the boosting loop (`boost.ts`).
 */
import { binRows, makeLayout, makeRng, sampleAscending, sampleWeights, type BinLayout } from "@hashhound/ml"
import { allocateTraining, type TrainingBuffers } from "./threads.js"

export type StoppingMetric = "logloss" | "roc_auc"

export interface GbdtParams {
  readonly trees: number
  readonly maxDepth: number
  readonly maxLeaves: number
  readonly leafwise: boolean
  readonly learningRate: number
  readonly maxBins: number
  readonly subsample: number
  readonly colsample: number
  readonly minChildWeight: number
  readonly minSamplesLeaf: number
  readonly lambda: number
  readonly minSplitGain: number
  readonly classWeight: "none" | "balanced"
  readonly earlyStoppingRounds: number
  readonly validationFraction: number
  readonly stoppingMetric: StoppingMetric
  readonly refit: boolean
  readonly seed: number
}

/** Columns in feature order, labels 0/1, optional non-negative weights; already validated. */
export interface TrainingData {
  readonly names: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Float64Array>
  readonly rows: number
  readonly y: Uint8Array
  readonly weights?: Float64Array
}

export interface Prepared {
  readonly names: ReadonlyArray<string>
  readonly features: number
  readonly layout: BinLayout
  /** bins of every row; gradients and hessians are indexed by row too */
  readonly buffers: TrainingBuffers
  readonly rows: number
  readonly y: Uint8Array
  /** per-row weights (explicit times class weights) */
  readonly w: Float64Array
  /** features that can split at all (more than one bin, or missing values) */
  readonly useful: Int32Array
  /** rows the early-stopping run trains on (all rows without early stopping), ascending */
  readonly train: Uint32Array
  /** rows held out for early stopping, ascending; empty without it */
  readonly validation: Uint32Array
}

/** Seeded stratified split: `fraction` of each class (classes with fewer than 2 rows stay in training). */
export const validationSplit = (y: Uint8Array, fraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } => {
  const n = y.length
  const marked = new Uint8Array(n)
  if (fraction > 0) {
    const rng = makeRng(seed, 7)
    for (const cls of [0, 1]) {
      const members: Array<number> = []
      for (let i = 0; i < n; i++) if (y[i] === cls) members.push(i)
      const take = members.length >= 2 ? Math.min(members.length - 1, Math.floor(members.length * fraction)) : 0
      const chosen = new Uint32Array(take)
      sampleAscending(rng, members.length, take, chosen)
      for (const k of chosen) marked[members[k]!] = 1
    }
  }
  let validationCount = 0
  for (let i = 0; i < n; i++) validationCount += marked[i]!
  const train = new Uint32Array(n - validationCount)
  const validation = new Uint32Array(validationCount)
  let a = 0
  let b = 0
  for (let i = 0; i < n; i++) {
    if (marked[i] === 1) validation[b++] = i
    else train[a++] = i
  }
  return { train, validation }
}

export const earlyStoppingOn = (params: GbdtParams): boolean => params.earlyStoppingRounds > 0 && params.validationFraction > 0

/** Weights, split, layout and the bin matrix of all rows; `shared` puts the buffers in shared memory. */
export const prepareTraining = (data: TrainingData, params: GbdtParams, shared: boolean): Prepared => {
  const w = sampleWeights(data.y, data.weights, params.classWeight)
  const split = validationSplit(data.y, earlyStoppingOn(params) ? params.validationFraction : 0, params.seed)
  const features = data.columns.length
  const rows = data.rows
  const layout = makeLayout(data.columns, null, params.maxBins, makeRng(params.seed, 3))
  const buffers = allocateTraining(rows, features, shared)
  binRows(data.columns, null, layout, buffers.bins)
  const useful: Array<number> = []
  for (let f = 0; f < features; f++) {
    let missing = 0
    for (let i = 0; i < rows; i++) if (buffers.bins[i * features + f] === layout.maxBins) missing++
    // a split needs two kinds of rows: two value bins, or missing and present values
    if (layout.binCounts[f]! > 1 || (missing > 0 && missing < rows)) useful.push(f)
  }
  return { names: data.names, features, layout, buffers, rows, y: data.y, w, useful: Int32Array.from(useful), train: split.train, validation: split.validation }
}
