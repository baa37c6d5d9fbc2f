/**
 * Model benchmark: trains the model plugins on a synthetic flow-feature table and prints
 * training time (wall clock, and CPU time over all threads), scoring time and held-out ROC-AUC.
 *
 *   npx tsx tools/bench/models/run.ts [--rows 50000] [--test-rows 50000] [--seed 1]
 *     [--models gbdt,random-forest,logistic,ml-random-forest,xgboost-wasm] [--threads 2]
 *     [--compare-threads]
 *
 * Holds: argument parsing, the benchmark loop (each model with its default config apart from
 * `threads`; gbdt also with early stopping off when --compare-threads asks for threads 1 vs 2)
 * and the report: one line per model, then, when model.xgboost-wasm ran, each other model
 * against it: fit wall-time ratio and the ROC-AUC difference with its paired bootstrap 95 %
 * interval (1,000 seeded resamples of the test rows, both models measured on each). Reference
 * plugins whose npm package is absent print "not installed"; a model that refuses the data (row
 * limits) prints its reason.
 * Does not hold: the data generator (`flows.ts`).
 */
import { availableParallelism } from "node:os"
import type { AnyPlugin, ModelStage } from "@hashhound/core"
import { bootstrapRocAucDifference } from "@hashhound/ml"
import { Effect } from "effect"
import { gbdtPlugin, rocAuc } from "../../../plugins/model-gbdt/src/index.js"
import { logisticPlugin } from "../../../plugins/model-logistic/src/index.js"
import { mlRandomForestPlugin, packageInstalled as mlForestInstalled } from "../../../plugins/model-ml-random-forest/src/index.js"
import { randomForestPlugin } from "../../../plugins/model-random-forest/src/index.js"
import { packageInstalled as xgboostInstalled, xgboostWasmPlugin } from "../../../plugins/model-xgboost-wasm/src/index.js"
import { syntheticFlows } from "./flows.js"

interface Args {
  readonly rows: number
  readonly testRows: number
  readonly seed: number
  readonly models: ReadonlyArray<string>
  readonly threads: number
  readonly compareThreads: boolean
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name)
    return at >= 0 ? argv[at + 1] : undefined
  }
  const rows = Number(value("--rows") ?? 50_000)
  return {
    rows,
    testRows: Number(value("--test-rows") ?? Math.min(rows, 100_000)),
    seed: Number(value("--seed") ?? 1),
    models: (value("--models") ?? "gbdt,random-forest,logistic,ml-random-forest,xgboost-wasm").split(","),
    threads: Number(value("--threads") ?? 2),
    compareThreads: argv.includes("--compare-threads")
  }
}

interface Entry {
  readonly label: string
  readonly plugin: AnyPlugin
  readonly config: Record<string, unknown>
  /** why it cannot run here, if it cannot */
  readonly unavailable?: string
}

