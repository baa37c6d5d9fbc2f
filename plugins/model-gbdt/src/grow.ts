/**
 * Growing one boosting tree on the bin matrix, depth-wise or leaf-wise.
 *
 * Holds: `growTree`, which keeps the rows of every open node as a contiguous range of a shared
 * index (stable in-place partition, so ranges stay in ascending row order), builds the smaller
 * child's histogram and derives the larger child's by subtraction, skips histograms of nodes
 * that cannot split, and stops at `max_depth` / `max_leaves`. Depth-wise growth splits open
 * nodes in breadth-first order; leaf-wise growth always splits the open node with the best gain.
 * Does not hold: gradients, sampling or the boosting loop (`boost.ts`), threads (`threads.ts`).
 */
import { histogramLength, subtractHistogram } from "./histogram.js"
import { emptySplit, findBestSplit, type NodeSplit, type SplitParams } from "./split.js"
import { TreeBuilder } from "./tree.js"

export interface GrowParams extends SplitParams {
  readonly maxDepth: number
  /** 0: no limit other than max_depth */
  readonly maxLeaves: number
  readonly leafwise: boolean
  readonly learningRate: number
}

/** Fills `out` for the active features from rows `idx[start..end)` (one thread or several). */
export type HistogramBuild = (start: number, end: number, out: Float64Array) => void

export interface GrowState {
  readonly bins: Uint8Array
  readonly features: number
  readonly stride: number
  readonly binCounts: Int32Array
  readonly idx: Uint32Array
  readonly tmp: Uint32Array
  readonly grad: Float64Array
  readonly hess: Float64Array
  /** active features of this tree, ascending, in the first `activeCount` slots */
  readonly active: Int32Array
  activeCount: number
  readonly params: GrowParams
  readonly build: HistogramBuild
  /** recycled histogram buffers */
  readonly pool: Array<Float64Array>
}

interface Open {
  readonly node: number
  readonly depth: number
  readonly g: number
  readonly h: number
  readonly c: number
  hist: Float64Array
  readonly split: NodeSplit
}

const takeHist = (state: GrowState): Float64Array =>
  state.pool.pop() ?? new Float64Array(histogramLength(state.features, state.stride))

const canSplit = (state: GrowState, depth: number, c: number, h: number): boolean => {
  const p = state.params
  return depth < p.maxDepth && c >= 2 * p.minSamplesLeaf && h >= 2 * p.minChildWeight
}

/** Stable partition of `idx[start..end)`; returns the first index of the right part. */
const partition = (state: GrowState, start: number, end: number, split: NodeSplit): number => {
  const { bins, features, idx, tmp } = state
  const f = split.feature
  const t = split.bin
  const missing = state.stride - 1
  const missingLeft = split.missingLeft
  let l = start
  let rightCount = 0
  for (let i = start; i < end; i++) {
    const r = idx[i]!
    const b = bins[r * features + f]!
    if (b === missing ? missingLeft : b <= t) idx[l++] = r
    else tmp[rightCount++] = r
  }
  idx.set(tmp.subarray(0, rightCount), l)
  return l
}

/**
 * Grow a tree over the rows `idx[0..rows)`. Leaves get `-learning_rate * G / (H + lambda)`;
 * the builder keeps each leaf's row range so the caller can update scores without traversal.
 */
export const growTree = (state: GrowState, rows: number): TreeBuilder => {
  const p = state.params
  const tree = new TreeBuilder()
  let g = 0
  let h = 0
  for (let i = 0; i < rows; i++) {
    const r = state.idx[i]!
    g += state.grad[r]!
    h += state.hess[r]!
  }
  const open: Array<Open> = []
  const leafValue = (sumG: number, sumH: number): number => (-p.learningRate * sumG) / (sumH + p.lambda)

  const consider = (node: number, depth: number, sg: number, sh: number, sc: number, hist: Float64Array | null): void => {
    tree.value[node] = leafValue(sg, sh)
    if (hist === null) return
    const split = emptySplit()
    if (findBestSplit(hist, state.active, state.activeCount, state.binCounts, state.stride, sg, sh, sc, p, split)) {
      open.push({ node, depth, g: sg, h: sh, c: sc, hist, split })
    } else state.pool.push(hist)
  }

  const root = tree.addLeaf(0, rows, h)
  if (canSplit(state, 0, rows, h)) {
    const hist = takeHist(state)
    state.build(0, rows, hist)
    consider(root, 0, g, h, rows, hist)
  } else tree.value[root] = leafValue(g, h)

  let leaves = 1
  const maxLeaves = p.maxLeaves > 0 ? p.maxLeaves : Number.POSITIVE_INFINITY
  while (open.length > 0 && leaves < maxLeaves) {
    let pick = 0
    if (p.leafwise) {
      for (let i = 1; i < open.length; i++) if (open[i]!.split.gain > open[pick]!.split.gain) pick = i
    }
    const item = open.splice(pick, 1)[0]!
    const { node, split } = item
    const start = tree.start[node]!
    const end = tree.end[node]!
    const mid = partition(state, start, end, split)
    const lC = split.leftC
    const rC = item.c - lC
    const lG = split.leftG
    const lH = split.leftH
    const rG = item.g - lG
    const rH = item.h - lH
    const leftNode = tree.addLeaf(start, mid, lH)
    const rightNode = tree.addLeaf(mid, end, rH)
    tree.feature[node] = split.feature
    tree.thresholdBin[node] = split.bin
    tree.missingLeft[node] = split.missingLeft ? 1 : 0
    tree.left[node] = leftNode
    tree.right[node] = rightNode
    tree.gain[node] = split.gain
    leaves++

    const depth = item.depth + 1
    const needLeft = canSplit(state, depth, lC, lH)
    const needRight = canSplit(state, depth, rC, rH)
    let leftHist: Float64Array | null = null
    let rightHist: Float64Array | null = null
    if (needLeft || needRight) {
      const smallIsLeft = lC <= rC
      const small = takeHist(state)
      if (smallIsLeft) state.build(start, mid, small)
      else state.build(mid, end, small)
      // the larger child's histogram overwrites its parent's
      subtractHistogram(item.hist, small, item.hist, state.active, state.activeCount, state.stride)
      leftHist = smallIsLeft ? small : item.hist
      rightHist = smallIsLeft ? item.hist : small
      if (!needLeft) {
        state.pool.push(leftHist)
        leftHist = null
      }
      if (!needRight) {
        state.pool.push(rightHist)
        rightHist = null
      }
    } else state.pool.push(item.hist)
    consider(leftNode, depth, lG, lH, lC, leftHist)
    consider(rightNode, depth, rG, rH, rC, rightHist)
  }
  for (const item of open) state.pool.push(item.hist)
  return tree
}
