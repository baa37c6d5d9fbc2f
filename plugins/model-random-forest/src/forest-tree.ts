/**
 * Growing one random-forest tree on the bin matrix.
 *
 * Holds: `ForestData` (what every tree reads), `bootstrapCounts` (the seeded draw with
 * replacement, also replayed for the out-of-bag score), `growForestTree` (depth-first growth:
 * per node a fresh sample of `featuresPerSplit` features, class-weight histograms over those
 * features only, Gini or entropy decrease, missing values tried on both sides; when none of the
 * sampled features can split, the remaining features are tried before giving up, as
 * scikit-learn does) and `leafOf` for binned rows.
 * Does not hold: the forest (`forest.ts`), threads, raw-value prediction (`model.ts`).
 * Histogram layout: `hist[(f * stride + bin) * 3 + k]`, k = 0 positive weight, 1 total weight,
 * 2 distinct in-bag rows.
 */
import { makeRng, type Rng } from "@hashhound/ml"

export interface ForestTreeParams {
  readonly maxDepth: number
  readonly minSamplesLeaf: number
  readonly featuresPerSplit: number
  readonly entropy: boolean
  readonly bootstrap: boolean
  readonly seed: number
}

export interface ForestData {
  /** row-major bins: `bins[row * features + f]` */
  readonly bins: Uint8Array
  readonly rows: number
  readonly features: number
  /** value bins per feature + 1 (the last slot is the missing bin) */
  readonly stride: number
  readonly binCounts: Int32Array
  readonly y: Uint8Array
  /** sample weight times class weight */
  readonly w: Float64Array
  /** features that can split at all */
  readonly useful: Int32Array
}

/** A grown tree: thresholds as bins; the caller maps them to values. */
export interface GrownTree {
  readonly feature: Int32Array
  readonly thresholdBin: Int32Array
  readonly missingLeft: Uint8Array
  readonly left: Int32Array
  readonly right: Int32Array
  /** leaf: weighted share of mining rows */
  readonly value: Float64Array
  /** split: weighted impurity decrease */
  readonly gain: Float64Array
}

const FIELDS = 3

/** The random stream of tree `index` (bootstrap first, then feature sampling). */
export const treeRng = (seed: number, index: number): Rng => makeRng(seed, 1000 + index)

/** How often each row is drawn into tree `rng`'s bootstrap sample (`rows` draws with replacement). */
export const bootstrapCounts = (rng: Rng, rows: number): Uint16Array => {
  const counts = new Uint16Array(rows)
  for (let i = 0; i < rows; i++) {
    const r = rng.below(rows)
    if (counts[r]! < 65535) counts[r] = counts[r]! + 1
  }
  return counts
}

const impurity = (pos: number, all: number, entropy: boolean): number => {
  if (all <= 0) return 0
  const p = pos / all
  if (p <= 0 || p >= 1) return 0
  return entropy ? -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p)) : 2 * p * (1 - p)
}

interface Best {
  gain: number
  feature: number
  bin: number
  missingLeft: boolean
  leftPos: number
  leftAll: number
}

/** Leaf index of one row of a row-major bin matrix. */
export const leafOf = (tree: GrownTree, bins: Uint8Array, features: number, missingCode: number, row: number): number => {
  let node = 0
  const base = row * features
  while (tree.feature[node]! >= 0) {
    const b = bins[base + tree.feature[node]!]!
    if (b === missingCode) node = tree.missingLeft[node] === 1 ? tree.left[node]! : tree.right[node]!
    else node = b <= tree.thresholdBin[node]! ? tree.left[node]! : tree.right[node]!
  }
  return node
}

