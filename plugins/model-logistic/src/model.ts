/**
 * The fitted logistic regression: feature names, standardiser, intercept and coefficients.
 *
 * Holds: `LogisticModel` (probabilities over columns already in the model's feature order, and
 * importance as |coefficient| on the standardised scale, normalised to sum 1).
 * Does not hold: fitting (`newton.ts`) or the file format (`model-file.ts`).
 */
import { linearScores, type Standardiser } from "./newton.js"

export interface LogisticInfo {
  readonly training_rows: number
  readonly iterations: number
  readonly converged: boolean
  /** penalised weighted log-loss sum at the end of fitting */
  readonly objective: number
}

const sigmoid = (s: number): number => (s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s)))

export class LogisticModel {
  constructor(
    readonly featureNames: ReadonlyArray<string>,
    readonly standardiser: Standardiser,
    readonly intercept: number,
    /** per feature, on the standardised scale */
    readonly coefficients: Float64Array,
    readonly info: LogisticInfo
  ) {}

  probabilities(columns: ReadonlyArray<Float64Array>, rows: number): Float64Array {
    const scores = linearScores(columns, rows, this.standardiser, this.intercept, this.coefficients)
    for (let r = 0; r < rows; r++) scores[r] = sigmoid(scores[r]!)
    return scores
  }

  importance(): Record<string, number> {
    const total = this.coefficients.reduce((sum, c) => sum + Math.abs(c), 0)
    const result: Record<string, number> = {}
    this.featureNames.forEach((name, j) => {
      result[name] = total > 0 ? Math.abs(this.coefficients[j]!) / total : 0
    })
    return result
  }
}
