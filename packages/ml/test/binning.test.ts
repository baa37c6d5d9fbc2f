/**
 * Quantile binning and ROC-AUC: edges, the bin/threshold equivalence that makes raw-value scoring
 * match training, and known AUC values. (Moved here from plugins/model-gbdt with the code it
 * tests; assertions unchanged.)
 */
import { describe, expect, it } from "@effect/vitest"
import { binOf, featureEdges } from "../src/binning.js"
import { rocAuc } from "../src/metrics/roc.js"
import { makeRng } from "../src/random.js"

describe("featureEdges", () => {
  it("uses midpoints between distinct values when there are few", () => {
    const edges = featureEdges(Float64Array.from([3, 1, 2, 2, Number.NaN, 1]), null, 255, makeRng(1))
    expect(Array.from(edges)).toEqual([1.5, 2.5, Infinity])
  })

  it("gives one bin to a constant or all-missing feature", () => {
    expect(Array.from(featureEdges(new Float64Array(10).fill(4), null, 255, makeRng(1)))).toEqual([Infinity])
    expect(Array.from(featureEdges(new Float64Array(10).fill(Number.NaN), null, 255, makeRng(1)))).toEqual([Infinity])
  })

  it("cuts many values into at most max_bins roughly equal bins", () => {
    const rng = makeRng(5)
    const values = Float64Array.from({ length: 50_000 }, () => rng.float() * 100)
    const edges = featureEdges(values, null, 16, makeRng(2))
    expect(edges.length).toBeLessThanOrEqual(16)
    expect(edges.length).toBeGreaterThanOrEqual(15)
    const counts = new Array<number>(edges.length).fill(0)
    for (const v of values) counts[binOf(edges, v, 16)]! += 1
    for (const count of counts) expect(count).toBeGreaterThan(50_000 / 16 / 2)
  })

  it("only bins the given rows", () => {
    const column = Float64Array.from([100, 1, 2, 200])
    expect(Array.from(featureEdges(column, Uint32Array.from([1, 2]), 255, makeRng(1)))).toEqual([1.5, Infinity])
  })
})

describe("binOf", () => {
  it("puts a value at or below edge t into a bin at or below t, and only those", () => {
    const rng = makeRng(9)
    const values = Float64Array.from({ length: 5000 }, () => Math.round(rng.float() * 50) / 10)
    const edges = featureEdges(values, null, 12, makeRng(3))
    for (let i = 0; i < 2000; i++) {
      const v = rng.float() * 6 - 0.5
      const b = binOf(edges, v, 12)
      for (let t = 0; t < edges.length; t++) expect(b <= t).toBe(v <= edges[t]!)
    }
  })

  it("maps NaN to the missing code and infinities to the end bins", () => {
    const edges = Float64Array.from([1, 2, Infinity])
    expect(binOf(edges, Number.NaN, 7)).toBe(7)
    expect(binOf(edges, -Infinity, 7)).toBe(0)
    expect(binOf(edges, Infinity, 7)).toBe(2)
  })
})

describe("rocAuc", () => {
  it("is 1 for a perfect ranking, 0 for a reversed one and 0.5 for all ties", () => {
    const y = Uint8Array.from([0, 0, 1, 1])
    expect(rocAuc(Float64Array.from([0.1, 0.2, 0.8, 0.9]), y)).toBe(1)
    expect(rocAuc(Float64Array.from([0.9, 0.8, 0.2, 0.1]), y)).toBe(0)
    expect(rocAuc(Float64Array.from([0.5, 0.5, 0.5, 0.5]), y)).toBe(0.5)
    expect(rocAuc(Float64Array.from([0.1, 0.6, 0.5, 0.9]), y)).toBe(0.75)
    expect(rocAuc(Float64Array.from([0.1, 0.2]), Uint8Array.from([1, 1]))).toBeNaN()
  })
})
