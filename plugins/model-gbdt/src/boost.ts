/**
 * The boosting loop: logistic loss, sample and class weights, the seeded stratified validation
 * split, row and column subsampling per tree, early stopping.
 *
 * Holds: `prepareTraining` (weights, split, bin layout from training rows, bin matrices) and
 * `boost` (gradients and hessians, one tree per round via `growTree`, score updates from leaf
 * row ranges, validation log-loss and early stopping, truncation to the best round).
 * Does not hold: Effect or input validation (`stage.ts`); thread start-up (`threads.ts`).
 */
import { binRows, makeLayout, makeRng, pickDistinct, sampleAscending, type BinLayout } from "@hashhound/ml"
import { growTree, type GrowParams, type GrowState } from "./grow.js"
import { GbdtModel, sigmoid } from "./model.js"
import { allocateTraining, type HistogramPool, type TrainingBuffers } from "./threads.js"
import { addTreeBinned, leafBinned, type Tree } from "./tree.js"

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
  readonly buffers: TrainingBuffers
  readonly trainRows: number
  readonly yTrain: Uint8Array
  readonly wTrain: Float64Array
  /** features that can split at all (more than one bin, or missing values) */
  readonly useful: Int32Array
  readonly validationBins: Uint8Array
  readonly validationRows: number
  readonly yValidation: Uint8Array
  readonly wValidation: Float64Array
}

/** Per-row weights: explicit weights times class weights (`balanced`: n / (2 n_class)). */
export const sampleWeights = (y: Uint8Array, weights: Float64Array | undefined, classWeight: "none" | "balanced"): Float64Array => {
  const n = y.length
  let positives = 0
  for (let i = 0; i < n; i++) positives += y[i]!
  const classW = [1, 1]
  if (classWeight === "balanced" && positives > 0 && positives < n) {
    classW[0] = n / (2 * (n - positives))
    classW[1] = n / (2 * positives)
  }
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) w[i] = (weights === undefined ? 1 : weights[i]!) * classW[y[i]!]!
  return w
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

const gather = <T extends Uint8Array | Float64Array>(source: T, rows: Uint32Array, out: T): T => {
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i]!]!
  return out
}

/** Weights, split, layout and bin matrices; `shared` puts the training buffers in shared memory. */
export const prepareTraining = (data: TrainingData, params: GbdtParams, shared: boolean): Prepared => {
  const w = sampleWeights(data.y, data.weights, params.classWeight)
  const earlyStopping = params.earlyStoppingRounds > 0 && params.validationFraction > 0
  const split = validationSplit(data.y, earlyStopping ? params.validationFraction : 0, params.seed)
  const features = data.columns.length
  const layout = makeLayout(data.columns, split.train, params.maxBins, makeRng(params.seed, 3))
  const trainRows = split.train.length
  const buffers = allocateTraining(trainRows, features, shared)
  binRows(data.columns, split.train, layout, buffers.bins)
  const validationBins = new Uint8Array(split.validation.length * features)
  binRows(data.columns, split.validation, layout, validationBins)
  const useful: Array<number> = []
  for (let f = 0; f < features; f++) {
    let missing = 0
    for (let i = 0; i < trainRows; i++) if (buffers.bins[i * features + f] === layout.maxBins) missing++
    // a split needs two kinds of rows: two value bins, or missing and present values
    if (layout.binCounts[f]! > 1 || (missing > 0 && missing < trainRows)) useful.push(f)
  }
  return {
    names: data.names,
    features,
    layout,
    buffers,
    trainRows,
    yTrain: gather(data.y, split.train, new Uint8Array(trainRows)),
    wTrain: gather(w, split.train, new Float64Array(trainRows)),
    useful: Int32Array.from(useful),
    validationBins,
    validationRows: split.validation.length,
    yValidation: gather(data.y, split.validation, new Uint8Array(split.validation.length)),
    wValidation: gather(w, split.validation, new Float64Array(split.validation.length))
  }
}

/** log(1 + e^x) without overflow */
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))

const weightedLogLoss = (scores: Float64Array, y: Uint8Array, w: Float64Array): number => {
  let loss = 0
  let total = 0
  for (let i = 0; i < scores.length; i++) {
    loss += w[i]! * softplus(y[i] === 1 ? -scores[i]! : scores[i]!)
    total += w[i]!
  }
  return total > 0 ? loss / total : 0
}

