/**
 * Per-row training weights shared by the model plugins.
 *
 * Holds: `sampleWeights`, explicit weights times class weights (`balanced`: n / (2 n_class),
 * left at 1 when a class is absent).
 * Does not hold: how a model uses the weights.
 */

/** Per-row weights: explicit weights (1 when absent) times class weights. */
export const sampleWeights = (y: Uint8Array, weights: Float64Array | undefined, classWeight: "none" | "balanced"): Float64Array => {
  const n = y.length
  let positives = 0
  for (let i = 0; i < n; i++) positives += y[i]!
  let negativeWeight = 1
  let positiveWeight = 1
  if (classWeight === "balanced" && positives > 0 && positives < n) {
    negativeWeight = n / (2 * (n - positives))
    positiveWeight = n / (2 * positives)
  }
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) w[i] = (weights === undefined ? 1 : weights[i]!) * (y[i] === 1 ? positiveWeight : negativeWeight)
  return w
}
