/**
 * The generation API: `generateScenario` (what `hashhound generate` calls) and
 * `materializeCapture`, which writes one capture of a loaded scenario unless a file with the
 * same fingerprint is already there.
 *
 * Holds: those Effects, with I/O failures as `PluginError` (stage `writing`) and scenario
 * problems as `ConfigError`; generation runs in slices with yields in between.
 * Does not hold: the plugin stage (see `plugin.ts`).
 */
import { type ConfigError, PluginError } from "@hashhound/core"
import { Effect } from "effect"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { type ScenarioOverrides, loadScenario } from "../scenario/load.js"
import type { Scenario } from "../scenario/schema.js"
import { type CaptureFiles, type CaptureMeta, CaptureRun, captureFileNames, captureFingerprint } from "./run-capture.js"

export const PLUGIN_ID = "source.synthetic"

const SLICE_EVENTS = 200_000

const writingError = (input: string, error: unknown) =>
  new PluginError({ pluginId: PLUGIN_ID, stage: "writing", input, reason: error instanceof Error ? error.message : String(error) })

/** Metadata of an existing capture with the expected fingerprint, if there is one. */
export const existingCapture = (files: CaptureFiles, fingerprint: string): CaptureMeta | undefined => {
  if (!existsSync(files.pcap) || !existsSync(files.labels) || !existsSync(files.meta)) return undefined
  try {
    const meta = JSON.parse(readFileSync(files.meta, "utf8")) as CaptureMeta
    return meta.fingerprint === fingerprint ? meta : undefined
  } catch {
    return undefined
  }
}

/** Write capture `index` of `scenario` into `dir` (skipped when already there with the same fingerprint). */
export const materializeCapture = (scenario: Scenario, index: number, dir: string): Effect.Effect<{ files: CaptureFiles; meta: CaptureMeta }, PluginError> =>
  Effect.gen(function* () {
    const files = captureFileNames(scenario, index, dir)
    const have = existingCapture(files, captureFingerprint(scenario, index))
    if (have !== undefined) return { files, meta: have }
    yield* Effect.try({ try: () => mkdirSync(dir, { recursive: true }), catch: (error) => writingError(dir, error) })
    const run = yield* Effect.try({ try: () => new CaptureRun(scenario, index, files), catch: (error) => writingError(files.pcap, error) })
    const loop: Effect.Effect<boolean, PluginError> = Effect.try({ try: () => run.step(SLICE_EVENTS), catch: (error) => writingError(files.pcap, error) })
    const meta = yield* Effect.gen(function* () {
      while (!(yield* loop)) yield* Effect.yieldNow()
      return yield* Effect.try({ try: () => run.commit(), catch: (error) => writingError(files.pcap, error) })
    }).pipe(Effect.onInterrupt(() => Effect.sync(() => run.abandon())), Effect.tapError(() => Effect.sync(() => run.abandon())))
    return { files, meta }
  })

export interface GenerateOptions {
  /** `lab`, `production` or a scenario YAML path */
  readonly scenario: string
  readonly outDir: string
  readonly durationS?: number | undefined
  readonly seed?: number | undefined
  readonly timeCompression?: number | undefined
  readonly hosts?: Readonly<Record<string, number>> | undefined
  /** where a relative scenario path resolves from (default: the working directory) */
  readonly baseDir?: string | undefined
}

export interface GenerateResult {
  readonly captures: ReadonlyArray<string>
  readonly labels: ReadonlyArray<string>
  readonly packets: number
  readonly bytes: number
}

/** Generate every capture of a scenario into `outDir`, with a labels file next to each. */
export const generateScenario = (options: GenerateOptions): Effect.Effect<GenerateResult, ConfigError | PluginError> =>
  Effect.gen(function* () {
    const overrides: ScenarioOverrides = {
      durationS: options.durationS,
      seed: options.seed,
      timeCompression: options.timeCompression,
      hosts: options.hosts
    }
    const { scenario } = yield* loadScenario(options.scenario, options.baseDir ?? process.cwd(), overrides)
    const captures: Array<string> = []
    const labels: Array<string> = []
    let packets = 0
    let bytes = 0
    for (let index = 0; index < scenario.captures; index++) {
      const { files, meta } = yield* materializeCapture(scenario, index, options.outDir)
      captures.push(files.pcap)
      labels.push(files.labels)
      packets += meta.packets
      bytes += meta.bytes
    }
    return { captures, labels, packets, bytes }
  })
