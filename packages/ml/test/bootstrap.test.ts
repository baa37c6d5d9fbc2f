/**
 * The bootstrap interval of ROC-AUC: hand-checkable extremes (a perfect ranking, all ties), the
 * percentile rule, determinism for a seed, and that the interval brackets the estimate and narrows
 * with more rows; the paired interval of a difference of two models' ROC-AUC.
 */
import { describe, expect, it } from "@effect/vitest"
import { bootstrapRocAuc, bootstrapRocAucDifference, quantileSorted } from "../src/metrics/bootstrap.js"
import { rocAuc } from "../src/metrics/roc.js"
import { makeRng } from "../src/random.js"

/** `rows` rows, score = label + noise of the given width. */
const noisy = (rows: number, seed: number, width: number): { scores: Float64Array; y: Uint8Array } => {
  const rng = makeRng(seed)
  const y = Uint8Array.from({ length: rows }, () => (rng.float() < 0.4 ? 1 : 0))
  const scores = Float64Array.from(y, (label) => label + rng.float() * width)
  return { scores, y }
}

describe("quantileSorted", () => {
  it("interpolates linearly between order statistics", () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5])
    expect(quantileSorted(sorted, 0)).toBe(1)
    expect(quantileSorted(sorted, 1)).toBe(5)
    expect(quantileSorted(sorted, 0.5)).toBe(3)
    // h = 4 · 0.1 = 0.4 → 1 + 0.4 · (2 − 1)
    expect(quantileSorted(sorted, 0.1)).toBeCloseTo(1.4, 12)
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN()
  })
})

describe("bootstrapRocAuc", () => {
  it("is [1, 1] for a perfect ranking and [0.5, 0.5] when every score ties", () => {
    const perfect = bootstrapRocAuc([0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1], { resamples: 200, seed: 4 })
    expect([perfect.auc, perfect.lower, perfect.upper]).toEqual([1, 1, 1])
    const ties = bootstrapRocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], { resamples: 200, seed: 4 })
    expect([ties.auc, ties.lower, ties.upper]).toEqual([0.5, 0.5, 0.5])
  })

  it("leaves out resamples that miss a class and says how many it kept", () => {
    // one positive in 3 rows: a resample of 3 draws misses it with probability (2/3)^3 = 8/27 and
    // holds nothing else with (1/3)^3 = 1/27, so about 18/27 of the resamples are kept
    const result = bootstrapRocAuc([0.9, 0.2, 0.1], [1, 0, 0], { resamples: 2000, seed: 9 })
    expect(result.resamples).toBeLessThan(2000)
    expect(result.resamples / 2000).toBeCloseTo(18 / 27, 1)
    expect(result.lower).toBe(1)
  })

  it("is the same for a seed, brackets the estimate, and narrows with more rows", () => {
    const small = noisy(300, 1, 1.6)
    const a = bootstrapRocAuc(small.scores, small.y, { resamples: 400, seed: 7 })
    const b = bootstrapRocAuc(small.scores, small.y, { resamples: 400, seed: 7 })
    expect(a).toEqual(b)
    expect(a.auc).toBe(rocAuc(small.scores, small.y))
    expect(a.lower).toBeLessThan(a.auc)
    expect(a.upper).toBeGreaterThan(a.auc)
    expect(a.level).toBe(0.95)
    const large = noisy(4800, 1, 1.6)
    const c = bootstrapRocAuc(large.scores, large.y, { resamples: 400, seed: 7 })
    // the width shrinks roughly with 1/sqrt(rows): 16× the rows, about a quarter of the width
    expect(c.upper - c.lower).toBeLessThan((a.upper - a.lower) / 2.5)
  })

  it("a narrower level gives a narrower interval inside the wider one", () => {
    const data = noisy(500, 3, 1.5)
    const wide = bootstrapRocAuc(data.scores, data.y, { resamples: 500, seed: 2, level: 0.95 })
    const narrow = bootstrapRocAuc(data.scores, data.y, { resamples: 500, seed: 2, level: 0.5 })
    expect(narrow.lower).toBeGreaterThanOrEqual(wide.lower)
    expect(narrow.upper).toBeLessThanOrEqual(wide.upper)
  })
})

describe("bootstrapRocAucDifference", () => {
  it("is exactly 0 for a model against itself and brackets a real difference", () => {
    const data = noisy(600, 5, 1.5)
    const same = bootstrapRocAucDifference(data.scores, data.scores, data.y, { resamples: 300, seed: 3 })
    expect([same.difference, same.lower, same.upper]).toEqual([0, 0, 0])
    // b: the same scores with extra noise, so a ranks better on almost every resample
    const rng = makeRng(8)
    const worse = Float64Array.from(data.scores, (score) => score + rng.float() * 2)
    const paired = bootstrapRocAucDifference(data.scores, worse, data.y, { resamples: 300, seed: 3 })
    expect(paired.difference).toBeCloseTo(rocAuc(data.scores, data.y) - rocAuc(worse, data.y), 12)
    expect(paired.difference).toBeGreaterThan(0)
    expect(paired.lower).toBeGreaterThan(0)
    expect(paired.upper).toBeGreaterThan(paired.difference)
    expect(paired.resamples).toBe(300)
    expect(bootstrapRocAucDifference(data.scores, worse, data.y, { resamples: 300, seed: 3 })).toEqual(paired)
  })

  it("is narrower than the two separate intervals when the models' errors are shared", () => {
    const data = noisy(800, 6, 1.4)
    const rng = makeRng(2)
    const other = Float64Array.from(data.scores, (score) => score + rng.float() * 0.05)
    const paired = bootstrapRocAucDifference(data.scores, other, data.y, { resamples: 400, seed: 1 })
    const alone = bootstrapRocAuc(data.scores, data.y, { resamples: 400, seed: 1 })
    expect(paired.upper - paired.lower).toBeLessThan((alone.upper - alone.lower) / 4)
  })
})
