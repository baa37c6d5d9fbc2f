/**
 * The ranking and threshold metrics on small inputs whose values were worked out by hand.
 *
 * The main example: scores 0.9 … 0.4 with labels 1 0 1 1 0 0 (3 mining, 3 benign). Ranked
 * ascending the positives hold ranks 3, 4 and 6, so ROC-AUC = (13 − 3·4/2) / (3·3) = 7/9.
 * Flagging from the top, (TP, FP) go (1,0) (1,1) (2,1) (3,1) (3,2) (3,3); average precision is
 * 1/3·1 + 1/3·2/3 + 1/3·3/4 = 29/36.
 */
import { describe, expect, it } from "@effect/vitest"
import { confusionAt, rates } from "../src/metrics/confusion.js"
import { averagePrecision, prCurve } from "../src/metrics/precision-recall.js"
import { ranking, thresholdCounts } from "../src/metrics/ranking.js"
import { rocAuc, rocCurve, thresholdAtFpr, weightedRocAuc } from "../src/metrics/roc.js"

const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
const y = [1, 0, 1, 1, 0, 0]

describe("ranking", () => {
  it("orders rows by ascending score with NaN lowest and marks the groups of ties", () => {
    const ranked = ranking([0.5, Number.NaN, 0.2, 0.5, Number.NaN])
    expect(Array.from(ranked.order.subarray(0, 2)).sort()).toEqual([1, 4])
    expect(ranked.order[2]).toBe(2)
    expect(Array.from(ranked.order.subarray(3)).sort()).toEqual([0, 3])
    expect(Array.from(ranked.groupEnds)).toEqual([2, 3, 5])
  })

  it("counts positives and negatives at or above every distinct score, highest first", () => {
    const counts = thresholdCounts([0.2, 0.8, 0.8, 0.5], [0, 1, 0, 1])
    expect(Array.from(counts.thresholds)).toEqual([0.8, 0.5, 0.2])
    expect(Array.from(counts.tp)).toEqual([1, 2, 2])
    expect(Array.from(counts.fp)).toEqual([1, 1, 2])
    expect([counts.positives, counts.negatives]).toEqual([2, 2])
  })
})

describe("rocAuc", () => {
  it("is the rank-sum AUC: 7/9 on the worked example", () => {
    expect(rocAuc(scores, y)).toBeCloseTo(7 / 9, 12)
  })

  it("counts a tied positive-negative pair as half, and ranks NaN scores lowest", () => {
    // pairs (pos 0.5 vs neg 0.5) = 1/2, (pos 0.5 vs neg 0.1) = 1 → (1/2 + 1) / 2
    expect(rocAuc([0.5, 0.5, 0.1], [1, 0, 0])).toBe(0.75)
    expect(rocAuc([Number.NaN, 0.2], [1, 0])).toBe(0)
    expect(rocAuc([Number.NaN, Number.NaN], [1, 0])).toBe(0.5)
  })

  it("is NaN when a class is absent", () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN()
    expect(rocAuc([], [])).toBeNaN()
  })

  it("weighted: equal weights give the plain AUC; a weight counts a row that many times", () => {
    expect(weightedRocAuc(scores, y, [1, 1, 1, 1, 1, 1])).toBeCloseTo(7 / 9, 12)
    // the benign 0.8 row counted twice: positives 0.9, 0.7, 0.6 against negatives
    // {0.8, 0.8, 0.5, 0.4} win 4 + 2 + 2 = 8 of 3·4 = 12 pairs
    expect(weightedRocAuc(scores, y, [1, 2, 1, 1, 1, 1])).toBeCloseTo(8 / 12, 12)
    // a zero weight drops the row: without the 0.8 benign row every positive beats both negatives
    expect(weightedRocAuc(scores, y, [1, 0, 1, 1, 1, 1])).toBe(1)
  })
})

describe("rocCurve", () => {
  it("gives every point from (0, 0) to (1, 1) with its threshold", () => {
    const curve = rocCurve(scores, y)
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    expect(Array.from(curve.fpr)).toEqual([0, 0, 1 / 3, 1 / 3, 1 / 3, 2 / 3, 1])
    expect(Array.from(curve.tpr)).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1, 1, 1])
    // trapezoid area under those points is the rank AUC
    let area = 0
    for (let i = 1; i < curve.fpr.length; i++) area += ((curve.fpr[i]! - curve.fpr[i - 1]!) * (curve.tpr[i]! + curve.tpr[i - 1]!)) / 2
    expect(area).toBeCloseTo(7 / 9, 12)
  })

  it("has NaN rates for an absent class", () => {
    const curve = rocCurve([0.3, 0.6], [0, 0])
    expect(Array.from(curve.fpr)).toEqual([0, 0.5, 1])
    expect(Array.from(curve.tpr).every(Number.isNaN)).toBe(true)
  })
})

