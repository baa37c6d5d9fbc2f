/**
 * Ranking scores for the threshold metrics: the order every curve and rank statistic walks.
 *
 * Holds: `scoreKeys` (scores as sort keys, NaN as -Infinity so a missing score ranks lowest and
 * is flagged only at the lowest threshold), `ranking` (row order by ascending key, plus where each
 * group of tied keys ends) and `thresholdCounts` (for every distinct score, from the highest down,
 * how many positive and negative rows score at or above it) and `thresholdCurve` (a curve over
 * those counts: a start point at +Infinity, then one point per distinct score). Labels are 1 for
 * positive (mining); any other value is negative.
 * Does not hold: any metric itself (`roc.ts`, `precision-recall.ts`, `confusion.ts`, …).
 */

/** Scores as sort keys: NaN becomes -Infinity, everything else is kept. */
export const scoreKeys = (scores: ArrayLike<number>): Float64Array => {
  const keys = new Float64Array(scores.length)
  for (let i = 0; i < keys.length; i++) {
    const value = scores[i]!
    keys[i] = value !== value ? Number.NEGATIVE_INFINITY : value
  }
  return keys
}

/** Rows by ascending key; rows `order[groupEnds[g-1] .. groupEnds[g]-1]` share one key. */
export interface Ranking {
  readonly keys: Float64Array
  readonly order: Uint32Array
  /** exclusive end (in `order`) of each group of tied keys, ascending */
  readonly groupEnds: Uint32Array
}

export const ranking = (scores: ArrayLike<number>): Ranking => {
  const keys = scoreKeys(scores)
  const n = keys.length
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  // -Infinity - -Infinity is NaN: `|| 0` keeps tied missing scores equal
  order.sort((a, b) => keys[a]! - keys[b]! || 0)
  const ends: Array<number> = []
  for (let k = 1; k <= n; k++) if (k === n || keys[order[k]!] !== keys[order[k - 1]!]) ends.push(k)
  return { keys, order, groupEnds: Uint32Array.from(ends) }
}

/** Cumulative counts at every distinct score, highest first ("flag rows scoring at or above"). */
export interface ThresholdCounts {
  readonly positives: number
  readonly negatives: number
  /** distinct keys, descending (NaN scores appear as -Infinity) */
  readonly thresholds: Float64Array
  /** positive rows with a key >= thresholds[i] */
  readonly tp: Float64Array
  /** negative rows with a key >= thresholds[i] */
  readonly fp: Float64Array
}

export const thresholdCounts = (scores: ArrayLike<number>, y: ArrayLike<number>): ThresholdCounts => {
  const { keys, order, groupEnds } = ranking(scores)
  const groups = groupEnds.length
  const thresholds = new Float64Array(groups)
  const tp = new Float64Array(groups)
  const fp = new Float64Array(groups)
  let positives = 0
  let negatives = 0
  for (let g = groups - 1, out = 0; g >= 0; g--, out++) {
    const start = g === 0 ? 0 : groupEnds[g - 1]!
    const end = groupEnds[g]!
    for (let k = start; k < end; k++) {
      if (y[order[k]!] === 1) positives++
      else negatives++
    }
    thresholds[out] = keys[order[start]!]!
    tp[out] = positives
    fp[out] = negatives
  }
  return { positives, negatives, thresholds, tp, fp }
}

/** Points of a curve: `x[i]`, `y[i]` when flagging rows scoring at or above `thresholds[i]`. */
export interface ThresholdCurve {
  /** +Infinity (nothing flagged) for the start point, then every distinct score descending */
  readonly thresholds: Float64Array
  readonly x: Float64Array
  readonly y: Float64Array
}

/** The start point, then `point(tp, fp)` at every distinct threshold of `counts`, highest first. */
export const thresholdCurve = (
  counts: ThresholdCounts,
  start: readonly [x: number, y: number],
  point: (tp: number, fp: number) => readonly [x: number, y: number]
): ThresholdCurve => {
  const points = counts.thresholds.length + 1
  const thresholds = new Float64Array(points)
  const x = new Float64Array(points)
  const y = new Float64Array(points)
  thresholds[0] = Number.POSITIVE_INFINITY
  x[0] = start[0]
  y[0] = start[1]
  for (let i = 0; i < counts.thresholds.length; i++) {
    const [px, py] = point(counts.tp[i]!, counts.fp[i]!)
    thresholds[i + 1] = counts.thresholds[i]!
    x[i + 1] = px
    y[i + 1] = py
  }
  return { thresholds, x, y }
}
