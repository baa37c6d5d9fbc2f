/**
 * Making the stage a contract check runs: from the caller's config or else the example.yaml
 * config, after checking the plugin is of the expected kind.
 *
 * Holds: `StageContractOptions` (the options of the qc, labeler, features and report suites),
 * `withStage`, `withConfig` and the check that `requires` names catalogue columns.
 * Does not hold: any check.
 */
import { COLUMN_BY_NAME, type AnyPlugin, type FlowBatch, type Plugin, type PluginKind, type StageByKind } from "@hashhound/core"
import { Effect, Either } from "effect"
import { exampleConfig, type PluginContractOptions } from "./plugin.js"
import { withoutType } from "./source-read.js"

export interface StageContractOptions extends PluginContractOptions {
  /** raw config to make the stage with (default: the example.yaml entry) */
  readonly config?: unknown
  /** the batch to run on (default: testkit's `sampleBatch()`, every catalogue column) */
  readonly batch?: FlowBatch
}

/** Run `body` with the stage made from the options' config, or report why there is none. */
export const withStage = <K extends PluginKind>(
  plugin: AnyPlugin,
  kind: K,
  options: StageContractOptions,
  body: (stage: StageByKind[K], raw: Record<string, unknown>) => Effect.Effect<ReadonlyArray<string>, unknown>
): Effect.Effect<ReadonlyArray<string>, unknown> => {
  if (plugin.kind !== kind) return Effect.succeed([`kind is "${plugin.kind}", not "${kind}"`])
  const typed = plugin as unknown as Plugin<K>
  const raw: Effect.Effect<Either.Either<Record<string, unknown>, ReadonlyArray<string>>> =
    options.config !== undefined ? Effect.succeed(Either.right(withoutType(options.config))) : exampleConfig(plugin, options.exampleYaml)
  return Effect.flatMap(raw, (config) =>
    Either.match(config, {
      onLeft: (violations) => Effect.succeed(violations),
      onRight: (rawConfig) =>
        Effect.flatMap(Effect.either(Effect.suspend(() => typed.make(rawConfig))), (made) =>
          made._tag === "Left" ? Effect.succeed([`make(config) failed: ${made.left.message}`]) : body(made.right, rawConfig)
        )
    })
  )
}

/** Columns a stage reads (plugin.requires, after config) that are not in the catalogue. */
export const requiresViolations = (plugin: AnyPlugin, raw: unknown): ReadonlyArray<string> => {
  const requires = new Set([...plugin.requires, ...plugin.columnsFor(withoutType(raw)).requires])
  return [...requires].filter((name) => !COLUMN_BY_NAME.has(name)).map((name) => `requires "${name}", which is not a catalogue column`)
}

/** Run a sync check that needs the config the stage is made with. */
export const withConfig = (
  plugin: AnyPlugin,
  options: StageContractOptions,
  body: (raw: Record<string, unknown>) => ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>> =>
  options.config !== undefined
    ? Effect.sync(() => body(withoutType(options.config)))
    : Effect.map(exampleConfig(plugin, options.exampleYaml), Either.match({ onLeft: (violations) => violations, onRight: body }))
