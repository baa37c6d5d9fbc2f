/**
 * Calibration bins and the Brier score on inputs worked out by hand.
 */
import { describe, expect, it } from "@effect/vitest"
import { calibration } from "../src/metrics/calibration.js"

describe("calibration", () => {
  it("bins scores into equal-width bins with their mean score and observed rate, and gives the Brier score", () => {
    // bin [0, 0.5): 0.1, 0.2, 0.35 (one mining); bin [0.5, 1]: 0.8, 0.9, 1.0 (two mining)
    // Brier: (0.01 + 0.04 + 0.4225 + 0.04 + 0.01 + 1) / 6 = 1.5225 / 6
    const result = calibration([0.1, 0.2, 0.35, 0.8, 0.9, 1.0], [0, 0, 1, 1, 1, 0], 2)
    expect(result.bins.length).toBe(2)
    const [low, high] = result.bins
    expect([low!.lower, low!.upper, low!.count]).toEqual([0, 0.5, 3])
    expect(low!.meanScore).toBeCloseTo(0.65 / 3, 12)
    expect(low!.positiveRate).toBeCloseTo(1 / 3, 12)
    expect([high!.lower, high!.upper, high!.count]).toEqual([0.5, 1, 3])
    expect(high!.meanScore).toBeCloseTo(0.9, 12)
    expect(high!.positiveRate).toBeCloseTo(2 / 3, 12)
    expect(result.brier).toBeCloseTo(1.5225 / 6, 12)
    expect([result.count, result.missing]).toEqual([6, 0])
  })

  it("leaves empty bins out, puts out-of-range scores in the end bins and skips NaN", () => {
    const result = calibration([-0.2, 0.05, 1.3, Number.NaN], [0, 0, 1, 1], 10)
    expect(result.bins.map((bin) => [bin.lower, bin.count])).toEqual([
      [0, 2],
      [0.9, 1]
    ])
    expect(result.missing).toBe(1)
    // Brier over the scored rows as given: (0.04 + 0.0025 + 0.09) / 3
    expect(result.brier).toBeCloseTo(0.1325 / 3, 12)
  })

  it("a perfectly confident, perfectly right model has Brier 0; no scores give NaN", () => {
    expect(calibration([0, 1, 1], [0, 1, 1]).brier).toBe(0)
    expect(calibration([], []).brier).toBeNaN()
  })
})
