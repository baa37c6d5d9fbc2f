/**
 * TestClock helpers for `it.effect` tests of stages that wait, time out or stamp the time.
 *
 * Holds: `runAdvancing` (fork an effect, move the TestClock forward in steps, join it),
 * `setClockTo` (a date or epoch ms) and `nowUs` (the clock in µs since the epoch, the unit of
 * `first_seen_us`).
 * Does not hold: anything for the live clock; contract checks use the live clock on purpose.
 */
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"

/**
 * Run `effect` while the TestClock moves forward by `by`, in `steps` equal steps (so sleeps and
 * timeouts inside it fire in order), then wait for its result.
 */
export const runAdvancing = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.DurationInput, steps = 1): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    const total = Duration.toMillis(Duration.decode(by))
    const count = Math.max(1, Math.floor(steps))
    for (let step = 0; step < count; step++) yield* TestClock.adjust(Duration.millis(total / count))
    return yield* Fiber.join(fiber)
  })

/** Set the TestClock to a date (or epoch milliseconds). */
export const setClockTo = (when: Date | number): Effect.Effect<void> =>
  TestClock.setTime(typeof when === "number" ? when : when.getTime())

/** The current clock time in microseconds since the epoch. */
export const nowUs: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) => ms * 1000)
