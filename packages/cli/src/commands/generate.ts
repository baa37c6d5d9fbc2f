/**
 * `hashhound generate --scenario NAME --out DIR`: write synthetic captures and their
 * ground-truth label files, through the registry's `source.synthetic` (its `materialize`).
 */
import { Command, Options } from "@effect/cli"
import { PluginError, PluginRegistry } from "@hashhound/core"
import { Console, Effect, Option } from "effect"
import { resolve } from "node:path"

export const generateCommand = Command.make(
  "generate",
  {
    scenario: Options.text("scenario").pipe(
      Options.withDescription("built-in scenario (lab, production) or a scenario YAML file")
    ),
    out: Options.directory("out").pipe(Options.withDescription("folder to write captures and labels into")),
    durationS: Options.integer("duration-s").pipe(Options.optional, Options.withDescription("simulated seconds")),
    seed: Options.integer("seed").pipe(Options.optional, Options.withDescription("random seed (same seed, same bytes)")),
    timeCompression: Options.float("time-compression").pipe(
      Options.optional,
      Options.withDescription("divide application gaps (think times, share and job intervals, session lengths) by this factor for quick test data; round trips stay physical")
    )
  },
  ({ scenario, out, durationS, seed, timeCompression }) =>
    Effect.gen(function* () {
      const registry = yield* PluginRegistry
      const plugin = registry.find("source.synthetic")
      if (plugin === undefined || plugin.kind !== "source") {
        return yield* new PluginError({
          pluginId: "source.synthetic",
          stage: "processing",
          reason: "the synthetic traffic plugin is not installed in this build, so `generate` is not available"
        })
      }
      const config: Record<string, unknown> = { scenario }
      if (Option.isSome(durationS)) config["duration_s"] = durationS.value
      if (Option.isSome(seed)) config["seed"] = seed.value
      if (Option.isSome(timeCompression)) config["time_compression"] = timeCompression.value
      const stage = yield* plugin.make(config)
      if (stage.materialize === undefined) {
        return yield* new PluginError({ pluginId: plugin.id, stage: "processing", reason: "this source cannot write its inputs as files" })
      }
      const workDir = resolve(out)
      const files = yield* stage.materialize({ dataset: "generate", baseDir: process.cwd(), workDir })
      for (const file of files) yield* Console.log(file)
    })
).pipe(Command.withDescription("Write synthetic mining and benign captures (pcap) with ground-truth label files."))