const entries = (args: Args): ReadonlyArray<Entry> => {
  const list: Array<Entry> = []
  for (const model of args.models) {
    switch (model) {
      case "gbdt":
        if (args.compareThreads) {
          for (const threads of [1, 2]) {
            list.push({ label: `model.gbdt (threads ${threads}, 300 trees, no early stopping)`, plugin: gbdtPlugin, config: { threads, early_stopping_rounds: 0 } })
          }
        }
        list.push({ label: `model.gbdt (defaults, threads ${args.threads})`, plugin: gbdtPlugin, config: { threads: args.threads } })
        break
      case "random-forest":
        if (args.compareThreads) list.push({ label: "model.random-forest (threads 1)", plugin: randomForestPlugin, config: { threads: 1 } })
        list.push({ label: `model.random-forest (defaults, threads ${args.threads})`, plugin: randomForestPlugin, config: { threads: args.threads } })
        break
      case "logistic":
        list.push({ label: "model.logistic (defaults)", plugin: logisticPlugin, config: {} })
        break
      case "ml-random-forest":
        list.push({
          label: "model.ml-random-forest (reference)",
          plugin: mlRandomForestPlugin,
          config: {},
          ...(mlForestInstalled() ? {} : { unavailable: "not installed (npm install ml-random-forest)" })
        })
        break
      case "xgboost-wasm":
        list.push({
          label: "model.xgboost-wasm (reference)",
          plugin: xgboostWasmPlugin,
          config: {},
          ...(xgboostInstalled() ? {} : { unavailable: "not installed (npm install ml-xgboost)" })
        })
        break
      default:
        throw new Error(`unknown model "${model}"`)
    }
  }
  return list
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

interface Result {
  readonly line: string
  readonly scores?: Float64Array
  readonly fitWallMs?: number
}

const runOne = (entry: Entry, train: ReturnType<typeof syntheticFlows>, test: ReturnType<typeof syntheticFlows>): Effect.Effect<Result, unknown> =>
  Effect.gen(function* () {
    const stage = (yield* entry.plugin.make(entry.config)) as ModelStage
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    const fitted = yield* stage.fit(train.matrix, train.y)
    const t1 = performance.now()
    const cpu = process.cpuUsage(c0)
    const scores = yield* stage.predictProba(fitted, test.matrix)
    const t2 = performance.now()
    const info = (fitted as { info?: Record<string, unknown> }).info ?? {}
    const notes = ["trees_kept", "oob_roc_auc", "threads_used", "iterations"]
      .filter((key) => info[key] !== undefined && info[key] !== null)
      .map((key) => `${key}=${typeof info[key] === "number" && !Number.isInteger(info[key]) ? (info[key] as number).toFixed(4) : String(info[key])}`)
    // CPU time over all threads of the process: on a busy machine it says more than wall time
    const fitCpu = seconds((cpu.user + cpu.system) / 1000)
    return {
      line: `fit ${seconds(t1 - t0).padStart(9)} (CPU ${fitCpu.padStart(9)})  score ${seconds(t2 - t1).padStart(8)}  ROC-AUC ${rocAuc(scores, test.y).toFixed(4)}  ${notes.join(" ")}`,
      scores,
      fitWallMs: t1 - t0
    }
  })

const REFERENCE = "model.xgboost-wasm (reference)"
const signed = (value: number): string => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(4)}`

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  console.log(`model benchmark: ${args.rows} training rows, ${args.testRows} test rows, 20 features, seed ${args.seed}, ${availableParallelism()} CPUs, node ${process.version}`)
  const g0 = performance.now()
  const train = syntheticFlows(args.rows, args.seed)
  const test = syntheticFlows(args.testRows, args.seed + 1000)
  let positives = 0
  for (const label of train.y) positives += label
  console.log(`data generated in ${seconds(performance.now() - g0)}; ${positives} mining rows in training (${((100 * positives) / args.rows).toFixed(1)}%)`)
  const results: Array<{ readonly label: string } & Result> = []
  for (const entry of entries(args)) {
    if (entry.unavailable !== undefined) {
      console.log(`${entry.label.padEnd(58)} ${entry.unavailable}`)
      continue
    }
    const result = await Effect.runPromise(
      Effect.catchAll(runOne(entry, train, test), (error): Effect.Effect<Result> => Effect.succeed({ line: `refused: ${error instanceof Error ? error.message : String(error)}` }))
    )
    results.push({ label: entry.label, ...result })
    console.log(`${entry.label.padEnd(58)} ${result.line}`)
  }
  const reference = results.find((result) => result.label === REFERENCE)
  if (reference?.scores === undefined || reference.fitWallMs === undefined) return
  console.log(`against ${REFERENCE}: fit wall-time ratio, ROC-AUC difference [paired bootstrap 95 % interval]`)
  for (const result of results) {
    if (result === reference || result.scores === undefined || result.fitWallMs === undefined) continue
    const diff = bootstrapRocAucDifference(result.scores, reference.scores, test.y, { resamples: 1000, seed: 1 })
    console.log(
      `${result.label.padEnd(58)} ${(reference.fitWallMs / result.fitWallMs).toFixed(1)}× faster  ΔROC-AUC ${signed(diff.difference)} [${signed(diff.lower)}, ${signed(diff.upper)}]`
    )
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
