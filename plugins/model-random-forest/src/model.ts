/**
 * The fitted random forest: feature names, trees, importance, training record.
 *
 * Holds: `ForestTree` (what prediction needs: feature, threshold value, missing direction,
 * children, leaf probability), `ForestModel` (probabilities as the mean of the trees' leaf
 * probabilities over columns already in the model's feature order).
 * Does not hold: training (`forest.ts`) or the file format (`model-file.ts`).
 */

export interface ForestTree {
  readonly feature: Int32Array
  readonly threshold: Float64Array
  readonly missingLeft: Uint8Array
  readonly left: Int32Array
  readonly right: Int32Array
  readonly value: Float64Array
}

/** What fit did, for the model card. */
export interface ForestInfo {
  readonly training_rows: number
  readonly trees: number
  readonly features_per_split: number
  /** rows that were out of bag for at least one tree */
  readonly oob_rows: number
  /** ROC-AUC of the out-of-bag probabilities; null without bootstrap or when a class is absent */
  readonly oob_roc_auc: number | null
  /** accuracy of the out-of-bag probabilities at 0.5; null without bootstrap */
  readonly oob_accuracy: number | null
  readonly threads_used: number
}

export class ForestModel {
  constructor(
    readonly featureNames: ReadonlyArray<string>,
    readonly trees: ReadonlyArray<ForestTree>,
    /** weighted impurity decrease per feature, normalised to sum 1 */
    readonly importance: Readonly<Record<string, number>>,
    readonly info: ForestInfo
  ) {}

  /** P(mining) per row: the mean leaf probability over the trees. */
  probabilities(columns: ReadonlyArray<Float64Array>, rows: number): Float64Array {
    const sum = new Float64Array(rows)
    for (const tree of this.trees) {
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
        sum[r] = sum[r]! + value[node]!
      }
    }
    const count = Math.max(1, this.trees.length)
    for (let r = 0; r < rows; r++) sum[r] = sum[r]! / count
    return sum
  }
}
