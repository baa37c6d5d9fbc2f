/**
 * model.logistic behaviour beyond the shared contract: it recovers known coefficients, the L2
 * penalty shrinks them, missing values score as the mean, infinities stay finite, file versions.
 */
import { describe, expect, it } from "@effect/vitest"
import type { ModelStage } from "@hashhound/core"
import { Effect } from "effect"
import { logisticPlugin, type LogisticModel } from "../src/index.js"

const stageFor = (config: Record<string, unknown>) => logisticPlugin.make(config) as Effect.Effect<ModelStage, unknown>

const uniform = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Labels drawn from a logistic model with intercept -1 and coefficients 2, -1, 0 on standard normals. */
const logisticData = (rows: number, seed: number) => {
  const rand = uniform(seed)
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand())
  const columns = [new Float64Array(rows), new Float64Array(rows), new Float64Array(rows)]
  const y = new Uint8Array(rows)
  for (let r = 0; r < rows; r++) {
    const a = normal()
    const b = normal()
    const c = normal()
    columns[0]![r] = a
    columns[1]![r] = b
    columns[2]![r] = c
    y[r] = rand() < 1 / (1 + Math.exp(-(-1 + 2 * a - b))) ? 1 : 0
  }
  return { x: { names: ["a", "b", "c"], rows, columns }, y }
}

describe("model.logistic", () => {
  it.effect("recovers the coefficients of a logistic model", () =>
    Effect.gen(function* () {
      const data = logisticData(20_000, 1)
      const stage = yield* stageFor({ l2: 0.001 })
      const fitted = (yield* stage.fit(data.x, data.y)) as LogisticModel
      expect(fitted.info.converged).toBe(true)
      // coefficients are per standard deviation; the data are standard normal, so they match
      expect(Math.abs(fitted.intercept + 1)).toBeLessThan(0.1)
      expect(Math.abs(fitted.coefficients[0]! - 2)).toBeLessThan(0.1)
      expect(Math.abs(fitted.coefficients[1]! + 1)).toBeLessThan(0.1)
      expect(Math.abs(fitted.coefficients[2]!)).toBeLessThan(0.06)
      const importance = stage.importance!(fitted)
      expect(importance["a"]!).toBeGreaterThan(importance["b"]!)
      expect(importance["b"]!).toBeGreaterThan(importance["c"]!)
    }))

  it.effect("shrinks coefficients with a larger L2 penalty", () =>
    Effect.gen(function* () {
      const data = logisticData(2000, 2)
      const weak = (yield* (yield* stageFor({ l2: 0.01 })).fit(data.x, data.y)) as LogisticModel
      const strong = (yield* (yield* stageFor({ l2: 2000 })).fit(data.x, data.y)) as LogisticModel
      expect(Math.abs(strong.coefficients[0]!)).toBeLessThan(Math.abs(weak.coefficients[0]!) / 2)
    }))

  it.effect("scores a missing value as the training mean and keeps infinities finite", () =>
    Effect.gen(function* () {
      const data = logisticData(3000, 3)
      const stage = yield* stageFor({})
      const fitted = (yield* stage.fit(data.x, data.y)) as LogisticModel
      const means = fitted.standardiser.means
      const rows = {
        names: ["a", "b", "c"],
        rows: 3,
        columns: [
          Float64Array.from([Number.NaN, means[0]!, Infinity]),
          Float64Array.from([Number.NaN, means[1]!, -Infinity]),
          Float64Array.from([Number.NaN, means[2]!, Number.NaN])
        ]
      }
      const scores = yield* stage.predictProba(fitted, rows)
      expect(scores[0]!).toBeCloseTo(scores[1]!, 12)
      expect(scores[0]!).toBeCloseTo(1 / (1 + Math.exp(-fitted.intercept)), 12)
      expect(Number.isFinite(scores[2]!)).toBe(true)
      expect(scores[2]!).toBeGreaterThan(0.99)
    }))

  it.effect("refuses an unknown file version and mismatched arrays", () =>
    Effect.gen(function* () {
      const data = logisticData(500, 4)
      const stage = yield* stageFor({})
      const json = JSON.parse(new TextDecoder().decode(yield* stage.save(yield* stage.fit(data.x, data.y)))) as Record<string, unknown>
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
      const future = yield* Effect.flip(stage.load(encode({ ...json, version: 3 })))
      expect(future.message).toContain("version 3 is not supported (this build reads version 1)")
      const short = yield* Effect.flip(stage.load(encode({ ...json, coefficients: [1] })))
      expect(short.message).toContain("3 features but")
    }))
})
