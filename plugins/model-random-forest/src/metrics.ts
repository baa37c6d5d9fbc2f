/**
 * Ranking metrics on scores.
 *
 * Holds: `rocAuc` (area under the ROC curve by the rank-sum formula, ties counted half).
 * Does not hold: threshold metrics at a target false-positive rate (evaluation's job).
 * Copy of `plugins/model-gbdt/src/metrics.ts`
 * (plugins may not import each other); keep the copies identical until a shared package holds them.
 */

/** ROC-AUC of `scores` against labels 0/1; NaN when one class is absent. */
export const rocAuc = (scores: Float64Array, y: Uint8Array): number => {
  const n = scores.length
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let rankSum = 0
  let i = 0
  while (i < n) {
    let j = i
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++
    // ranks i+1..j+1 share their average
    const rank = (i + j + 2) / 2
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        positives++
        rankSum += rank
      }
    }
    i = j + 1
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return Number.NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}
