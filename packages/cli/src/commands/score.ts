/**
 * `hashhound score --model DIR INPUT…`: alerts from a trained model. Scoring needs the feature
 * groups and the evaluation tooling of a later milestone; until they exist it says so.
 */
import { Args, Command, Options } from "@effect/cli"
import { PluginError } from "@hashhound/core"
import { Effect } from "effect"

export const scoreCommand = Command.make(
  "score",
  {
    model: Options.directory("model").pipe(Options.withDescription("a trained model folder (models/<name>/ of a run)")),
    inputs: Args.text({ name: "INPUT" }).pipe(Args.atLeast(1))
  },
  () =>
    Effect.fail(
      new PluginError({
        pluginId: "score",
        stage: "processing",
        reason: "scoring new captures into alerts is not available in this build yet (it comes with the models and evaluation milestone)"
      })
    )
).pipe(Command.withDescription("Score captures or flow exports with a trained model into alerts (JSONL/CSV)."))
