import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { nowUs, runAdvancing, setClockTo } from "../src/index.js"

describe("TestClock helpers", () => {
  it.effect("runs an effect that sleeps while the clock moves, in steps", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const ticking = Effect.forEach([1, 2, 3], (n) => Effect.as(Effect.tap(Effect.sleep("10 seconds"), () => Effect.sync(() => seen.push(n))), n))
      const result = yield* runAdvancing(ticking, "30 seconds", 3)
      expect(result).toEqual([1, 2, 3])
      expect(seen).toEqual([1, 2, 3])
    }))

  it.effect("sets the clock and reads it in microseconds", () =>
    Effect.gen(function* () {
      yield* setClockTo(new Date("2024-01-01T00:00:00Z"))
      expect(yield* nowUs).toBe(Date.UTC(2024, 0, 1) * 1000)
    }))
})
