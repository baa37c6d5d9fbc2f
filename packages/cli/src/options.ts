/**
 * Options shared by several commands (kept apart from the commands so that loading one
 * command does not load another's dependencies).
 */
import { Options } from "@effect/cli"

export const quietOption = Options.boolean("quiet").pipe(
  Options.withAlias("q"),
  Options.withDescription("no progress output, only the summary and errors")
)
