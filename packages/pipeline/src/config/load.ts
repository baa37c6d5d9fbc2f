/**
 * Pipeline YAML → PipelineSpec: the two decoding passes put together.
 *
 * Holds: `parsePipeline` (text) and `loadPipeline` (file): YAML with positions → pass 1 (outer
 * shape) → third-party `plugins:` packages → registry of built-ins plus those → pass 2 (every
 * entry against its plugin) → column requirement check → the spec, or one `ConfigError` with
 * every problem, each with its YAML path, line and column, in file order. Warnings come back
 * beside the spec (and inside the error, when there is one).
 * Does not hold: running anything; plugins' `make` is never called here.
 */
import { ConfigError, ConfigIssue, type Registry } from "@hashhound/core"
import { Effect, Either } from "effect"
import { readFile } from "node:fs/promises"
import { availableParallelism } from "node:os"
import { dirname, resolve } from "node:path"
import type { DatasetSpec, PipelineSpec, StageEntry } from "../spec.js"
import { decodeEntries, entrySites } from "./entries.js"
import { extendRegistry, loadPluginPackages } from "./plugin-packages.js"
import { checkRequirements } from "./requirements.js"
import { bestEffortOptions, decodeShape, type PipelineFile } from "./shape.js"
import { inFileOrder, readYaml, withPositions } from "./yaml-document.js"

export interface LoadOptions {
  /** CPUs `unit_concurrency` is capped at; the machine's available parallelism when absent */
  readonly cpuCount?: number
}

export interface LoadedPipeline {
  readonly spec: PipelineSpec
  /** warning-severity issues (missing columns, unknown column availability, capped concurrency …) */
  readonly warnings: ReadonlyArray<ConfigIssue>
  /** the given registry plus the plugins of the file's `plugins:` packages: build stages from this one */
  readonly registry: Registry
}

export interface PipelineLocation {
  /** the pipeline file, when the text came from one */
  readonly file?: string
  /** folder that relative paths (`output`, `plugins: ["./x"]`, sources' `paths`) resolve from */
  readonly baseDir: string
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** `plugins:` names as far as they are strings, so packages load even when the shape has errors elsewhere. */
const pluginNames = (value: unknown): ReadonlyArray<string> => {
  const names = isRecord(value) ? value["plugins"] : undefined
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === "string" && name !== "") : []
}

const buildSpec = (
  file: PipelineFile,
  entries: ReadonlyMap<string, StageEntry>,
  where: PipelineLocation,
  cpuCount: number
): Either.Either<PipelineSpec, ReadonlyArray<ConfigIssue>> => {
  const lost: Array<ConfigIssue> = []
  const pick = (path: string): StageEntry | undefined => {
    const entry = entries.get(path)
    if (entry === undefined) lost.push(new ConfigIssue({ path, message: "internal: entry was not decoded" }))
    return entry
  }
  const pickAll = (prefix: string, count: number): ReadonlyArray<StageEntry> =>
    Array.from({ length: count }, (_, index) => pick(`${prefix}.${index}`)).filter((entry) => entry !== undefined)
  const datasets: Array<DatasetSpec> = []
  for (const [name, dataset] of Object.entries(file.datasets)) {
    const source = pick(`datasets.${name}.source`)
    const labels = pickAll(`datasets.${name}.labels`, dataset.labels.length)
    if (source !== undefined) datasets.push({ name, source, labels })
  }
  const spec: PipelineSpec = {
    name: file.name,
    ...(where.file === undefined ? {} : { file: resolve(where.file) }),
    baseDir: resolve(where.baseDir),
    output: resolve(where.baseDir, file.output),
    plugins: file.plugins,
    datasets,
    qc: pickAll("qc", file.qc.length),
    features: pickAll("features", file.features.length),
    models: pickAll("models", file.models.length),
    reports: pickAll("reports", file.reports.length),
    ...(file.evaluation === undefined
      ? {}
      : { evaluation: { train: file.evaluation.train, test: file.evaluation.test, target_fpr: file.evaluation.target_fpr } }),
    options: { ...file.options, unit_concurrency: Math.min(file.options.unit_concurrency, cpuCount) }
  }
  return lost.length > 0 ? Either.left(lost) : Either.right(spec)
}

/** Decode pipeline YAML text. Fails with every problem at once. */
export const parsePipeline = (
  text: string,
  where: PipelineLocation,
  registry: Registry,
  options: LoadOptions = {}
): Effect.Effect<LoadedPipeline, ConfigError> =>
  Effect.gen(function* () {
    const cpuCount = Math.max(1, options.cpuCount ?? availableParallelism())
    const parsed = readYaml(text)
    if (Either.isLeft(parsed)) return yield* new ConfigError({ ...fileOf(where), issues: parsed.left })
    const { value, locate } = parsed.right

    const issues: Array<ConfigIssue> = []
    const shape = decodeShape(value, cpuCount)
    issues.push(...shape.issues)

    const names = pluginNames(value)
    let packagesFailed = false
    const extended = yield* loadPluginPackages(names, where.baseDir).pipe(
      Effect.flatMap((groups) => extendRegistry(registry, groups, names)),
      Effect.catchTag("ConfigError", (error) => {
        packagesFailed = true
        issues.push(...error.issues)
        return Effect.succeed(registry)
      })
    )

    const decoded = decodeEntries(entrySites(value), extended)
    issues.push(
      ...decoded.issues.map((issue) =>
        packagesFailed && issue.message.startsWith("unknown plugin")
          ? new ConfigIssue({ ...issue, message: `${issue.message} (a package under plugins: did not load; it may be the one that provides it)` })
          : issue
      )
    )

    const datasets = isRecord(value) && isRecord(value["datasets"]) ? Object.keys(value["datasets"]) : []
    issues.push(
      ...checkRequirements({
        datasets: datasets.flatMap((name) => {
          const source = decoded.entries.get(`datasets.${name}.source`)
          const labels = [...decoded.entries.values()].filter((entry) => entry.path.startsWith(`datasets.${name}.labels.`))
          return source === undefined ? [] : [{ name, source, labels }]
        }),
        features: [...decoded.entries.values()].filter((entry) => entry.path.startsWith("features.")),
        allowGuardedColumns: bestEffortOptions(value).allow_guarded_columns,
        registry: extended
      })
    )

    const hasErrors = (list: ReadonlyArray<ConfigIssue>) => list.some((issue) => issue.severity === "error")
    if (hasErrors(issues) || shape.file === undefined) {
      return yield* new ConfigError({ ...fileOf(where), issues: inFileOrder(withPositions(issues, locate)) })
    }
    const spec = buildSpec(shape.file, decoded.entries, where, cpuCount)
    if (Either.isLeft(spec)) {
      return yield* new ConfigError({ ...fileOf(where), issues: inFileOrder(withPositions([...issues, ...spec.left], locate)) })
    }
    return { spec: spec.right, warnings: inFileOrder(withPositions(issues, locate)), registry: extended }
  })

const fileOf = (where: PipelineLocation): { readonly file?: string } => (where.file === undefined ? {} : { file: where.file })

/** Read and decode a pipeline file; relative paths resolve from the file's folder. */
export const loadPipeline = (
  file: string,
  registry: Registry,
  options: LoadOptions = {}
): Effect.Effect<LoadedPipeline, ConfigError> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (cause) =>
        new ConfigError({
          file,
          issues: [
            new ConfigIssue({
              path: "",
              message: `cannot read the pipeline file: ${cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause)}`
            })
          ]
        })
    })
    return yield* parsePipeline(text, { file, baseDir: dirname(resolve(file)) }, registry, options)
  })
