/** `sampleWeights`: explicit weights times balanced class weights, hand-computed. */
import { describe, expect, it } from "vitest"
import { sampleWeights } from "../src/weights.js"

describe("sampleWeights", () => {
  it("balanced: n / (2 n_class) times the explicit weight; none: the explicit weights", () => {
    const y = Uint8Array.from([0, 0, 0, 1])
    expect([...sampleWeights(y, undefined, "balanced")]).toEqual([4 / 6, 4 / 6, 4 / 6, 2])
    expect([...sampleWeights(y, Float64Array.from([1, 2, 3, 0.5]), "balanced")]).toEqual([4 / 6, 8 / 6, 2, 1])
    expect([...sampleWeights(y, Float64Array.from([1, 2, 3, 0.5]), "none")]).toEqual([1, 2, 3, 0.5])
  })

  it("a class that is absent leaves the weights at 1", () => {
    expect([...sampleWeights(Uint8Array.from([1, 1]), undefined, "balanced")]).toEqual([1, 1])
  })
})
