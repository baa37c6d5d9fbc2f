/**
 * Training a random forest: weights, binning, growing the trees (here on one thread; see
 * `threads.ts` for several) and assembling the model with its out-of-bag score.
 *
 * Holds: `prepareForest` (class and sample weights, the bin layout over all rows, the row-major
 * bin matrix, optionally in shared memory), `growSerial`, and `assembleForest` (thresholds from
 * bins to values, importance, out-of-bag ROC-AUC and accuracy by replaying each tree's seeded
 * bootstrap, in tree order so the result does not depend on threads).
 * Does not hold: Effect, input checks (`stage.ts`), tree growth (`forest-tree.ts`).
 */
import { binRows, makeLayout, makeRng, rocAuc, sampleWeights, type BinLayout } from "@hashhound/ml"
import { featuresPerSplit, type ForestConfig } from "./config.js"
import { bootstrapCounts, growForestTree, leafOf, treeRng, type ForestData, type ForestTreeParams, type GrownTree } from "./forest-tree.js"
import { ForestModel, type ForestTree } from "./model.js"

export interface TrainingData {
  readonly names: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Float64Array>
  readonly rows: number
  readonly y: Uint8Array
  readonly weights?: Float64Array
}

export interface PreparedForest {
  readonly names: ReadonlyArray<string>
  readonly layout: BinLayout
  readonly data: ForestData
  readonly params: ForestTreeParams
  readonly trees: number
}

const memory = (bytes: number, shared: boolean): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))

export const prepareForest = (training: TrainingData, config: ForestConfig, shared: boolean): PreparedForest => {
  const { rows, columns } = training
  const features = columns.length
  const layout = makeLayout(columns, null, config.max_bins, makeRng(config.seed, 3))
  const bins = new Uint8Array(memory(rows * features, shared))
  binRows(columns, null, layout, bins)
  const y = new Uint8Array(memory(rows, shared))
  y.set(training.y)
  const w = new Float64Array(memory(rows * 8, shared))
  w.set(sampleWeights(training.y, training.weights, config.class_weight))
  const useful: Array<number> = []
  for (let f = 0; f < features; f++) {
    let missing = 0
    for (let r = 0; r < rows; r++) if (bins[r * features + f] === layout.maxBins) missing++
    // a split needs two kinds of rows: two value bins, or missing and present values
    if (layout.binCounts[f]! > 1 || (missing > 0 && missing < rows)) useful.push(f)
  }
  return {
    names: training.names,
    layout,
    trees: config.trees,
    data: { bins, rows, features, stride: layout.stride, binCounts: layout.binCounts, y, w, useful: Int32Array.from(useful) },
    params: {
      maxDepth: config.max_depth,
      minSamplesLeaf: config.min_samples_leaf,
      featuresPerSplit: featuresPerSplit(config.max_features, Math.max(1, useful.length)),
      entropy: config.criterion === "entropy",
      bootstrap: config.bootstrap,
      seed: config.seed
    }
  }
}

export const growSerial = (prepared: PreparedForest): ReadonlyArray<GrownTree> =>
  Array.from({ length: prepared.trees }, (_, index) => growForestTree(prepared.data, prepared.params, index))

const toForestTree = (tree: GrownTree, layout: BinLayout): ForestTree => ({
  feature: tree.feature,
  threshold: Float64Array.from(tree.feature, (f, node) => (f < 0 ? 0 : layout.edges[f]![tree.thresholdBin[node]!]!)),
  missingLeft: tree.missingLeft,
  left: tree.left,
  right: tree.right,
  value: tree.value
})

export const assembleForest = (prepared: PreparedForest, grown: ReadonlyArray<GrownTree>, threadsUsed: number): ForestModel => {
  const { data, layout, params, names } = prepared
  const totals = new Float64Array(data.features)
  for (const tree of grown) {
    for (let node = 0; node < tree.feature.length; node++) {
      const f = tree.feature[node]!
      if (f >= 0) totals[f] = totals[f]! + tree.gain[node]!
    }
  }
  const sum = totals.reduce((a, b) => a + b, 0)
  const importance: Record<string, number> = {}
  names.forEach((name, f) => {
    importance[name] = sum > 0 ? totals[f]! / sum : 0
  })

  let oobRows = 0
  let oobAuc: number | null = null
  let oobAccuracy: number | null = null
  if (params.bootstrap) {
    const oobSum = new Float64Array(data.rows)
    const oobCount = new Uint32Array(data.rows)
    grown.forEach((tree, index) => {
      const counts = bootstrapCounts(treeRng(params.seed, index), data.rows)
      for (let r = 0; r < data.rows; r++) {
        if (counts[r] !== 0) continue
        oobSum[r] = oobSum[r]! + tree.value[leafOf(tree, data.bins, data.features, layout.maxBins, r)]!
        oobCount[r] = oobCount[r]! + 1
      }
    })
    const scores: Array<number> = []
    const labels: Array<number> = []
    let correct = 0
    for (let r = 0; r < data.rows; r++) {
      if (oobCount[r] === 0) continue
      const p = oobSum[r]! / oobCount[r]!
      scores.push(p)
      labels.push(data.y[r]!)
      if ((p >= 0.5 ? 1 : 0) === data.y[r]) correct++
    }
    oobRows = scores.length
    if (oobRows > 0) {
      const auc = rocAuc(Float64Array.from(scores), Uint8Array.from(labels))
      oobAuc = Number.isNaN(auc) ? null : auc
      oobAccuracy = correct / oobRows
    }
  }
  return new ForestModel(
    names,
    grown.map((tree) => toForestTree(tree, layout)),
    importance,
    {
      training_rows: data.rows,
      trees: grown.length,
      features_per_split: params.featuresPerSplit,
      oob_rows: oobRows,
      oob_roc_auc: oobAuc,
      oob_accuracy: oobAccuracy,
      threads_used: threadsUsed
    }
  )
}
