/**
 * `hashhound schema`: the JSON Schema of pipeline YAML (built-ins plus their config schemas), for editors.
 */
import { Command } from "@effect/cli"
import { PluginRegistry } from "@hashhound/core"
import { pipelineJsonSchema } from "@hashhound/pipeline"
import { Console, Effect } from "effect"

export const schemaCommand = Command.make("schema", {}, () =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    yield* Console.log(JSON.stringify(pipelineJsonSchema(registry), null, 2))
  })
).pipe(Command.withDescription("Print the JSON Schema of pipeline YAML files (for editor completion and checks)."))
