/**
 * thresholdAtBestF1: the best-F1 threshold against a brute-force search over every candidate,
 * ties resolved to the higher threshold, NaN scores ranked lowest, no positives → undefined.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { confusionAt, rates, thresholdAtBestF1 } from "../src/index.js"

const bruteForce = (scores: ReadonlyArray<number>, y: ReadonlyArray<number>) => {
  const candidates = [...new Set(scores.map((s) => (Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s)))].sort((a, b) => b - a)
  let best = { threshold: Number.NaN, f1: -1 }
  for (const t of candidates) {
    const f1 = rates(confusionAt(scores, y, t)).f1
    if (f1 > best.f1) best = { threshold: t, f1 }
  }
  return best
}

describe("thresholdAtBestF1", () => {
  it("finds the threshold a brute-force search finds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.oneof(fc.integer({ min: 0, max: 20 }).map((v) => v / 20), fc.constant(Number.NaN)), y: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 60 }),
        (rows) => {
          const scores = rows.map((r) => r.s)
          const y = rows.map((r) => r.y)
          const got = thresholdAtBestF1(scores, y)
          if (!y.includes(1)) {
            expect(got).toBeUndefined()
            return
          }
          const want = bruteForce(scores, y)
          expect(got!.threshold).toBe(want.threshold)
          expect(got!.f1).toBeCloseTo(want.f1, 12)
          expect(got!.confusion).toEqual(confusionAt(scores, y, got!.threshold))
        }
      ),
      { numRuns: 300, seed: 7 }
    )
  })

  it("prefers the higher threshold on a tie", () => {
    // flagging {0.9} gives F1 2/3 (tp 1, fn 1); flagging {0.9, 0.5} gives tp 2, fp 2 → F1 2/3 as well
    const got = thresholdAtBestF1([0.9, 0.5, 0.5, 0.5, 0.1], [1, 1, 0, 0, 0])
    expect(got?.threshold).toBe(0.9)
    expect(got?.f1).toBeCloseTo(2 / 3, 12)
  })
})
