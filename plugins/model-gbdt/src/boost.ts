/**
 * The boosting loop: logistic loss, sample and class weights, row and column subsampling per
 * tree, early stopping on the validation split and the refit on all rows.
 *
 * Holds: `boostRows` (gradients and hessians of a set of rows of the prepared bin matrix, one
 * tree per round via `growTree`, score updates from leaf row ranges, the validation metric each
 * round and early stopping, truncation to the best round) and `train`: without early stopping
 * one run over all rows; with it, a run on the training part of the split that stops when the
 * validation metric (log-loss, or ROC-AUC) has not improved for `early_stopping_rounds` rounds,
 * then, with `refit`, a second run over all rows (validation rows included) for the best
 * number of rounds scaled by rows / training-part rows, so no labelled row is left unused.
 * Does not hold: Effect or input validation (`stage.ts`); binning and the split (`prepare.ts`);
 * thread start-up (`threads.ts`).
 */
import { makeRng, pickDistinct, rocAuc, sampleAscending } from "@hashhound/ml"
import { growTree, type GrowParams, type GrowState } from "./grow.js"
import { GbdtModel, sigmoid, type GbdtInfo } from "./model.js"
import { earlyStoppingOn, type GbdtParams, type Prepared } from "./prepare.js"
import type { HistogramPool } from "./threads.js"
import { leafBinned, type Tree } from "./tree.js"

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

interface Run {
  readonly baseScore: number
  readonly trees: ReadonlyArray<Tree>
  /** trees grown before stopping */
  readonly trained: number
  /** validation metric at the kept round; null without validation rows */
  readonly best: number | null
}

/**
 * Boost over `rows` (ascending row numbers of the prepared matrix) for at most `rounds` rounds;
 * with `validation` rows, stop after `early_stopping_rounds` rounds without a better validation
 * metric and keep the trees up to the best round.
 */
export const boostRows = (prepared: Prepared, params: GbdtParams, pool: HistogramPool, rows: Uint32Array, validation: Uint32Array, rounds: number): Run => {
  const { buffers, layout, features, useful, y, w } = prepared
  const { idx, grad, hess, active, bins } = buffers
  const n = rows.length
  let sumW = 0
  let sumWY = 0
  for (let i = 0; i < n; i++) {
    const r = rows[i]!
    sumW += w[r]!
    sumWY += w[r]! * y[r]!
  }
  const prior = Math.min(1 - 1e-12, Math.max(1e-12, sumW > 0 ? sumWY / sumW : 0.5))
  const baseScore = Math.log(prior / (1 - prior))
  // raw scores by row number of the prepared matrix (only `rows` are used)
  const score = new Float64Array(prepared.rows).fill(baseScore)
  const v = validation.length
  const validationScore = new Float64Array(v).fill(baseScore)
  const yValidation = Uint8Array.from(validation, (r) => y[r]!)
  const wValidation = Float64Array.from(validation, (r) => w[r]!)
  const byAuc = params.stoppingMetric === "roc_auc"
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
  const inSample = new Uint8Array(prepared.rows)
  const trees: Array<Tree> = []
  // higher is better for both: -log-loss, ROC-AUC
  let best = Number.NEGATIVE_INFINITY
  let bestRound = -1

  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      const r = rows[i]!
      const p = sigmoid(score[r]!)
      grad[r] = w[r]! * (p - y[r]!)
      hess[r] = w[r]! * Math.max(p * (1 - p), 1e-16)
    }
    let used = n
    if (sampleSize < n) {
      used = sampleAscending(rowRng, n, sampleSize, idx)
      for (let i = 0; i < used; i++) idx[i] = rows[idx[i]!]!
      inSample.fill(0)
      for (let i = 0; i < used; i++) inSample[idx[i]!] = 1
    } else idx.set(rows)
    if (columnCount < useful.length) {
      const picked = pickDistinct(columnRng, useful.length, columnCount)
      for (let j = 0; j < picked.length; j++) active[j] = useful[picked[j]!]!
      state.activeCount = picked.length
    } else {
      active.set(useful)
      state.activeCount = useful.length
    }
    const builder = growTree(state, used)
    const tree = builder.finish(layout.edges)
    trees.push(tree)
    for (let node = 0; node < builder.size; node++) {
      if (builder.feature[node]! >= 0) continue
      const value = tree.value[node]!
      for (let i = builder.start[node]!; i < builder.end[node]!; i++) score[idx[i]!] = score[idx[i]!]! + value
    }
    if (used < n) {
      for (let i = 0; i < n; i++) {
        const r = rows[i]!
        if (inSample[r] === 0) score[r] = score[r]! + tree.value[leafBinned(tree, bins, features, layout.maxBins, r)]!
      }
    }
    if (v > 0) {
      for (let j = 0; j < v; j++) validationScore[j] = validationScore[j]! + tree.value[leafBinned(tree, bins, features, layout.maxBins, validation[j]!)]!
      const metric = byAuc ? rocAuc(validationScore, yValidation) : -weightedLogLoss(validationScore, yValidation, wValidation)
      if (metric > best) {
        best = metric
        bestRound = round
      } else if (round - bestRound >= params.earlyStoppingRounds) break
    }
  }
  const kept = v > 0 ? trees.slice(0, bestRound + 1) : trees
  return { baseScore, trees: kept, trained: trees.length, best: v > 0 ? (byAuc ? best : -best) : null }
}

/** Train with the plan `params` asks for (see the module header); `pool` builds histograms. */
export const train = (prepared: Prepared, params: GbdtParams, pool: HistogramPool): GbdtModel => {
  const threads = pool.workers + 1
  if (!earlyStoppingOn(params) || prepared.validation.length === 0) {
    const run = boostRows(prepared, params, pool, prepared.train, new Uint32Array(0), params.trees)
    return new GbdtModel(prepared.names, run.baseScore, run.trees, info(prepared.rows, 0, run, run, params, false, threads))
  }
  const stopped = boostRows(prepared, params, pool, prepared.train, prepared.validation, params.trees)
  if (!params.refit) {
    return new GbdtModel(prepared.names, stopped.baseScore, stopped.trees, info(prepared.train.length, prepared.validation.length, stopped, stopped, params, false, threads))
  }
  const all = Uint32Array.from({ length: prepared.rows }, (_, i) => i)
  const rounds = Math.min(params.trees, Math.max(1, Math.round((stopped.trees.length * prepared.rows) / prepared.train.length)))
  const final = boostRows(prepared, params, pool, all, new Uint32Array(0), rounds)
  return new GbdtModel(prepared.names, final.baseScore, final.trees, info(prepared.rows, prepared.validation.length, stopped, final, params, true, threads))
}

const info = (trainingRows: number, validationRows: number, stopped: Run, final: Run, params: GbdtParams, refit: boolean, threads: number): GbdtInfo => ({
  training_rows: trainingRows,
  validation_rows: validationRows,
  trees_trained: stopped.trained,
  trees_kept: final.trees.length,
  best_round: validationRows > 0 ? stopped.trees.length : null,
  refit,
  validation_metric: validationRows > 0 ? params.stoppingMetric : null,
  validation_score: stopped.best,
  validation_logloss: validationRows > 0 && params.stoppingMetric === "logloss" ? stopped.best : null,
  threads_used: threads
})