describe("thresholdAtFpr", () => {
  it("picks the lowest threshold whose false-positive rate stays within the target", () => {
    const strict = thresholdAtFpr(scores, y, 0)!
    expect(strict.threshold).toBe(0.9)
    expect([strict.fpr, strict.tpr]).toEqual([0, 1 / 3])
    expect(strict.confusion).toEqual({ tp: 1, fp: 0, tn: 3, fn: 2 })
    const third = thresholdAtFpr(scores, y, 0.34)!
    expect(third.threshold).toBe(0.6)
    expect([third.fpr, third.tpr]).toEqual([1 / 3, 1])
    expect(thresholdAtFpr(scores, y, 0.5)!.threshold).toBe(0.6)
    expect(thresholdAtFpr(scores, y, 1)!.threshold).toBe(0.4)
  })

  it("flags nothing (+Infinity) when even the top score is a false alarm, and is undefined without both classes", () => {
    const none = thresholdAtFpr([0.9, 0.1], [0, 1], 0)!
    expect(none.threshold).toBe(Infinity)
    expect(none.confusion).toEqual({ tp: 0, fp: 0, tn: 1, fn: 1 })
    expect(thresholdAtFpr([0.9, 0.1], [1, 1], 0.1)).toBeUndefined()
  })

  it("keeps tied scores together: a tie holding a false alarm is taken whole or not at all", () => {
    // 0.7 is held by one mining and one benign row
    const point = thresholdAtFpr([0.9, 0.7, 0.7, 0.1], [1, 1, 0, 0], 0.4)!
    expect(point.threshold).toBe(0.9)
    expect(point.tpr).toBe(0.5)
  })
})

describe("confusionAt and rates", () => {
  it("counts rows scoring at or above the threshold as flagged", () => {
    const c = confusionAt(scores, y, 0.7)
    expect(c).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 })
    const r = rates(c)
    expect(r.precision).toBeCloseTo(2 / 3, 12)
    expect(r.recall).toBeCloseTo(2 / 3, 12)
    expect(r.f1).toBeCloseTo(2 / 3, 12)
    expect(r.fpr).toBeCloseTo(1 / 3, 12)
    expect(r.accuracy).toBeCloseTo(4 / 6, 12)
  })

  it("F1 is the harmonic mean of precision and recall", () => {
    // tp 3, fp 1, fn 2: precision 3/4, recall 3/5, F1 = 2·(3/4)(3/5)/(3/4 + 3/5) = 2/3
    const r = rates({ tp: 3, fp: 1, tn: 10, fn: 2 })
    expect(r.precision).toBe(0.75)
    expect(r.recall).toBe(0.6)
    expect(r.f1).toBeCloseTo(2 / 3, 12)
  })

  it("treats NaN scores as -Infinity and gives NaN where a rate has no denominator", () => {
    expect(confusionAt([Number.NaN, 0.5], [1, 0], 0.1)).toEqual({ tp: 0, fp: 1, tn: 0, fn: 1 })
    expect(confusionAt([Number.NaN], [1], Number.NEGATIVE_INFINITY)).toEqual({ tp: 1, fp: 0, tn: 0, fn: 0 })
    const nothingFlagged = rates({ tp: 0, fp: 0, tn: 5, fn: 0 })
    expect(nothingFlagged.precision).toBeNaN()
    expect(nothingFlagged.recall).toBeNaN()
    expect(nothingFlagged.f1).toBeNaN()
    expect(nothingFlagged.fpr).toBe(0)
  })
})

describe("prCurve and averagePrecision", () => {
  it("gives precision and recall at every distinct threshold after the start point (0, 1)", () => {
    const curve = prCurve(scores, y)
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    expect(Array.from(curve.recall)).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1, 1, 1])
    expect(Array.from(curve.precision)).toEqual([1, 1, 1 / 2, 2 / 3, 3 / 4, 3 / 5, 1 / 2])
  })

  it("average precision is 29/36 on the worked example, 1 for a perfect ranking, NaN without positives", () => {
    expect(averagePrecision(scores, y)).toBeCloseTo(29 / 36, 12)
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1)
    expect(averagePrecision([0.9, 0.8], [0, 0])).toBeNaN()
  })

  it("takes a tie as one step: all tied rows flagged together", () => {
    // one threshold, tp 1 of fp 1: recall 1 at precision 1/2
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBe(0.5)
  })
})
