/**
 * The part of the plugin contract every kind shares, as checks and as a vitest suite
 * (`pluginContract`).
 *
 * Holds: the manifest check (core's `contractViolations`), example.yaml decoding, unknown and
 * wrong-typed config values rejected with their path, snake_case keys, README sections (and
 * every top-level config key mentioned), and bad config failing `make` with a tagged
 * ConfigError rather than a raw Error or a defect.
 * Does not hold: kind-specific checks (source.ts, qc.ts, labeler.ts, features.ts, report.ts).
 */
import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { contractViolations, isPluginShape, kindOfId, nonSnakeCaseKeys, type AnyPlugin, type ConfigIssue, type PluginKind } from "@hashhound/core"
import { Cause, Effect, Either, Exit, Option, Schema, SchemaAST } from "effect"
import { readExampleYaml } from "../yaml-stage.js"
import { attempt, check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"

export interface PluginContractOptions {
  /** absolute path of the plugin's example.yaml (one stage entry with `type`) */
  readonly exampleYaml: string
  /** README.md; defaults to the one beside example.yaml */
  readonly readme?: string
  /** top-level config keys that deliberately accept any value */
  readonly untypedKeys?: ReadonlyArray<string>
  /** per-test time limit in ms (vitest's default when absent) */
  readonly testTimeoutMs?: number
}

/** README headings each kind must have (a heading that starts with the name counts). */
export const readmeSectionsFor = (kind: PluginKind): ReadonlyArray<string> =>
  kind === "source" ? ["Configuration", "Output columns", "Errors", "Example"] : ["Configuration", "Output", "Errors", "Example"]

const UNKNOWN_KEY = "hh_contract_unknown_key"

/** Values of every JSON type; a typed key must refuse at least one of them. */
const WRONG_VALUES: ReadonlyArray<unknown> = ["hh-contract-wrong", -12345.5, true, [], { hh_contract_wrong: 1 }, null]

const renderIssues = (issues: ReadonlyArray<ConfigIssue>): string => issues.map((issue) => issue.render()).join("; ")

/** The example entry's config (without `type`), or the violations that stop us from getting it. */
export const exampleConfig = (plugin: AnyPlugin, exampleYaml: string): Effect.Effect<Either.Either<Record<string, unknown>, ReadonlyArray<string>>> =>
  Effect.match(readExampleYaml(exampleYaml), {
    onFailure: (error) => Either.left([`example.yaml: ${error.message}`]),
    onSuccess: ({ entry }) =>
      entry.type !== plugin.id
        ? Either.left([`example.yaml: type is "${entry.type}" but the plugin id is "${plugin.id}"`])
        : Either.right({ ...entry.raw })
  })

/** id, kind, version, summary and config keys follow the contract. */
export const checkManifest = (plugin: AnyPlugin): ReadonlyArray<string> => {
  if (!isPluginShape(plugin))
    return ["the value does not have a plugin's shape (id, kind, version, summary, config Schema, decode, make, …)"]
  const problems = [...contractViolations(plugin)]
  if (kindOfId(plugin.id) !== undefined && kindOfId(plugin.id) !== plugin.kind)
    problems.push(`id "${plugin.id}" names kind "${kindOfId(plugin.id)}" but kind is "${plugin.kind}"`)
  return problems
}

/** example.yaml parses, names this plugin and decodes with its config schema. */
export const checkExampleDecodes = (plugin: AnyPlugin, exampleYaml: string): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(exampleConfig(plugin, exampleYaml), (config) =>
    Either.match(config, {
      onLeft: (violations) => violations,
      onRight: (raw) =>
        Either.match(plugin.decode(raw), {
          onLeft: (issues) => [`example.yaml does not decode: ${renderIssues(issues)}`],
          onRight: () => []
        })
    })
  )

/** An unknown key is refused, and the issue names it (also under a path prefix). */
export const checkUnknownKeyRejected = (plugin: AnyPlugin, base: Record<string, unknown>): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const raw = { ...base, [UNKNOWN_KEY]: 1 }
  Either.match(plugin.decode(raw), {
    onRight: () => problems.push(`an unknown key "${UNKNOWN_KEY}" was accepted (config must be decoded strictly)`),
    onLeft: (issues) => {
      if (!issues.some((issue) => issue.path === UNKNOWN_KEY))
        problems.push(`the unknown key was refused but no issue names "${UNKNOWN_KEY}" (${renderIssues(issues)})`)
    }
  })
  Either.match(plugin.decode(raw, "datasets.contract.source"), {
    onRight: () => undefined,
    onLeft: (issues) => {
      if (!issues.some((issue) => issue.path === `datasets.contract.source.${UNKNOWN_KEY}`))
        problems.push(`decode(raw, prefix) does not put the prefix on issue paths (${renderIssues(issues)})`)
    }
  })
  return problems
}

/** Top-level keys of a schema's encoded side (empty when it is not a struct). */
export const topLevelKeys = (schema: Schema.Schema.AnyNoContext): ReadonlyArray<string> => {
  let ast: SchemaAST.AST = Schema.encodedSchema(schema).ast
  for (;;) {
    if (ast._tag === "Refinement") ast = ast.from
    else if (ast._tag === "Transformation") ast = ast.from
    else if (ast._tag === "Suspend") ast = ast.f()
    else break
  }
  return ast._tag === "TypeLiteral" ? ast.propertySignatures.map((p) => String(p.name)) : []
}

