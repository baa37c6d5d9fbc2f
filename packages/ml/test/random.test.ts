/**
 * The seeded generator and the samplers built on it: same seed and stream, same numbers; other
 * streams differ; samples are distinct, ascending and of the asked size.
 */
import { describe, expect, it } from "@effect/vitest"
import { makeRng, pickDistinct, sampleAscending } from "../src/random.js"

const take = (seed: number, stream: number, count: number): Array<number> => {
  const rng = makeRng(seed, stream)
  return Array.from({ length: count }, () => rng.float())
}

describe("makeRng", () => {
  it("repeats for a seed and stream, and differs across seeds and streams", () => {
    expect(take(5, 0, 20)).toEqual(take(5, 0, 20))
    expect(take(5, 0, 20)).not.toEqual(take(6, 0, 20))
    expect(take(5, 0, 20)).not.toEqual(take(5, 1, 20))
    expect(makeRng(5).float()).toBe(makeRng(5, 0).float())
  })

  it("gives floats in [0, 1) with a mean near 1/2 and integers below n covering 0..n-1", () => {
    const rng = makeRng(11)
    let sum = 0
    const seen = new Set<number>()
    for (let i = 0; i < 20_000; i++) {
      const v = rng.float()
      expect(v >= 0 && v < 1).toBe(true)
      sum += v
      seen.add(rng.below(7))
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01)
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })
})

describe("sampleAscending", () => {
  it("writes k distinct ascending indices of 0..n-1, or all n when k >= n", () => {
    const out = new Uint32Array(10)
    const written = sampleAscending(makeRng(3), 100, 10, out)
    expect(written).toBe(10)
    for (let i = 1; i < 10; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!)
    expect(out[9]!).toBeLessThan(100)
    const all = new Uint32Array(5)
    expect(sampleAscending(makeRng(3), 5, 8, all)).toBe(5)
    expect(Array.from(all)).toEqual([0, 1, 2, 3, 4])
  })
})

describe("pickDistinct", () => {
  it("picks k distinct values of 0..n-1, sorted", () => {
    const picked = Array.from(pickDistinct(makeRng(8), 20, 6))
    expect(picked.length).toBe(6)
    expect(new Set(picked).size).toBe(6)
    expect(picked).toEqual([...picked].sort((a, b) => a - b))
    expect(Array.from(pickDistinct(makeRng(8), 3, 9))).toEqual([0, 1, 2])
  })
})
