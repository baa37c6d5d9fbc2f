/**
 * Regression trees as flat typed arrays, and how they predict.
 *
 * Holds: `Tree` (node arrays: feature, threshold value, threshold bin, missing direction,
 * children, leaf value, split gain, hessian cover), a growable `TreeBuilder`, prediction over raw
 * column-major features (`addTreeRaw`) and over the row-major bin matrix used during training
 * (`addTreeBinned`).
 * Does not hold: how trees are grown (`grow.ts`) or saved (`model-file.ts`).
 * A node with `feature < 0` is a leaf. Non-missing `v` goes left when `v <= threshold`
 * (equivalently `bin <= thresholdBin`); missing goes left when `missingLeft` is 1.
 */

export interface Tree {
  readonly feature: Int32Array
  readonly threshold: Float64Array
  readonly thresholdBin: Int32Array
  readonly missingLeft: Uint8Array
  readonly left: Int32Array
  readonly right: Int32Array
  readonly value: Float64Array
  readonly gain: Float64Array
  readonly cover: Float64Array
}

export class TreeBuilder {
  readonly feature: Array<number> = []
  readonly thresholdBin: Array<number> = []
  readonly missingLeft: Array<number> = []
  readonly left: Array<number> = []
  readonly right: Array<number> = []
  readonly value: Array<number> = []
  readonly gain: Array<number> = []
  readonly cover: Array<number> = []
  /** row range of each node in the partitioned index while growing */
  readonly start: Array<number> = []
  readonly end: Array<number> = []

  addLeaf(start: number, end: number, cover: number): number {
    this.feature.push(-1)
    this.thresholdBin.push(0)
    this.missingLeft.push(0)
    this.left.push(-1)
    this.right.push(-1)
    this.value.push(0)
    this.gain.push(0)
    this.cover.push(cover)
    this.start.push(start)
    this.end.push(end)
    return this.feature.length - 1
  }

  get size(): number {
    return this.feature.length
  }

  /** Typed arrays, with threshold values read from the bin edges of each feature. */
  finish(edges: ReadonlyArray<Float64Array>): Tree {
    const feature = Int32Array.from(this.feature)
    const thresholdBin = Int32Array.from(this.thresholdBin)
    const threshold = new Float64Array(feature.length)
    for (let i = 0; i < feature.length; i++) {
      const f = feature[i]!
      threshold[i] = f < 0 ? 0 : edges[f]![thresholdBin[i]!]!
    }
    return {
      feature,
      threshold,
      thresholdBin,
      missingLeft: Uint8Array.from(this.missingLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      gain: Float64Array.from(this.gain),
      cover: Float64Array.from(this.cover)
    }
  }
}

/** `out[r] += leaf value` for every row, reading raw columns in the tree's feature order. */
export const addTreeRaw = (tree: Tree, columns: ReadonlyArray<Float64Array>, rows: number, out: Float64Array): void => {
  const { feature, threshold, missingLeft, left, right, value } = tree
  for (let r = 0; r < rows; r++) {
    let node = 0
    let f = feature[0]!
    while (f >= 0) {
      const v = columns[f]![r]!
      if (v <= threshold[node]!) node = left[node]!
      else if (v !== v) node = missingLeft[node] === 1 ? left[node]! : right[node]!
      else node = right[node]!
      f = feature[node]!
    }
    out[r] = out[r]! + value[node]!
  }
}

/** Leaf index of one row of a row-major bin matrix. */
export const leafBinned = (tree: Tree, bins: Uint8Array, features: number, missingCode: number, row: number): number => {
  const { feature, thresholdBin, missingLeft, left, right } = tree
  const base = row * features
  let node = 0
  let f = feature[0]!
  while (f >= 0) {
    const b = bins[base + f]!
    if (b === missingCode) node = missingLeft[node] === 1 ? left[node]! : right[node]!
    else node = b <= thresholdBin[node]! ? left[node]! : right[node]!
    f = feature[node]!
  }
  return node
}

/** `out[i] += leaf value` for rows `0..rows-1` of a row-major bin matrix. */
export const addTreeBinned = (
  tree: Tree,
  bins: Uint8Array,
  features: number,
  missingCode: number,
  rows: number,
  out: Float64Array
): void => {
  for (let r = 0; r < rows; r++) out[r] = out[r]! + tree.value[leafBinned(tree, bins, features, missingCode, r)]!
}
