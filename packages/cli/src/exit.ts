/**
 * Exit codes and error paragraphs for the CLI.
 *
 * Holds: 0 ok, 1 run failed, 2 bad usage or config; turning any failure into one readable
 * paragraph on stderr (no stack trace unless HASHHOUND_DEBUG=1).
 * Does not hold: the commands.
 */
import { ValidationError } from "@effect/cli"
import { Cause, Exit, Option, Schema } from "effect"

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/** Thrown-free marker a command fails with when it has already printed why and wants a code. */
export class CommandExit {
  readonly _tag = "CommandExit"
  constructor(readonly code: number) {}
}

/** A command line that parses but cannot be carried out (e.g. `--out` names a folder); exit 2. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  option: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.option}: ${this.reason}`
  }
}

const USAGE_TAGS = new Set(["ConfigError", "UnknownPluginError", "InvalidPluginError", "UsageError"])

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string" ? error._tag : undefined

export const exitCodeFor = (error: unknown): number => {
  if (error instanceof CommandExit) return error.code
  if (ValidationError.isValidationError(error)) return EXIT_USAGE
  const tag = tagOf(error)
  return tag !== undefined && USAGE_TAGS.has(tag) ? EXIT_USAGE : EXIT_FAILED
}

const messageOf = (error: unknown): string => {
  if (error instanceof Error) return error.message
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") return error.message
  return String(error)
}

/** The paragraph printed for a failure, or undefined when it was already shown (usage errors, CommandExit). */
export const renderFailure = (cause: Cause.Cause<unknown>): { readonly text: string | undefined; readonly code: number } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof CommandExit) return { text: undefined, code: error.code }
    // @effect/cli has printed its own help/usage message for these
    if (ValidationError.isValidationError(error)) return { text: undefined, code: EXIT_USAGE }
    return { text: `hashhound: ${messageOf(error)}`, code: exitCodeFor(error) }
  }
  if (Cause.isInterruptedOnly(cause)) return { text: "hashhound: interrupted", code: 130 }
  const defect = Cause.squash(cause)
  const detail = process.env["HASHHOUND_DEBUG"] === "1" ? Cause.pretty(cause) : messageOf(defect)
  return {
    text: `hashhound: internal error: ${detail}\n(this is a bug in hashhound; run with HASHHOUND_DEBUG=1 for the stack and report it)`,
    code: EXIT_FAILED
  }
}

export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): { readonly text: string | undefined; readonly code: number } =>
  Exit.isSuccess(exit) ? { text: undefined, code: EXIT_OK } : renderFailure(exit.cause)
