/**
 * `hashhound score --model DIR INPUT… [--out FILE] [--format jsonl|csv] [--threshold X |
 * --target-fpr F] [--batch-flows N] [--work DIR]`: alerts from a trained model.
 *
 * Holds: the command. It reads the model card and `model.bin` of DIR (a `models/<name>/` folder
 * of a run), detects each input's source like `hashhound flows` (captures and flow exports,
 * files, folders, globs), runs the pipeline over them with no labels and no QC but the card's
 * feature groups and configs (flows cut with the training sources' timeouts where the source
 * takes them, and at most `--batch-flows` flows per batch), then streams: one stored batch at a
 * time is read back, scored with the model plugin named in the card (through the
 * PluginRegistry: `load(bytes)`, `predictProba`), and its alerts are written at once (one per
 * flow at or above the threshold, default: the card's threshold at its smallest target FPR) with
 * the flow key, first/last seen, capture, score and the top 3 features that drove the score.
 * Memory holds one batch, not the input. Order: batches in input order (dataset, capture,
 * batch); within a batch highest score first (one batch per capture up to 65,536 flows, so a
 * capture's alerts are ranked as a whole; sort the output for a global ranking).
 * Attribution: for each of the model's 10 most important features (card's permutation
 * importance, else gain), the flow is scored again with that feature set to its training median;
 * the features whose replacement lowers the score most are the flow's top features (`delta` =
 * score − score with the median). A count summary goes to stderr; exit 0.
 * Does not hold: reading, scoring and writing a batch (`score-batches.ts`), the pipeline, the
 * metric and alert helpers (`@hashhound/pipeline` evaluation).
 */
import { Args, Command, Options } from "@effect/cli"
import { ConfigError, ConfigIssue, InputError, MAX_BATCH_ROWS, PluginRegistry, type Plugin } from "@hashhound/core"
import { expandPaths } from "@hashhound/flowmeter"
import { chooseThreshold, loadManifest, meterSettings, ModelCardJson, runLayout, runPipeline, scoringSpec, Storage, StorageLive, topFeatureOrder } from "@hashhound/pipeline"
import { Console, Effect, Either, Option, Schema } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { extname, join, resolve } from "node:path"
import { chooseMode, progressLayer } from "../progress.js"
import { detectSource } from "./flows.js"
import { groupDirs, openAlertSink, readScoringBatch, scoreBatch } from "./score-batches.js"
import { quietOption } from "../options.js"
import { inputsBesideOutput } from "../output-path.js"
import { sourceConfig } from "../source-config.js"

const FORMATS = ["jsonl", "csv"] as const
type AlertFormat = (typeof FORMATS)[number]

/** Features tried per alert, and features reported. */
const ATTRIBUTION_CANDIDATES = 10
const TOP_FEATURES = 3

const usage = (path: string, message: string) => new ConfigError({ issues: [new ConfigIssue({ path, message })] })

const readCard = (dir: string) =>
  Effect.gen(function* () {
    const path = join(dir, "card.json")
    if (!existsSync(path)) return yield* new InputError({ path, reason: "no model card here; --model takes a models/<name>/ folder of a run" })
    const json = yield* Effect.try({ try: () => JSON.parse(readFileSync(path, "utf8")) as unknown, catch: (error) => new InputError({ path, reason: `not JSON: ${String(error)}` }) })
    return yield* Either.match(Schema.decodeUnknownEither(ModelCardJson)(json), {
      onLeft: (error) => Effect.fail(new InputError({ path, reason: `not a model card this hashhound reads (${error.message.split("\n")[0]})` })),
      onRight: (card) => Effect.succeed(card)
    })
  })

const formatOf = (out: Option.Option<string>, given: Option.Option<AlertFormat>): AlertFormat =>
  Option.isSome(given) ? given.value : Option.isSome(out) && extname(out.value).toLowerCase() === ".csv" ? "csv" : "jsonl"