export const growForestTree = (data: ForestData, params: ForestTreeParams, index: number): GrownTree => {
  const { bins, rows, features, stride, binCounts, y, w, useful } = data
  const rng = treeRng(params.seed, index)
  // in-bag rows carry their draw count times their weight; without bootstrap every row is in
  const counts = params.bootstrap ? bootstrapCounts(rng, rows) : new Uint16Array(rows).fill(1)
  const weight = new Float64Array(rows)
  let inBag = 0
  for (let r = 0; r < rows; r++) {
    weight[r] = counts[r]! * w[r]!
    if (counts[r]! > 0) inBag++
  }
  const idx = new Uint32Array(inBag)
  for (let r = 0, k = 0; r < rows; r++) if (counts[r]! > 0) idx[k++] = r
  const tmp = new Uint32Array(inBag)
  const hist = new Float64Array(features * stride * FIELDS)
  const order = Int32Array.from(useful)
  const missing = stride - 1

  const feature: Array<number> = []
  const thresholdBin: Array<number> = []
  const missingLeft: Array<number> = []
  const left: Array<number> = []
  const right: Array<number> = []
  const value: Array<number> = []
  const gain: Array<number> = []
  const addNode = (pos: number, all: number): number => {
    feature.push(-1)
    thresholdBin.push(0)
    missingLeft.push(0)
    left.push(-1)
    right.push(-1)
    value.push(all > 0 ? pos / all : 0.5)
    gain.push(0)
    return feature.length - 1
  }

  const best: Best = { gain: 0, feature: -1, bin: 0, missingLeft: false, leftPos: 0, leftAll: 0 }

  /** Histograms of `order[from..to)` over rows `idx[start..end)`, then the best split among them. */
  const scan = (start: number, end: number, from: number, to: number, pos: number, all: number, count: number): void => {
    const segment = stride * FIELDS
    for (let j = from; j < to; j++) hist.fill(0, order[j]! * segment, (order[j]! + 1) * segment)
    for (let i = start; i < end; i++) {
      const r = idx[i]!
      const wr = weight[r]!
      const wp = y[r] === 1 ? wr : 0
      const base = r * features
      for (let j = from; j < to; j++) {
        const f = order[j]!
        const k = (f * stride + bins[base + f]!) * FIELDS
        hist[k] = hist[k]! + wp
        hist[k + 1] = hist[k + 1]! + wr
        hist[k + 2] = hist[k + 2]! + 1
      }
    }
    const parent = all * impurity(pos, all, params.entropy)
    const minLeaf = params.minSamplesLeaf
    for (let j = from; j < to; j++) {
      const f = order[j]!
      const nb = binCounts[f]!
      const off = f * segment
      const mk = off + missing * FIELDS
      const mPos = hist[mk]!
      const mAll = hist[mk + 1]!
      const mCount = hist[mk + 2]!
      let aPos = 0
      let aAll = 0
      let aCount = 0
      const last = mCount > 0 ? nb - 1 : nb - 2
      for (let t = 0; t <= last; t++) {
        const k = off + t * FIELDS
        const binCount = hist[k + 2]!
        aPos += hist[k]!
        aAll += hist[k + 1]!
        aCount += binCount
        if (binCount === 0 && t < nb - 1) continue
        for (let side = 0; side < (mCount > 0 && t < nb - 1 ? 2 : 1); side++) {
          const lPos = side === 1 ? aPos + mPos : aPos
          const lAll = side === 1 ? aAll + mAll : aAll
          const lCount = side === 1 ? aCount + mCount : aCount
          const rCount = count - lCount
          const rAll = all - lAll
          if (lCount < minLeaf || rCount < minLeaf || lAll <= 0 || rAll <= 0) continue
          const decrease = parent - lAll * impurity(lPos, lAll, params.entropy) - rAll * impurity(pos - lPos, rAll, params.entropy)
          if (decrease > best.gain + 1e-12 * all) {
            best.gain = decrease
            best.feature = f
            best.bin = t
            best.missingLeft = side === 1 || (mCount === 0 && lCount >= rCount)
            best.leftPos = lPos
            best.leftAll = lAll
          }
        }
      }
    }
  }

  const partition = (start: number, end: number): number => {
    const f = best.feature
    const t = best.bin
    const goMissing = best.missingLeft
    let l = start
    let rightCount = 0
    for (let i = start; i < end; i++) {
      const r = idx[i]!
      const b = bins[r * features + f]!
      if (b === missing ? goMissing : b <= t) idx[l++] = r
      else tmp[rightCount++] = r
    }
    idx.set(tmp.subarray(0, rightCount), l)
    return l
  }

  let rootPos = 0
  let rootAll = 0
  for (let i = 0; i < inBag; i++) {
    const r = idx[i]!
    rootAll += weight[r]!
    if (y[r] === 1) rootPos += weight[r]!
  }
  // depth-first: [node, start, end, depth, pos, all]
  const stack: Array<[number, number, number, number, number, number]> = [[addNode(rootPos, rootAll), 0, inBag, 0, rootPos, rootAll]]
  while (stack.length > 0) {
    const [node, start, end, depth, pos, all] = stack.pop()!
    const count = end - start
    if (depth >= params.maxDepth || count < 2 * params.minSamplesLeaf || pos <= 0 || pos >= all || order.length === 0) continue
    // a fresh sample of features at this node: partial shuffle of the candidates
    const take = Math.min(params.featuresPerSplit, order.length)
    for (let j = 0; j < order.length - 1; j++) {
      const k = j + rng.below(order.length - j)
      const swap = order[j]!
      order[j] = order[k]!
      order[k] = swap
    }
    best.gain = 0
    best.feature = -1
    scan(start, end, 0, take, pos, all, count)
    if (best.feature < 0 && take < order.length) scan(start, end, take, order.length, pos, all, count)
    if (best.feature < 0) continue
    const mid = partition(start, end)
    const leftNode = addNode(best.leftPos, best.leftAll)
    const rightNode = addNode(pos - best.leftPos, all - best.leftAll)
    feature[node] = best.feature
    thresholdBin[node] = best.bin
    missingLeft[node] = best.missingLeft ? 1 : 0
    left[node] = leftNode
    right[node] = rightNode
    gain[node] = best.gain
    stack.push([rightNode, mid, end, depth + 1, pos - best.leftPos, all - best.leftAll])
    stack.push([leftNode, start, mid, depth + 1, best.leftPos, best.leftAll])
  }
  return {
    feature: Int32Array.from(feature),
    thresholdBin: Int32Array.from(thresholdBin),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    gain: Float64Array.from(gain)
  }
}
