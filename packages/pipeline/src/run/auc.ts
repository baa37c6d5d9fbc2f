/**
 * ROC-AUC by ranks (the Mann–Whitney U statistic), ties given their average rank.
 *
 * Holds: `rocAuc`. NaN scores rank lowest. Undefined when either class is absent.
 * Does not hold: thresholds or curves (the full evaluation comes later).
 */
export const rocAuc = (scores: ArrayLike<number>, positive: ArrayLike<number>): number | undefined => {
  const n = scores.length
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const key = (i: number): number => {
    const value = scores[i]!
    return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value
  }
  order.sort((a, b) => key(a) - key(b) || 0)
  let positives = 0
  let rankSum = 0
  let start = 0
  while (start < n) {
    let end = start + 1
    while (end < n && key(order[end]!) === key(order[start]!)) end++
    const averageRank = (start + 1 + end) / 2 // ranks start..end-1 are 1-based start+1..end
    for (let k = start; k < end; k++) {
      if (positive[order[k]!] === 1) {
        positives++
        rankSum += averageRank
      }
    }
    start = end
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return undefined
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}
