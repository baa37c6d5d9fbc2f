/**
 * `hashhound demo [--out DIR]`: the whole pipeline on built-in data. Runs `examples/demo.yaml`
 * (or `examples/demo-with-fixtures.yaml` when the real captures in ../shared/fixtures are
 * there) with its output moved to DIR, and prints where the reports are.
 */
import { Command, Options } from "@effect/cli"
import { PluginRegistry } from "@hashhound/core"
import { loadPipeline, runPipeline, StorageLive } from "@hashhound/pipeline"
import { Console, Effect, Option } from "effect"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { CommandExit, EXIT_FAILED } from "../exit.js"
import { chooseMode, progressLayer } from "../progress.js"
import { quietOption } from "../options.js"
import { renderSummary } from "./run.js"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..")

export const demoPipelineFile = (): string => {
  const fixtures = process.env["HASHHOUND_FIXTURES"] ?? resolve(repoRoot, "..", "shared", "fixtures")
  const withFixtures = join(repoRoot, "examples", "demo-with-fixtures.yaml")
  return existsSync(join(fixtures, "mining")) && existsSync(withFixtures) ? withFixtures : join(repoRoot, "examples", "demo.yaml")
}

export const demoCommand = Command.make(
  "demo",
  {
    out: Options.directory("out").pipe(Options.optional, Options.withDescription("run folder (default ./hashhound-demo)")),
    force: Options.boolean("force").pipe(Options.withDescription("redo everything")),
    quiet: quietOption
  },
  ({ out, force, quiet }) =>
    Effect.gen(function* () {
      const builtins = yield* PluginRegistry
      const file = demoPipelineFile()
      yield* Console.error(`demo pipeline: ${file}`)
      const { spec, warnings, registry } = yield* loadPipeline(file, builtins)
      for (const warning of warnings) yield* Console.error(`warning: ${warning.render()}`)
      const output = resolve(Option.getOrElse(out, () => "hashhound-demo"))
      const started = Date.now()
      const summary = yield* runPipeline({ ...spec, output }, { force }).pipe(
        Effect.provideService(PluginRegistry, registry),
        Effect.provide(StorageLive()),
        Effect.provide(progressLayer(chooseMode(quiet)))
      )
      yield* Console.log(renderSummary(summary))
      const reports = [
        ...spec.datasets.map((d) => join(output, "datasets", d.name, "qc", "qc.html")),
        join(output, "evaluation", "report.html"),
        join(output, "evaluation", "metrics.json")
      ].filter((path) => existsSync(path))
      for (const report of reports) yield* Console.log(`report: ${report}`)
      yield* Console.log(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      if (summary.status !== "ok") return yield* Effect.fail(new CommandExit(EXIT_FAILED))
    })
).pipe(Command.withDescription("Generate the built-in lab and production traffic, run the whole pipeline on it and write the reports."))