export const scoreCommand = Command.make(
  "score",
  {
    model: Options.directory("model").pipe(Options.withDescription("a trained model folder (models/<name>/ of a run: card.json and model.bin)")),
    inputs: Args.text({ name: "INPUT" }).pipe(Args.atLeast(1), Args.withDescription("captures or flow exports: files, folders, globs")),
    out: Options.text("out").pipe(Options.optional, Options.withDescription("alerts file (default: stdout)")),
    format: Options.choice("format", FORMATS).pipe(Options.optional, Options.withDescription("jsonl (default) or csv; by default from the --out extension")),
    threshold: Options.float("threshold").pipe(Options.optional, Options.withDescription("alert on flows scoring at least this")),
    targetFpr: Options.float("target-fpr").pipe(
      Options.optional,
      Options.withDescription("use the card's threshold fixed on the training data at this false-positive rate (default: its smallest)")
    ),
    batchFlows: Options.integer("batch-flows").pipe(
      Options.optional,
      Options.withDescription(`flows per batch, 1 to ${MAX_BATCH_ROWS} (default): the most flows held in memory while scoring`)
    ),
    work: Options.directory("work").pipe(Options.optional, Options.withDescription("keep the intermediate run (flows, features) in this folder")),
    sequence: Options.boolean("sequence").pipe(
      Options.withDescription("captures: the inputs in one folder are the pieces of one capture (tcpdump -C/-G/-W, dumpcap -b), metered as one in the order of their first packets, so a flow crossing from one file into the next is scored once")
    ),
    quiet: quietOption
  },
  ({ model, inputs, out, format, threshold, targetFpr, batchFlows, work, quiet, sequence }) =>
    Effect.gen(function* () {
      const registry = yield* PluginRegistry
      const storage = yield* Storage
      const dir = resolve(model)
      const card = yield* readCard(dir)
      const chosen = chooseThreshold(card, { ...(Option.isSome(threshold) ? { threshold: threshold.value } : {}), ...(Option.isSome(targetFpr) ? { targetFpr: targetFpr.value } : {}) })
      if (Either.isLeft(chosen)) return yield* usage(Option.isSome(threshold) ? "--threshold" : "--target-fpr", chosen.left)
      const limit = chosen.right
      if (Option.isSome(batchFlows) && !(batchFlows.value >= 1 && batchFlows.value <= MAX_BATCH_ROWS)) {
        return yield* usage("--batch-flows", `--batch-flows must be between 1 and ${MAX_BATCH_ROWS}`)
      }

      const modelPlugin = yield* registry.getKind(card.type, "model")
      const stage = yield* modelPlugin.make(card.params).pipe(Effect.orElse(() => modelPlugin.make({})))
      const binPath = join(dir, "model.bin")
      const bytes = yield* Effect.try({ try: () => new Uint8Array(readFileSync(binPath)), catch: (error) => new InputError({ path: binPath, reason: `cannot read the model: ${String(error)}` }) })
      const fitted = yield* stage.load(bytes)

      // inputs → one source entry per detected plugin
      const files = yield* expandPaths(inputs, process.cwd()).pipe(
        Effect.flatMap((found) => (Option.isSome(out) ? inputsBesideOutput(out.value, inputs, found, process.cwd()) : Effect.succeed(found)))
      )
      const bySource = new Map<string, { plugin: Plugin<"source">; files: Array<string> }>()
      for (const file of files) {
        const picked = yield* Effect.either(detectSource(registry.plugins, file))
        if (Either.isLeft(picked)) {
          yield* Console.error(`skipped: ${picked.left.message}`)
          continue
        }
        const entry = bySource.get(picked.right.id) ?? { plugin: picked.right, files: [] }
        entry.files.push(resolve(file))
        bySource.set(picked.right.id, entry)
      }
      if (bySource.size === 0) return yield* new InputError({ path: inputs.join(" "), reason: "no input is a capture or flow export that hashhound reads" })
      const meter = {
        ...meterSettings(card),
        ...(Option.isSome(batchFlows) ? { batch_flows: batchFlows.value } : {}),
        ...(sequence ? { sequence: true } : {})
      }
      const sources = [...bySource.values()].map(({ plugin, files: paths }) => ({ type: plugin.id, raw: sourceConfig(plugin, paths, meter).raw }))
      if (!quiet) for (const source of sources) yield* Console.error(`${source.type}: ${JSON.stringify(source.raw)}`)

      const workDir = Option.isSome(work) ? resolve(work.value) : mkdtempSync(join(tmpdir(), "hashhound-score-"))
      if (Option.isNone(work)) yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(workDir, { recursive: true, force: true })))
      const spec = scoringSpec(card, sources, workDir, process.cwd())
      yield* runPipeline(spec, { force: true }).pipe(Effect.provideService(PluginRegistry, registry), Effect.provide(progressLayer(chooseMode(quiet))))

      // one stored batch at a time: read, score, write its alerts
      const layout = runLayout(workDir)
      const manifest = yield* loadManifest(layout.manifest, spec.name)
      const dirs = groupDirs(card.feature_groups.map((group) => group.type))
      const attribution = { order: topFeatureOrder(card.features, card.importance.permutation?.values, card.importance.gain), candidates: ATTRIBUTION_CANDIDATES, top: TOP_FEATURES }
      const sink = yield* openAlertSink(Option.isSome(out) ? resolve(out.value) : undefined, formatOf(out, format), TOP_FEATURES)
      const captures = new Set<string | null>()
      let flows = 0
      let alerts = 0
      for (const dataset of spec.datasets) {
        const datasetLayout = layout.dataset(dataset.name)
        for (const unit of manifest.datasets[dataset.name]?.units ?? []) {
          for (const stored of unit.batches) {
            const batch = yield* readScoringBatch(storage, datasetLayout, unit.number, stored.index, stored.rows, dirs, card.features)
            const found = yield* scoreBatch(stage, fitted, card, batch, limit.value, attribution)
            yield* sink.write(found)
            for (const capture of batch.keys.capture) captures.add(capture)
            flows += batch.matrix.rows
            alerts += found.length
          }
        }
      }
      yield* Console.error(
        `${flows.toLocaleString("en-US")} flows from ${captures.size} capture(s) scored with ${card.name}; ${alerts.toLocaleString("en-US")} alert(s) at score ≥ ${limit.value} (${limit.rule})${Option.isSome(out) ? ` → ${resolve(out.value)}` : ""}`
      )
    }).pipe(Effect.scoped, Effect.provide(StorageLive()))
).pipe(
  Command.withDescription(
    "Score captures or flow exports with a trained model: one alert per flow at or above the threshold (default: the model card's threshold at its smallest target FPR), as JSONL or CSV, with the top 3 features behind each score. Streams: alerts are written batch by batch as flows are scored (highest score first within a batch; one batch per capture up to --batch-flows flows), so memory holds one batch. Attribution: each of the model's 10 most important features is set to its training median in turn; the features whose replacement lowers the flow's score most are reported with that drop."
  )
)
