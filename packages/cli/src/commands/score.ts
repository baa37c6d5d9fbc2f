/**
 * `hashhound score --model DIR INPUT… [--out FILE] [--format jsonl|csv] [--threshold X |
 * --target-fpr F] [--work DIR]`: alerts from a trained model.
 *
 * Holds: the command. It reads the model card and `model.bin` of DIR (a `models/<name>/` folder
 * of a run), detects each input's source like `hashhound flows` (captures and flow exports,
 * files, folders, globs), runs the pipeline over them with no labels and no QC but the card's
 * feature groups and configs (flows cut with the training sources' timeouts where the source
 * takes them), scores every flow with the model plugin named in the card (through the
 * PluginRegistry: `load(bytes)`, `predictProba`), and writes one alert per flow at or above the
 * threshold (default: the card's threshold at its smallest target FPR), highest score first,
 * with the flow key, first/last seen, capture, score and the top 3 features that drove the score.
 * Attribution: for each of the model's 10 most important features (card's permutation
 * importance, else gain), the flow is scored again with that feature set to its training median;
 * the features whose replacement lowers the score most are the flow's top features (`delta` =
 * score − score with the median). A count summary goes to stderr; exit 0.
 * Does not hold: the pipeline, the metric and alert helpers (`@hashhound/pipeline` evaluation).
 */
import { Args, Command, Options } from "@effect/cli"
import {
  ConfigError,
  ConfigIssue,
  InputError,
  PluginRegistry,
  readNumeric,
  readStrings,
  type FeatureMatrix,
  type Plugin
} from "@hashhound/core"
import { expandPaths } from "@hashhound/flowmeter"
import {
  alertRecord,
  alertRows,
  attributeScores,
  chooseThreshold,
  loadManifest,
  meterSettings,
  ModelCardJson,
  quoteLiteral,
  runLayout,
  runPipeline,
  scoringSpec,
  Storage,
  StorageLive,
  toCsv,
  toJsonl,
  topFeatureOrder,
  type FlowKeys
} from "@hashhound/pipeline"
import { Console, Effect, Either, Option, Schema } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { extname, join, resolve } from "node:path"
import { chooseMode, progressLayer } from "../progress.js"
import { detectSource } from "./flows.js"
import { quietOption } from "./run.js"

const FORMATS = ["jsonl", "csv"] as const
type AlertFormat = (typeof FORMATS)[number]

/** Features tried per alert, and features reported. */
const ATTRIBUTION_CANDIDATES = 10
const TOP_FEATURES = 3

const KEY_COLUMNS = ["flow_id", "capture", "src_ip", "dst_ip", "src_port", "dst_port", "protocol", "first_seen_us", "last_seen_us"] as const

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

/** The source's config: the files, plus each training metering setting the source accepts. */
const sourceConfig = (plugin: Plugin<"source">, paths: ReadonlyArray<string>, meter: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  let raw: Record<string, unknown> = { paths: [...paths] }
  for (const [key, value] of Object.entries(meter)) {
    const candidate = { ...raw, [key]: value }
    if (Either.isRight(plugin.decode(candidate))) raw = candidate
  }
  return raw
}

/** Feature folder names of the card's groups, as the pipeline names them (`type`, `type-2`, …). */
const groupDirs = (types: ReadonlyArray<string>): ReadonlyArray<string> => {
  const seen = new Map<string, number>()
  return types.map((type) => {
    const count = (seen.get(type) ?? 0) + 1
    seen.set(type, count)
    return count === 1 ? type : `${type}-${count}`
  })
}

const formatOf = (out: Option.Option<string>, given: Option.Option<AlertFormat>): AlertFormat =>
  Option.isSome(given) ? given.value : Option.isSome(out) && extname(out.value).toLowerCase() === ".csv" ? "csv" : "jsonl"

