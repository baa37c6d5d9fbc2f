/**
 * PluginRegistry: the one place the pipeline and the CLI learn which plugins exist.
 *
 * Holds: the registry service (list, get by id, get with an expected kind), its validation of
 * every plugin against the contract (id pattern, kind matches id, semver, summary, snake_case
 * config keys, unique ids), and a shape check for values exported by third-party packages.
 * Does not hold: importing packages (I/O; see `@hashhound/pipeline`), or any built-in list.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { InvalidPluginError, UnknownPluginError } from "./errors.js"
import { PLUGIN_ID_PATTERN, isPluginKind, type PluginKind } from "./kinds.js"
import { nonSnakeCaseKeys, type AnyPlugin, type Plugin } from "./plugin.js"

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/

export interface Registry {
  readonly plugins: ReadonlyArray<AnyPlugin>
  readonly get: (id: string) => Effect.Effect<AnyPlugin, UnknownPluginError>
  readonly getKind: <K extends PluginKind>(id: string, kind: K) => Effect.Effect<Plugin<K>, UnknownPluginError>
  readonly find: (id: string) => AnyPlugin | undefined
}

export class PluginRegistry extends Context.Tag("hashhound/PluginRegistry")<PluginRegistry, Registry>() {}

/** Every way a plugin breaks the contract; empty when it is fine. */
export const contractViolations = (plugin: AnyPlugin): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (!PLUGIN_ID_PATTERN.test(plugin.id)) problems.push(`id "${plugin.id}" is not <kind>.<kebab-name>`)
  if (!isPluginKind(plugin.kind)) problems.push(`kind "${String(plugin.kind)}" is not a plugin kind`)
  else if (!plugin.id.startsWith(`${plugin.kind}.`)) problems.push(`id "${plugin.id}" does not start with its kind "${plugin.kind}."`)
  if (!SEMVER.test(plugin.version)) problems.push(`version "${plugin.version}" is not semver`)
  if (plugin.summary.trim() === "") problems.push("summary is empty")
  for (const key of nonSnakeCaseKeys(plugin.config)) problems.push(`config key "${key}" is not snake_case`)
  return problems
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** Does an exported value look like a Plugin (before the contract check)? */
export const isPluginShape = (value: unknown): value is AnyPlugin =>
  isRecord(value) &&
  typeof value["id"] === "string" &&
  typeof value["kind"] === "string" &&
  typeof value["version"] === "string" &&
  typeof value["summary"] === "string" &&
  typeof value["decode"] === "function" &&
  typeof value["make"] === "function" &&
  typeof value["columnsFor"] === "function" &&
  Array.isArray(value["requires"]) &&
  Array.isArray(value["provides"]) &&
  Schema.isSchema(value["config"])

/** Build a registry from plugin lists; refuses contract violations and duplicate ids. */
export const makeRegistry = (
  groups: ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }>
): Effect.Effect<Registry, InvalidPluginError> =>
  Effect.gen(function* () {
    const byId = new Map<string, AnyPlugin>()
    for (const group of groups) {
      for (const plugin of group.plugins) {
        const problems = contractViolations(plugin)
        if (problems.length > 0) {
          return yield* new InvalidPluginError({ source: `${group.source} (${plugin.id})`, reason: problems.join("; ") })
        }
        if (byId.has(plugin.id)) {
          return yield* new InvalidPluginError({ source: group.source, reason: `plugin id "${plugin.id}" is registered twice` })
        }
        byId.set(plugin.id, plugin)
      }
    }
    const plugins = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))
    const known = plugins.map((plugin) => plugin.id)
    const get = (id: string) => {
      const plugin = byId.get(id)
      return plugin === undefined ? Effect.fail(new UnknownPluginError({ id, known })) : Effect.succeed(plugin)
    }
    const getKind = <K extends PluginKind>(id: string, kind: K): Effect.Effect<Plugin<K>, UnknownPluginError> => {
      const plugin = byId.get(id)
      return plugin !== undefined && plugin.kind === kind
        ? Effect.succeed(plugin as Plugin<K>)
        : Effect.fail(new UnknownPluginError({ id, known: known.filter((k) => k.startsWith(`${kind}.`)) }))
    }
    return { plugins, get, getKind, find: (id: string) => byId.get(id) }
  })

export const registryLayer = (
  groups: ReadonlyArray<{ readonly source: string; readonly plugins: ReadonlyArray<AnyPlugin> }>
): Layer.Layer<PluginRegistry, InvalidPluginError> => Layer.effect(PluginRegistry, makeRegistry(groups))
