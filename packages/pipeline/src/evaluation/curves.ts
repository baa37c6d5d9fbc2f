/**
 * Curves for the report: ROC and precision-recall points, downsampled so a curve file stays small.
 *
 * Holds: `downsample` (keep a point once the path has moved at least total-length / (max − 1)
 * since the last kept point, L1 distance, always keeping both ends: at most `max` points, dense
 * where the curve bends, deterministic) and `curvesOf` (both curves of one model on one dataset,
 * rounded to 6 decimals). Points with a NaN coordinate (a class absent) are dropped.
 * Does not hold: the curve computations themselves (`@hashhound/ml`).
 */
import { prCurve, rocCurve } from "@hashhound/ml"
import type { CurveJson } from "./format.js"

const round = (value: number): number => Math.round(value * 1e6) / 1e6

/** At most `max` (≥ 2) points of the polyline (xs[i], ys[i]), ends kept. */
export const downsample = (xs: ArrayLike<number>, ys: ArrayLike<number>, max: number): { readonly x: Array<number>; readonly y: Array<number> } => {
  const keep: Array<number> = []
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!)) keep.push(i)
  if (keep.length <= max) return { x: keep.map((i) => round(xs[i]!)), y: keep.map((i) => round(ys[i]!)) }
  let length = 0
  for (let k = 1; k < keep.length; k++) length += Math.abs(xs[keep[k]!]! - xs[keep[k - 1]!]!) + Math.abs(ys[keep[k]!]! - ys[keep[k - 1]!]!)
  const step = length / Math.max(1, max - 1)
  const out: Array<number> = [keep[0]!]
  let travelled = 0
  for (let k = 1; k < keep.length - 1; k++) {
    travelled += Math.abs(xs[keep[k]!]! - xs[keep[k - 1]!]!) + Math.abs(ys[keep[k]!]! - ys[keep[k - 1]!]!)
    if (travelled >= step && out.length < max - 1) {
      out.push(keep[k]!)
      travelled = 0
    }
  }
  out.push(keep[keep.length - 1]!)
  return { x: out.map((i) => round(xs[i]!)), y: out.map((i) => round(ys[i]!)) }
}

/** ROC and PR curves of labelled rows, at most `max` points each. */
export const curvesOf = (scores: ArrayLike<number>, y: ArrayLike<number>, max: number): CurveJson => {
  const roc = rocCurve(scores, y)
  const pr = prCurve(scores, y)
  const r = downsample(roc.fpr, roc.tpr, max)
  const p = downsample(pr.recall, pr.precision, max)
  return { roc: { fpr: r.x, tpr: r.y }, pr: { recall: p.x, precision: p.y } }
}