/** Each top-level key refuses some value of the wrong type, with an issue at that key's path. */
export const checkWrongTypeRejected = (
  plugin: AnyPlugin,
  base: Record<string, unknown>,
  untypedKeys: ReadonlyArray<string> = []
): ReadonlyArray<string> => {
  if (Either.isLeft(plugin.decode(base))) return ["cannot try wrong values: the example config itself does not decode"]
  const problems: Array<string> = []
  const keys = [...new Set([...topLevelKeys(plugin.config), ...Object.keys(base)])]
  for (const key of keys) {
    if (untypedKeys.includes(key)) continue
    let refused = false
    for (const value of WRONG_VALUES) {
      const result = plugin.decode({ ...base, [key]: value })
      if (Either.isRight(result)) continue
      refused = true
      const issues = result.left
      if (!issues.some((issue) => issue.path === key || issue.path.startsWith(`${key}.`)))
        problems.push(`${key}: ${JSON.stringify(value)} was refused but no issue names "${key}" (${renderIssues(issues)})`)
      break
    }
    if (!refused) problems.push(`config key "${key}" accepts a value of every type (string, number, boolean, array, object, null)`)
  }
  return problems
}

/** Every config key, nested ones included, is snake_case. */
export const checkSnakeCaseKeys = (plugin: AnyPlugin): ReadonlyArray<string> =>
  nonSnakeCaseKeys(plugin.config).map((key) => `config key "${key}" is not snake_case`)

/** Markdown headings of a text, without the #s. */
export const headingsOf = (markdown: string): ReadonlyArray<string> =>
  markdown
    .split(/\r?\n/)
    .map((line) => /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1])
    .filter((heading): heading is string => heading !== undefined)

/** README.md has the kind's sections and mentions every top-level config key. */
export const checkReadme = (plugin: AnyPlugin, readmePath: string): Effect.Effect<ReadonlyArray<string>> =>
  Effect.match(
    Effect.tryPromise(() => readFile(readmePath, "utf8")),
    {
      onFailure: () => [`README.md not found at ${readmePath}`],
      onSuccess: (text) => {
        const headings = headingsOf(text).map((heading) => heading.toLowerCase())
        const missing = readmeSectionsFor(plugin.kind).filter(
          (section) => !headings.some((heading) => heading.startsWith(section.toLowerCase()))
        )
        const undocumented = topLevelKeys(plugin.config).filter((key) => !text.includes(key))
        return [
          ...missing.map((section) => `README.md has no "${section}" section`),
          ...undocumented.map((key) => `README.md does not mention config key "${key}"`)
        ]
      }
    }
  )

/** Bad config fails make with a tagged ConfigError naming the key, never a raw Error or a defect. */
export const checkBadConfigFailsTagged = (plugin: AnyPlugin, base: Record<string, unknown>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(Effect.exit(attempt(() => plugin.make({ ...base, [UNKNOWN_KEY]: 1 }) as Effect.Effect<unknown, unknown>)), (exit) => {
    const problems = [...exitViolations("make(bad config)", exit, false)]
    if (Exit.isFailure(exit) && problems.length === 0) {
      const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
      const tag = (error as { _tag?: unknown } | undefined)?._tag
      if (tag !== undefined && tag !== "ConfigError") problems.push(`make(bad config) failed with ${String(tag)}, expected ConfigError`)
    }
    return problems
  })

/** make(example config) builds the stage or fails with a tagged error; it never dies. */
export const checkMakeExample = (plugin: AnyPlugin, base: Record<string, unknown>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(Effect.exit(attempt(() => plugin.make(base) as Effect.Effect<unknown, unknown>)), (exit) =>
    exitViolations("make(example config)", exit)
  )

/** Run a check that needs the example config, or report why it is unavailable. */
export const withExample = (
  plugin: AnyPlugin,
  exampleYaml: string,
  body: (raw: Record<string, unknown>) => Effect.Effect<ReadonlyArray<string>, unknown> | ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, unknown> =>
  Effect.flatMap(exampleConfig(plugin, exampleYaml), (config) =>
    Either.match(config, {
      onLeft: (violations) => Effect.succeed(violations),
      onRight: (raw) => {
        const out = body(raw)
        return Effect.isEffect(out) ? out : Effect.succeed(out)
      }
    })
  )

/** The checks every plugin must pass. */
export const pluginChecks = (plugin: AnyPlugin, options: PluginContractOptions): ReadonlyArray<ContractCheck> => {
  const readme = options.readme ?? join(dirname(options.exampleYaml), "README.md")
  return [
    check("manifest follows the contract (id <kind>.<kebab-name>, kind, semver, summary)", Effect.sync(() => checkManifest(plugin))),
    check("example.yaml decodes with the config schema", checkExampleDecodes(plugin, options.exampleYaml)),
    check("an unknown config key is rejected with its path", withExample(plugin, options.exampleYaml, (raw) => checkUnknownKeyRejected(plugin, raw))),
    check("a wrong-typed config value is rejected with its path", withExample(plugin, options.exampleYaml, (raw) => checkWrongTypeRejected(plugin, raw, options.untypedKeys))),
    check("config keys are snake_case", Effect.sync(() => checkSnakeCaseKeys(plugin))),
    check("README.md has the required sections and documents every config key", checkReadme(plugin, readme)),
    check("bad config fails make with a tagged ConfigError", withExample(plugin, options.exampleYaml, (raw) => checkBadConfigFailsTagged(plugin, raw))),
    check("make(example config) never dies", withExample(plugin, options.exampleYaml, (raw) => checkMakeExample(plugin, raw)))
  ]
}

/** Register the common plugin contract as vitest tests. */
export const pluginContract = (plugin: AnyPlugin, options: PluginContractOptions): void =>
  registerChecks(`${plugin.id}: plugin contract`, pluginChecks(plugin, options), options.testTimeoutMs)

/** Every common-contract violation of a plugin, prefixed by check name (for tools and tests). */
export const pluginContractViolations = (plugin: AnyPlugin, options: PluginContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks(pluginChecks(plugin, options))