/** Train; `pool` builds histograms (serially or on workers) over `prepared.buffers`. */
export const boost = (prepared: Prepared, params: GbdtParams, pool: HistogramPool): GbdtModel => {
  const { buffers, layout, features, trainRows: n, yTrain, wTrain, useful } = prepared
  const { idx, grad, hess, active, bins } = buffers
  let sumW = 0
  let sumWY = 0
  for (let i = 0; i < n; i++) {
    sumW += wTrain[i]!
    sumWY += wTrain[i]! * yTrain[i]!
  }
  const prior = Math.min(1 - 1e-12, Math.max(1e-12, sumW > 0 ? sumWY / sumW : 0.5))
  const baseScore = Math.log(prior / (1 - prior))
  const score = new Float64Array(n).fill(baseScore)
  const validationScore = new Float64Array(prepared.validationRows).fill(baseScore)
  const earlyStopping = prepared.validationRows > 0
  const growParams: GrowParams = {
    maxDepth: params.maxDepth,
    maxLeaves: params.maxLeaves,
    leafwise: params.leafwise,
    learningRate: params.learningRate,
    lambda: params.lambda,
    minChildWeight: params.minChildWeight,
    minSamplesLeaf: params.minSamplesLeaf,
    minSplitGain: params.minSplitGain
  }
  const state: GrowState = {
    bins,
    features,
    stride: layout.stride,
    binCounts: layout.binCounts,
    idx,
    tmp: new Uint32Array(n),
    grad,
    hess,
    active,
    activeCount: 0,
    params: growParams,
    build: (start, end, out) => pool.build(start, end, state.activeCount, out),
    pool: []
  }
  const rowRng = makeRng(params.seed, 11)
  const columnRng = makeRng(params.seed, 13)
  const sampleSize = Math.max(1, Math.round(params.subsample * n))
  const columnCount = Math.max(1, Math.round(params.colsample * useful.length))
  const inSample = new Uint8Array(n)
  const trees: Array<Tree> = []
  let bestLoss = Number.POSITIVE_INFINITY
  let bestRound = -1

  for (let round = 0; round < params.trees; round++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(score[i]!)
      const w = wTrain[i]!
      grad[i] = w * (p - yTrain[i]!)
      hess[i] = w * Math.max(p * (1 - p), 1e-16)
    }
    let rows = n
    if (sampleSize < n) {
      rows = sampleAscending(rowRng, n, sampleSize, idx)
      inSample.fill(0)
      for (let i = 0; i < rows; i++) inSample[idx[i]!] = 1
    } else {
      for (let i = 0; i < n; i++) idx[i] = i
    }
    if (columnCount < useful.length) {
      const picked = pickDistinct(columnRng, useful.length, columnCount)
      for (let j = 0; j < picked.length; j++) active[j] = useful[picked[j]!]!
      state.activeCount = picked.length
    } else {
      active.set(useful)
      state.activeCount = useful.length
    }
    const builder = growTree(state, rows)
    const tree = builder.finish(layout.edges)
    trees.push(tree)
    for (let node = 0; node < builder.size; node++) {
      if (builder.feature[node]! >= 0) continue
      const value = tree.value[node]!
      for (let i = builder.start[node]!; i < builder.end[node]!; i++) score[idx[i]!] = score[idx[i]!]! + value
    }
    if (rows < n) {
      for (let i = 0; i < n; i++) {
        if (inSample[i] === 0) score[i] = score[i]! + tree.value[leafBinned(tree, bins, features, layout.maxBins, i)]!
      }
    }
    if (earlyStopping) {
      addTreeBinned(tree, prepared.validationBins, features, layout.maxBins, prepared.validationRows, validationScore)
      const loss = weightedLogLoss(validationScore, prepared.yValidation, prepared.wValidation)
      if (loss < bestLoss) {
        bestLoss = loss
        bestRound = round
      } else if (round - bestRound >= params.earlyStoppingRounds) break
    }
  }
  const kept = earlyStopping ? trees.slice(0, bestRound + 1) : trees
  return new GbdtModel(prepared.names, baseScore, kept, {
    training_rows: n,
    validation_rows: prepared.validationRows,
    trees_trained: trees.length,
    trees_kept: kept.length,
    validation_logloss: earlyStopping ? bestLoss : null,
    threads_used: pool.workers + 1
  })
}
