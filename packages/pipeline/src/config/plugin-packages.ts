/**
 * Third-party plugin packages named under a pipeline's `plugins:`.
 *
 * Holds: `loadPluginPackages` (import each package, take its `plugins` export, check every value
 * with core's `isPluginShape` and `contractViolations`, report problems as `ConfigIssue`s at
 * `plugins.<i>`) and `extendRegistry` (built-ins plus loaded plugins; an id registered twice is
 * an issue at the package that brought it).
 * The naming rule: a name starting with `.` (or an absolute path) is a path relative to the
 * pipeline file's folder; anything else is a package name resolved from that folder. A package
 * plain Node cannot import (TypeScript, as when the CLI runs from its bundle) is imported through tsx.
 * Does not hold: the built-in plugin list (the CLI passes it in) or the contract itself (core).
 */
import { ConfigError, ConfigIssue, contractViolations, isPluginShape, makeRegistry, type AnyPlugin, type Registry } from "@hashhound/core"
import { Effect, Either, Schema } from "effect"
import { existsSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { isAbsolute, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"

export interface PluginGroup {
  /** the name as written under `plugins:` (or `built-in`) */
  readonly source: string
  readonly plugins: ReadonlyArray<AnyPlugin>
}

const firstLine = (cause: unknown): string => {
  const text = cause instanceof Error ? cause.message : String(cause)
  return (text.split("\n")[0] ?? text).trim()
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

const isPluginValue = isPluginShape


/** Is this `plugins:` name a path (relative to the pipeline file) rather than a package name? */
export const isPluginPath = (name: string): boolean => name.startsWith(".") || isAbsolute(name)

/**
 * A package written in TypeScript, or importing `@hashhound/*` (whose entry points are TypeScript
 * sources), cannot be imported by plain Node: the CLI runs from an esbuild bundle, without tsx's
 * hooks. Such an import is retried through tsx, loaded only then.
 */
const isUnknownExtension = (cause: unknown): boolean => isRecord(cause) && cause["code"] === "ERR_UNKNOWN_FILE_EXTENSION"

const importThroughTsx = async (specifier: string): Promise<unknown> => {
  const { tsImport } = await import("tsx/esm/api")
  return tsImport(specifier, import.meta.url) as Promise<unknown>
}

const importModule = (specifier: string): Effect.Effect<unknown, string> =>
  Effect.tryPromise({
    try: () =>
      (import(specifier) as Promise<unknown>).catch((cause: unknown) =>
        isUnknownExtension(cause) ? importThroughTsx(specifier) : Promise.reject(cause)
      ),
    catch: firstLine
  })

/**
 * Import a `plugins:` name: resolve it from `baseDir` (so packages installed beside the pipeline
 * are found) and import the file; ESM-only packages (an `import`-only exports map) do not resolve
 * through require, so a package name falls back to a plain `import(name)`.
 */
/**
 * The entry file of a package folder named by path: its exports map's `"."` (a string, or the
 * `import` / `default` condition), as Node would for the package's name; else `target` itself
 * (require then reads `main` or index.js). A plugin folder made by the generator has only an
 * exports map, which require does not read for a folder path.
 */
export const folderEntry = (target: string): string => {
  const manifest = join(target, "package.json")
  if (!existsSync(manifest) || !statSync(target).isDirectory()) return target
  const parsed = Either.try(() => JSON.parse(readFileSync(manifest, "utf8")) as unknown)
  if (Either.isLeft(parsed) || !isRecord(parsed.right)) return target
  const exportsField = parsed.right["exports"]
  const dot = isRecord(exportsField) && "." in exportsField ? exportsField["."] : exportsField
  const entry = typeof dot === "string" ? dot : isRecord(dot) ? (dot["import"] ?? dot["default"]) : undefined
  return typeof entry === "string" ? resolve(target, entry) : target
}

const importPackage = (name: string, baseDir: string): Effect.Effect<unknown, string> => {
  const require = createRequire(join(baseDir, "noop.js"))
  const target = isPluginPath(name) ? folderEntry(resolve(baseDir, name)) : name
  const resolved = Either.try({ try: () => require.resolve(target), catch: firstLine })
  if (Either.isRight(resolved)) return importModule(pathToFileURL(resolved.right).href)
  // a path require cannot resolve may still be a module file (`./plugin.mjs` without package.json)
  const fallback = isPluginPath(name) ? pathToFileURL(target).href : name
  return importModule(fallback).pipe(Effect.mapError(() => resolved.left))
}

/** The `plugins` export of a module, or of its default export. */
const pluginsExport = (module: unknown): unknown => {
  if (!isRecord(module)) return undefined
  if ("plugins" in module) return module["plugins"]
  const fallback = module["default"]
  return isRecord(fallback) ? fallback["plugins"] : undefined
}

/** Check one package's export; the good plugins and an issue per bad value. */
const checkExport = (
  name: string,
  path: string,
  exported: unknown
): { readonly plugins: ReadonlyArray<AnyPlugin>; readonly issues: ReadonlyArray<ConfigIssue> } => {
  if (!Array.isArray(exported)) {
    return {
      plugins: [],
      issues: [new ConfigIssue({ path, message: `package "${name}" exports no \`plugins\` list (export const plugins = [ … ])` })]
    }
  }
  const plugins: Array<AnyPlugin> = []
  const issues: Array<ConfigIssue> = []
  exported.forEach((value: unknown, index) => {
    if (!isPluginValue(value)) {
      issues.push(
        new ConfigIssue({ path, message: `package "${name}": plugins[${index}] is not a plugin (make plugins with definePlugin from @hashhound/core)` })
      )
      return
    }
    const problems = contractViolations(value)
    if (problems.length > 0) {
      issues.push(new ConfigIssue({ path, message: `package "${name}": plugin "${value.id}" breaks the plugin contract: ${problems.join("; ")}` }))
      return
    }
    plugins.push(value)
  })
  if (exported.length === 0) issues.push(new ConfigIssue({ path, message: `package "${name}" exports an empty \`plugins\` list`, severity: "warning" }))
  return { plugins, issues }
}

/**
 * Import the packages named under `plugins:`; fails with every problem found (a package that does
 * not load, exports no list, or exports values that are not plugins or break the contract).
 */
export const loadPluginPackages = (
  names: ReadonlyArray<string>,
  baseDir: string
): Effect.Effect<ReadonlyArray<PluginGroup>, ConfigError> =>
  Effect.gen(function* () {
    const groups: Array<PluginGroup> = []
    const issues: Array<ConfigIssue> = []
    for (const [index, name] of names.entries()) {
      const path = `plugins.${index}`
      const loaded = yield* Effect.either(importPackage(name, baseDir))
      if (Either.isLeft(loaded)) {
        issues.push(new ConfigIssue({ path, message: `cannot load plugin package "${name}": ${loaded.left}` }))
        continue
      }
      const checked = checkExport(name, path, pluginsExport(loaded.right))
      issues.push(...checked.issues)
      groups.push({ source: name, plugins: checked.plugins })
    }
    if (issues.some((issue) => issue.severity === "error")) return yield* new ConfigError({ issues })
    return groups
  })

/**
 * A registry of `base`'s plugins plus `groups`. A plugin whose id is already taken is an issue at
 * `plugins.<i>` of the package that brought it (`names` maps group sources back to their index).
 */
export const extendRegistry = (
  base: Registry,
  groups: ReadonlyArray<PluginGroup>,
  names: ReadonlyArray<string>
): Effect.Effect<Registry, ConfigError> =>
  Effect.gen(function* () {
    const taken = new Map<string, string>(base.plugins.map((plugin) => [plugin.id, "the built-in plugins"]))
    const issues: Array<ConfigIssue> = []
    const kept: Array<PluginGroup> = []
    for (const group of groups) {
      const plugins: Array<AnyPlugin> = []
      for (const plugin of group.plugins) {
        const owner = taken.get(plugin.id)
        if (owner !== undefined) {
          const index = names.indexOf(group.source)
          issues.push(
            new ConfigIssue({
              path: index >= 0 ? `plugins.${index}` : "plugins",
              message: `package "${group.source}": plugin id "${plugin.id}" is already registered by ${owner === "the built-in plugins" ? owner : `"${owner}"`}`
            })
          )
          continue
        }
        taken.set(plugin.id, group.source)
        plugins.push(plugin)
      }
      kept.push({ source: group.source, plugins })
    }
    if (issues.length > 0) return yield* new ConfigError({ issues })
    if (groups.length === 0) return base
    return yield* makeRegistry([{ source: "built-in", plugins: base.plugins }, ...kept]).pipe(
      Effect.mapError(
        (error) => new ConfigError({ issues: [new ConfigIssue({ path: "plugins", message: error.message })] })
      )
    )
  })
