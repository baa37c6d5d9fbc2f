/**
 * `hashhound validate PIPELINE.yaml`: both decoding passes and the column-requirement check,
 * every problem at once with its YAML path and line. Writes nothing.
 */
import { Args, Command } from "@effect/cli"
import { PluginRegistry } from "@hashhound/core"
import { loadPipeline } from "@hashhound/pipeline"
import { Console, Effect } from "effect"

export const pipelineArg = Args.file({ name: "PIPELINE.yaml", exists: "yes" }).pipe(
  Args.withDescription("pipeline file")
)

export const validateCommand = Command.make("validate", { pipeline: pipelineArg }, ({ pipeline }) =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    const { spec, warnings } = yield* loadPipeline(pipeline, registry)
    for (const warning of warnings) yield* Console.error(`warning: ${warning.render()}`)
    yield* Console.log(
      `${pipeline}: ok — ${spec.datasets.length} dataset(s), ${spec.features.length} feature group(s), ${spec.models.length} model(s); output ${spec.output}`
    )
  })
).pipe(Command.withDescription("Check a pipeline file and its plugins' column requirements without running it (writes nothing)."))
