/**
 * `source.synthetic`: generated lab traffic read through the same pcap path as real data.
 *
 * Holds: the config Schema, the plugin manifest, and its stage: `plan` (one unit per capture
 * of the scenario, fingerprinted by config and generator version), `read` (generate into the
 * work folder unless already there, then `captureEvents` with `label_raw` joined from the
 * labels file) and `materialize` (generate only, for `hashhound generate`).
 * Does not hold: the simulation (see `sim/`, `behaviours/`) or the CLI.
 */
import {
  definePlugin,
  finding,
  InputError,
  PluginError,
  type ConfigError,
  type SourceEvent,
  type SourceStage,
  type StageContext
} from "@hashhound/core"
import { captureEvents, FLOWMETER_COLUMNS } from "@hashhound/flowmeter"
import { Effect, Schema, Stream } from "effect"
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { materializeCapture, PLUGIN_ID } from "./generate/generate.js"
import { LabelIndex, labelBatch } from "./generate/label-join.js"
import { parseLabels } from "./generate/labels.js"
import { captureFileNames, captureFingerprint } from "./generate/run-capture.js"
import { loadScenario } from "./scenario/load.js"
import type { Scenario } from "./scenario/schema.js"

export const SyntheticConfig = Schema.Struct({
  /** `lab`, `production`, or a scenario YAML path relative to the pipeline file */
  scenario: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1)), { default: () => "lab" }),
  /** simulated seconds per capture (default: the scenario's) */
  duration_s: Schema.optional(Schema.Number.pipe(Schema.positive())),
  /** random seed (default: the scenario's); same seed, same bytes */
  seed: Schema.optional(Schema.Int),
  /** divide application gaps by this (default: the scenario's, 1 for the built-ins) */
  time_compression: Schema.optional(Schema.Number.pipe(Schema.greaterThanOrEqualTo(1))),
  /** host group sizes: group name → number of hosts */
  hosts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Int.pipe(Schema.nonNegative()) })),
  /** flow meter: a flow with no packet for this long ends (seconds) */
  idle_timeout_s: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 120 }),
  /** flow meter: flows longer than this are cut (seconds) */
  active_timeout_s: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 1800 })
})
export type SyntheticConfig = typeof SyntheticConfig.Type

export const SYNTHETIC_COLUMNS: ReadonlyArray<string> = [...FLOWMETER_COLUMNS, "label_raw"]

const configProblem = (error: ConfigError): PluginError =>
  new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason: `scenario: ${error.message}` })

const scenarioFor = (config: SyntheticConfig, ctx: StageContext): Effect.Effect<Scenario, PluginError> =>
  loadScenario(config.scenario, ctx.baseDir, {
    durationS: config.duration_s,
    seed: config.seed,
    timeCompression: config.time_compression,
    hosts: config.hosts
  }).pipe(
    Effect.map((loaded) => loaded.scenario),
    Effect.mapError(configProblem)
  )

const readUnit = (config: SyntheticConfig, index: number, ctx: StageContext, resume: Parameters<SourceStage["read"]>[2]): Stream.Stream<SourceEvent, PluginError | InputError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const scenario = yield* scenarioFor(config, ctx)
      const { files } = yield* materializeCapture(scenario, index, ctx.workDir)
      const text = yield* Effect.tryPromise({
        try: () => readFile(files.labels, "utf8"),
        catch: () => new InputError({ path: files.labels, reason: "cannot read the labels file" })
      })
      const parsed = parseLabels(text)
      const labels = new LabelIndex(parsed.rows)
      const capture = basename(files.pcap)
      const events = captureEvents(files.pcap, { idleTimeoutS: config.idle_timeout_s, activeTimeoutS: config.active_timeout_s, findingSource: PLUGIN_ID, captureName: capture }, resume)
      let unmatched = 0
      const labelled = Stream.map(events, (event): SourceEvent => {
        if (event._tag !== "Batch") return event
        const result = labelBatch(event.batch, labels)
        unmatched += result.unmatched
        return { ...event, batch: result.batch }
      })
      const tail = Stream.suspend(() => {
        const out: Array<SourceEvent> = []
        if (parsed.bad.length > 0) {
          out.push({
            _tag: "Finding",
            finding: finding({ source: PLUGIN_ID, code: "corrupt_record", severity: "warn", message: `labels file lines not understood: ${parsed.bad.slice(0, 10).join(", ")}`, capture, count: parsed.bad.length })
          })
        }
        if (unmatched > 0) {
          out.push({
            _tag: "Finding",
            finding: finding({ source: PLUGIN_ID, code: "unlabelled_flow", severity: "warn", message: `${unmatched} flows match no ground-truth row (label_raw is null)`, capture, count: unmatched })
          })
        }
        return Stream.fromIterable(out)
      })
      return Stream.concat(labelled, tail)
    })
  )

export const syntheticSource = definePlugin({
  id: PLUGIN_ID,
  kind: "source",
  version: "0.1.0",
  summary: "Synthetic mining and benign traffic (scenario YAML), written as pcap and read like a capture, with ground-truth labels",
  config: SyntheticConfig,
  provides: SYNTHETIC_COLUMNS,
  make: (config) =>
    Effect.succeed<SourceStage>({
      plan: (ctx) =>
        Effect.map(scenarioFor(config, ctx), (scenario) =>
          Array.from({ length: scenario.captures }, (_, index) => {
            const files = captureFileNames(scenario, index, ctx.workDir)
            return { id: basename(files.pcap), path: files.pcap, fingerprint: captureFingerprint(scenario, index) }
          })
        ),
      read: (unit, ctx, resume) => {
        const match = /-(\d{3})\.pcap$/.exec(unit.id)
        const index = match === null ? 0 : Number(match[1])
        return readUnit(config, index, ctx, resume)
      },
      materialize: (ctx) =>
        Effect.gen(function* () {
          const scenario = yield* scenarioFor(config, ctx)
          const out: Array<string> = []
          for (let index = 0; index < scenario.captures; index++) {
            const { files } = yield* materializeCapture(scenario, index, ctx.workDir)
            out.push(files.pcap, files.labels)
          }
          return out
        })
    })
})
