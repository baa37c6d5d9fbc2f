/**
 * The machinery under every contract suite: a check is a named Effect that lists violations
 * (empty = fine) and never fails, so the same check can be registered as a vitest test or run
 * directly (to prove, in testkit's own tests, that a broken plugin is caught).
 *
 * Holds: `ContractCheck`, `registerChecks` (one live `it` per check), `runChecks` (all
 * violations, prefixed by check name), `guard` (turns failures and defects of a check body into
 * violations), helpers that judge an Exit (tagged failure vs raw Error vs defect) and a
 * time limit that works under TestClock too.
 * Does not hold: the checks themselves (see the per-kind modules).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, Exit, Option } from "effect"

export interface ContractCheck {
  readonly name: string
  /** violations; empty when the plugin keeps this part of the contract */
  readonly run: Effect.Effect<ReadonlyArray<string>>
}

export const check = (name: string, run: Effect.Effect<ReadonlyArray<string>, unknown>): ContractCheck => ({
  name,
  run: guard(run)
})

const render = (value: unknown): string => {
  if (value instanceof Error) {
    const tag = (value as { _tag?: unknown })._tag
    return typeof tag === "string" ? `${tag}: ${value.message}` : `${value.name}: ${value.message}`
  }
  if (typeof value === "object" && value !== null && "_tag" in value) return `${String((value as { _tag: unknown })._tag)}`
  return String(value)
}

/** What a Cause holds, in one line. */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return `failed with ${render(failure.value)}`
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return `died with ${render(defect.value)}`
  if (Cause.isInterruptedOnly(cause)) return "was interrupted"
  return Cause.pretty(cause).split("\n")[0] ?? "failed"
}

/** Run a check body; a failure or defect of the body itself is reported as a violation. */
export const guard = (run: Effect.Effect<ReadonlyArray<string>, unknown>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.catchAllCause(Effect.suspend(() => run), (cause) => Effect.succeed([`the check could not run: it ${describeCause(cause)}`]))

/** Is this a typed error made with Schema.TaggedError (an Error with a string `_tag`)? */
export const isTaggedError = (value: unknown): boolean =>
  value instanceof Error && typeof (value as { _tag?: unknown })._tag === "string"

/**
 * Judge the exit of a plugin call that may fail: success and a tagged failure are fine; a raw
 * Error, a non-error failure value and a defect (throw/die) are violations.
 */
export const exitViolations = (what: string, exit: Exit.Exit<unknown, unknown>, allowSuccess = true): ReadonlyArray<string> => {
  if (Exit.isSuccess(exit)) return allowSuccess ? [] : [`${what} succeeded but should have failed`]
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure))
    return isTaggedError(failure.value) ? [] : [`${what} failed with an untagged value (${render(failure.value)}); use a Schema.TaggedError`]
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return [`${what} died (a defect, e.g. a throw or a rejected promise): ${render(defect.value)}`]
  return [`${what} ${describeCause(cause)}`]
}

/** Call plugin code that could throw synchronously; a throw becomes a defect. */
export const attempt = <A, E>(thunk: () => Effect.Effect<A, E>): Effect.Effect<A, E> => Effect.suspend(thunk)

/**
 * `Effect.timeoutOption` on the live clock, so a check gives up after `ms` even when it runs
 * under TestClock (inside `it.effect`). `disconnect` lets it return while an uninterruptible
 * effect is still busy.
 */
export const withinLive = <A, E>(ms: number, effect: Effect.Effect<A, E>): Effect.Effect<Option.Option<A>, E> =>
  Effect.withClock(Effect.timeoutOption(Effect.disconnect(effect), Duration.millis(ms)), Clock.make())

/** Register the checks as one live test each, in a describe block. */
export const registerChecks = (title: string, checks: ReadonlyArray<ContractCheck>, timeoutMs?: number): void => {
  describe(title, () => {
    for (const item of checks) {
      it.live(
        item.name,
        () => Effect.map(item.run, (violations) => expect(violations.join("\n"), `${title} › ${item.name}`).toBe("")),
        timeoutMs
      )
    }
  })
}

/** Run every check and return all violations, each prefixed with its check's name. */
export const runChecks = (checks: ReadonlyArray<ContractCheck>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(
    Effect.forEach(checks, (item) => Effect.map(item.run, (violations) => violations.map((v) => `${item.name}: ${v}`))),
    (lists) => lists.flat()
  )
