/**
 * The benchmark's synthetic flow table: deterministic for a seed, 20 named features, the
 * missing values and class balance it promises.
 */
import { describe, expect, it } from "@effect/vitest"
import { FEATURE_NAMES, syntheticFlows } from "../flows.js"

describe("syntheticFlows", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = syntheticFlows(2000, 5)
    const b = syntheticFlows(2000, 5)
    const c = syntheticFlows(2000, 6)
    expect(a.matrix.columns.map((col) => Array.from(col))).toEqual(b.matrix.columns.map((col) => Array.from(col)))
    expect(Array.from(a.y)).toEqual(Array.from(b.y))
    expect(Array.from(a.matrix.columns[0]!)).not.toEqual(Array.from(c.matrix.columns[0]!))
  })

  it("has 20 features with missing timing statistics, a constant and about 5% mining rows", () => {
    const { matrix, y } = syntheticFlows(20_000, 1)
    expect(matrix.names).toEqual([...FEATURE_NAMES])
    expect(matrix.columns).toHaveLength(20)
    const missingShare = (name: string) => {
      const column = matrix.columns[matrix.names.indexOf(name)]!
      return column.filter((v) => Number.isNaN(v)).length / column.length
    }
    expect(missingShare("iat_cv")).toBeGreaterThan(0.05)
    expect(missingShare("noise_missing")).toBeCloseTo(0.3, 1)
    expect(missingShare("duration_s")).toBe(0)
    expect(new Set(matrix.columns[matrix.names.indexOf("constant_one")]).size).toBe(1)
    const positives = y.reduce((sum, v) => sum + v, 0) / y.length
    expect(positives).toBeGreaterThan(0.04)
    expect(positives).toBeLessThan(0.07)
  })
})
