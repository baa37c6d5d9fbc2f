/**
 * The fitted gradient-boosted model: feature names, base score, trees, training record.
 *
 * Holds: `GbdtModel` (raw scores and probabilities over columns already in the model's feature
 * order, gain importance normalised to sum 1) and `sigmoid`.
 * Does not hold: training (`boost.ts`), the file format (`model-file.ts`) or feature-set checks
 * (`@hashhound/ml`).
 */
import { addTreeRaw, type Tree } from "./tree.js"

/** What fit did, for the model card. */
export interface GbdtInfo {
  readonly training_rows: number
  readonly validation_rows: number
  /** trees grown before stopping */
  readonly trees_trained: number
  /** trees in the model: the best round's count, its refit count, or all */
  readonly trees_kept: number
  /** trees up to the best validation round; null without early stopping */
  readonly best_round: number | null
  /** whether the model was refit on all rows after early stopping */
  readonly refit: boolean
  /** the early-stopping metric; null without early stopping */
  readonly validation_metric: "logloss" | "roc_auc" | null
  /** its value at the best round (log-loss weighted; ROC-AUC unweighted) */
  readonly validation_score: number | null
  /** weighted validation log-loss at the best round when that was the metric, else null */
  readonly validation_logloss: number | null
  readonly threads_used: number
}

export const sigmoid = (s: number): number => (s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s)))

export class GbdtModel {
  constructor(
    readonly featureNames: ReadonlyArray<string>,
    readonly baseScore: number,
    readonly trees: ReadonlyArray<Tree>,
    readonly info: GbdtInfo
  ) {}

  /** Log-odds per row; `columns` are in `featureNames` order. */
  rawScores(columns: ReadonlyArray<Float64Array>, rows: number): Float64Array {
    const out = new Float64Array(rows).fill(this.baseScore)
    for (const tree of this.trees) addTreeRaw(tree, columns, rows, out)
    return out
  }

  probabilities(columns: ReadonlyArray<Float64Array>, rows: number): Float64Array {
    const out = this.rawScores(columns, rows)
    for (let i = 0; i < rows; i++) out[i] = sigmoid(out[i]!)
    return out
  }

  /** Total split gain per feature over all trees, normalised to sum 1 (all zero when no split). */
  gainImportance(): Record<string, number> {
    const totals = new Float64Array(this.featureNames.length)
    for (const tree of this.trees) {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!
        if (f >= 0) totals[f] = totals[f]! + tree.gain[node]!
      }
    }
    let sum = 0
    for (const t of totals) sum += t
    const result: Record<string, number> = {}
    this.featureNames.forEach((name, f) => {
      result[name] = sum > 0 ? totals[f]! / sum : 0
    })
    return result
  }
}