const concat = (parts: ReadonlyArray<Float64Array>): Float64Array => {
  const out = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

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
    work: Options.directory("work").pipe(Options.optional, Options.withDescription("keep the intermediate run (flows, features) in this folder")),
    quiet: quietOption
  },
  ({ model, inputs, out, format, threshold, targetFpr, work, quiet }) =>
    Effect.gen(function* () {
      const registry = yield* PluginRegistry
      const storage = yield* Storage
      const dir = resolve(model)
      const card = yield* readCard(dir)
      const chosen = chooseThreshold(card, { ...(Option.isSome(threshold) ? { threshold: threshold.value } : {}), ...(Option.isSome(targetFpr) ? { targetFpr: targetFpr.value } : {}) })
      if (Either.isLeft(chosen)) return yield* usage(Option.isSome(threshold) ? "--threshold" : "--target-fpr", chosen.left)
      const limit = chosen.right

      const modelPlugin = yield* registry.getKind(card.type, "model")
      const stage = yield* modelPlugin.make(card.params).pipe(Effect.orElse(() => modelPlugin.make({})))
      const binPath = join(dir, "model.bin")
      const bytes = yield* Effect.try({ try: () => new Uint8Array(readFileSync(binPath)), catch: (error) => new InputError({ path: binPath, reason: `cannot read the model: ${String(error)}` }) })
      const fitted = yield* stage.load(bytes)

      // inputs → one source entry per detected plugin
      const files = yield* expandPaths(inputs, process.cwd())
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
      const meter = meterSettings(card)
      const sources = [...bySource.values()].map(({ plugin, files: paths }) => ({ type: plugin.id, raw: sourceConfig(plugin, paths, meter) }))
      if (!quiet) for (const source of sources) yield* Console.error(`${source.type}: ${JSON.stringify(source.raw)}`)

      const workDir = Option.isSome(work) ? resolve(work.value) : mkdtempSync(join(tmpdir(), "hashhound-score-"))
      if (Option.isNone(work)) yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(workDir, { recursive: true, force: true })))
      const spec = scoringSpec(card, sources, workDir, process.cwd())
      yield* runPipeline(spec, { force: true }).pipe(Effect.provideService(PluginRegistry, registry), Effect.provide(progressLayer(chooseMode(quiet))))

      // flows' keys and the card's features, in manifest order
      const layout = runLayout(workDir)
      const manifest = yield* loadManifest(layout.manifest, spec.name)
      const dirs = groupDirs(card.feature_groups.map((group) => group.type))
      const featureParts = card.features.map((): Array<Float64Array> => [])
      const numeric: Record<string, Array<Float64Array>> = { src_port: [], dst_port: [], protocol: [], first_seen_us: [], last_seen_us: [] }
      const text: Record<string, Array<string | null>> = { flow_id: [], capture: [], src_ip: [], dst_ip: [] }
      for (const dataset of spec.datasets) {
        const datasetLayout = layout.dataset(dataset.name)
        for (const unit of manifest.datasets[dataset.name]?.units ?? []) {
          for (const stored of unit.batches) {
            const keys = yield* storage.query(
              `SELECT COLUMNS(lambda c: c IN (${KEY_COLUMNS.map(quoteLiteral).join(", ")})) FROM read_parquet(${quoteLiteral(datasetLayout.flowsPart(unit.number, stored.index))})`
            )
            for (const name of Object.keys(text)) text[name]!.push(...(readStrings(keys, name) ?? new Array<string | null>(stored.rows).fill(null)))
            for (const name of Object.keys(numeric)) numeric[name]!.push(readNumeric(keys, name) ?? new Float64Array(stored.rows).fill(Number.NaN))
            const found = new Map<string, Float64Array>()
            for (const groupDir of dirs) {
              const part = yield* storage.readParquet(datasetLayout.featuresPart(groupDir, unit.number, stored.index))
              for (const field of part.schema.fields) {
                if (field.name === "flow_id") continue
                const values = readNumeric(part, field.name)
                if (values !== undefined) found.set(field.name, values)
              }
            }
            card.features.forEach((name, f) => featureParts[f]!.push(found.get(name) ?? new Float64Array(stored.rows).fill(Number.NaN)))
          }
        }
      }
      const matrix: FeatureMatrix = { names: card.features, rows: text["flow_id"]!.length, columns: featureParts.map(concat) }
      const keys: FlowKeys = {
        flowId: text["flow_id"]!,
        capture: text["capture"]!,
        srcIp: text["src_ip"]!,
        dstIp: text["dst_ip"]!,
        srcPort: concat(numeric["src_port"]!),
        dstPort: concat(numeric["dst_port"]!),
        protocol: concat(numeric["protocol"]!),
        firstSeenUs: concat(numeric["first_seen_us"]!),
        lastSeenUs: concat(numeric["last_seen_us"]!)
      }

      const scores = matrix.rows === 0 ? new Float64Array(0) : yield* stage.predictProba(fitted, matrix)
      const rows = alertRows(scores, limit.value)
      const alertMatrix: FeatureMatrix = { names: matrix.names, rows: rows.length, columns: matrix.columns.map((column) => Float64Array.from(rows, (row) => column[row]!)) }
      const alertScores = Float64Array.from(rows, (row) => scores[row]!)
      const order = topFeatureOrder(card.features, card.importance.permutation?.values, card.importance.gain)
      const contributions =
        rows.length === 0
          ? []
          : yield* attributeScores(stage, fitted, alertMatrix, alertScores, card.feature_medians, order, { candidates: ATTRIBUTION_CANDIDATES, top: TOP_FEATURES })
      const alerts = rows.map((row, i) => alertRecord(keys, row, scores[row]!, limit.value, card.name, contributions[i] ?? []))
      const kind = formatOf(out, format)
      const body = kind === "csv" ? toCsv(alerts, TOP_FEATURES) : toJsonl(alerts)
      if (Option.isSome(out)) yield* Effect.try({ try: () => writeFileSync(resolve(out.value), body), catch: (error) => new InputError({ path: out.value, reason: `cannot write: ${String(error)}` }) })
      else yield* Effect.sync(() => process.stdout.write(body))
      const captures = new Set(keys.capture).size
      yield* Console.error(
        `${matrix.rows.toLocaleString("en-US")} flows from ${captures} capture(s) scored with ${card.name}; ${alerts.length.toLocaleString("en-US")} alert(s) at score ≥ ${limit.value} (${limit.rule})${Option.isSome(out) ? ` → ${resolve(out.value)}` : ""}`
      )
    }).pipe(Effect.scoped, Effect.provide(StorageLive()))
).pipe(
  Command.withDescription(
    "Score captures or flow exports with a trained model: one alert per flow at or above the threshold (default: the model card's threshold at its smallest target FPR), as JSONL or CSV, with the top 3 features behind each score. Attribution: each of the model's 10 most important features is set to its training median in turn; the features whose replacement lowers the flow's score most are reported with that drop."
  )
)
