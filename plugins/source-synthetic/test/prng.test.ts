import { describe, expect, it } from "@effect/vitest"
import { deriveSeed, Rng } from "../src/sim/prng.js"
import { sample } from "../src/scenario/dist.js"

describe("Rng", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = new Rng(7)
    const b = new Rng(7)
    const c = new Rng(8)
    const xs = Array.from({ length: 5 }, () => a.nextU32())
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs)
    expect(deriveSeed(1, "host:a:0")).toBe(deriveSeed(1, "host:a:0"))
    expect(deriveSeed(1, "host:a:0")).not.toBe(deriveSeed(1, "host:a:1"))
  })

  it("draws distributions with the right means", () => {
    const rng = new Rng(1)
    const n = 40_000
    let exp = 0
    let poisson = 0
    let uniform = 0
    for (let i = 0; i < n; i++) {
      exp += rng.exponential(30)
      poisson += rng.poisson(4)
      uniform += rng.next()
    }
    expect(exp / n).toBeGreaterThan(29)
    expect(exp / n).toBeLessThan(31)
    expect(poisson / n).toBeGreaterThan(3.9)
    expect(poisson / n).toBeLessThan(4.1)
    expect(uniform / n).toBeGreaterThan(0.49)
    expect(uniform / n).toBeLessThan(0.51)
    const logs = Array.from({ length: 4001 }, () => rng.logNormal(100, 0.5)).sort((x, y) => x - y)
    expect(logs[2000]!).toBeGreaterThan(95)
    expect(logs[2000]!).toBeLessThan(105)
  })

  it("samples scenario distributions within their clamps", () => {
    const rng = new Rng(3)
    for (let i = 0; i < 1000; i++) {
      const v = sample(rng, { dist: "normal", mean: 10, sd: 5, min: 8, max: 12 })
      expect(v).toBeGreaterThanOrEqual(8)
      expect(v).toBeLessThanOrEqual(12)
    }
    expect([1, 2, 3]).toContain(sample(rng, { dist: "choice", values: [1, 2, 3], weights: [1, 1, 1] }))
    expect(sample(rng, 4.5)).toBe(4.5)
  })
})
