/**
 * Child process of the kill test: runs one pipeline over the test plugins and exits.
 *
 * Usage: `node --import tsx kill-child.ts <inputs root> <output folder>`; HH_ATTEMPT tags the
 * source logs. Prints `started` when the first stage starts and `done <status>` at the end.
 * Holds: the kill test's pipeline (two datasets, a checkpointing and a replaying source,
 * labelers, QC, batch and SQL features, a model), so the test and its reference run share it.
 * Does not hold: assertions (see `kill.test.ts`).
 */
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { runPipeline } from "../../../src/run/index.js"
import { Progress, type ProgressEvent } from "../../../src/spec.js"
import { testLayer, testSpec } from "./inputs.js"

export const killSpec = (root: string, output: string) =>
  testSpec({
    baseDir: root,
    output,
    datasets: [
      { name: "lab", source: "source.test-lines", paths: ["inputs/lab"], sourceOptions: { log: join(root, "emitted.log"), delay_ms: 15 } },
      { name: "campus", source: "source.test-replay", paths: ["inputs/campus"], sourceOptions: { log: join(root, "emitted.log"), delay_ms: 15 } }
    ],
    train: ["lab"],
    test: ["campus", "lab"],
    unitConcurrency: 2,
    datasetConcurrency: 2
  })

const main = async (): Promise<void> => {
  const [root, output] = process.argv.slice(2)
  if (root === undefined || output === undefined) {
    process.stderr.write("usage: kill-child.ts <root> <output>\n")
    process.exit(2)
  }
  let started = false
  const progress = Layer.succeed(Progress, {
    emit: (event: ProgressEvent) =>
      Effect.sync(() => {
        if (!started && event._tag === "StageStart") {
          started = true
          process.stdout.write("started\n")
        }
      })
  })
  const summary = await Effect.runPromise(runPipeline(killSpec(root, output)).pipe(Effect.provide(Layer.merge(testLayer(), progress))))
  process.stdout.write(`done ${summary.status}\n`)
}

if (process.argv[1]?.endsWith("kill-child.ts") === true) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`)
      process.exit(1)
    }
  )
}
