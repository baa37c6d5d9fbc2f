/**
 * Stage entries from YAML, for tests: `makeFromYaml(plugin, text)` parses one
 * `{ type: …, … }` entry, checks its `type`, decodes it with the plugin's config Schema and
 * makes the stage.
 *
 * Holds: `parseStageYaml` (YAML text → type + raw config, with a line/column for every path),
 * `makeFromYaml`, `makeFromRaw` (an already parsed entry) and `readExampleYaml` (a plugin's
 * example.yaml from disk). Every bad entry is a `ConfigError` whose issues name their path.
 * Does not hold: whole pipeline files (that is `@hashhound/pipeline`).
 */
import { readFile } from "node:fs/promises"
import {
  ConfigError,
  ConfigIssue,
  type AnyPlugin,
  type Plugin,
  type PluginError,
  type PluginKind,
  type StageByKind
} from "@hashhound/core"
import { Effect, Either } from "effect"
import { isMap, isNode, LineCounter, parseDocument } from "yaml"

/** One parsed stage entry. */
export interface StageYaml {
  /** the `type:` value ("" when absent) */
  readonly type: string
  /** the entry without `type`, as `plugin.decode` and `plugin.make` take it */
  readonly raw: Readonly<Record<string, unknown>>
  /** 1-based line and column of the value at a dotted path (`paths.0`), when the text has it */
  readonly positionOf: (path: string) => { readonly line: number; readonly column: number } | undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const noPosition = (): undefined => undefined

/** Split a parsed entry into `type` and the rest. */
const splitEntry = (entry: unknown, file: string | undefined): Either.Either<{ type: string; raw: Record<string, unknown> }, ConfigError> => {
  if (!isRecord(entry))
    return Either.left(new ConfigError({ file, issues: [new ConfigIssue({ path: "", message: "a stage entry must be a mapping with a `type` key" })] }))
  const { type, ...raw } = entry
  return Either.right({ type: typeof type === "string" ? type : "", raw })
}

/** Parse YAML text holding one stage entry; YAML syntax errors become a ConfigError with lines. */
export const parseStageYaml = (yamlText: string, file?: string): Either.Either<StageYaml, ConfigError> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false })
  if (doc.errors.length > 0)
    return Either.left(
      new ConfigError({
        file,
        issues: doc.errors.map((error) => {
          const pos = lineCounter.linePos(error.pos[0])
          return new ConfigIssue({ path: "", message: `YAML: ${error.message.split("\n")[0] ?? error.code}`, line: pos.line, column: pos.col })
        })
      })
    )
  const positionOf = (path: string) => {
    const keys = path === "" ? [] : path.split(".").map((key) => (/^\d+$/.test(key) ? Number(key) : key))
    const node: unknown = keys.length === 0 ? doc.contents : doc.getIn(keys, true)
    if (!isNode(node) || node.range === undefined || node.range === null) return undefined
    const pos = lineCounter.linePos(node.range[0])
    return { line: pos.line, column: pos.col }
  }
  if (!isMap(doc.contents))
    return Either.left(new ConfigError({ file, issues: [new ConfigIssue({ path: "", message: "a stage entry must be a mapping with a `type` key", line: 1 })] }))
  return Either.map(splitEntry(doc.toJS(), file), ({ type, raw }) => ({ type, raw, positionOf }))
}

/** The entry's `type` must be the plugin's id. */
const checkType = (plugin: AnyPlugin, entry: StageYaml, file: string | undefined): Either.Either<StageYaml, ConfigError> => {
  if (entry.type === plugin.id) return Either.right(entry)
  const at = entry.positionOf(entry.type === "" ? "" : "type")
  return Either.left(
    new ConfigError({
      file,
      issues: [
        new ConfigIssue({
          path: "type",
          message: entry.type === "" ? `missing \`type\` (expected "${plugin.id}")` : `type is "${entry.type}" but this plugin is "${plugin.id}"`,
          line: at?.line,
          column: at?.column
        })
      ]
    })
  )
}

/** Decode the entry's config, adding YAML positions to the issues. */
const decodeEntry = (plugin: AnyPlugin, entry: StageYaml, file: string | undefined): Either.Either<StageYaml, ConfigError> =>
  Either.match(plugin.decode(entry.raw), {
    onRight: () => Either.right(entry),
    onLeft: (issues) =>
      Either.left(
        new ConfigError({
          file,
          issues: issues.map((issue) => {
            const at = entry.positionOf(issue.path)
            return at === undefined || issue.line !== undefined
              ? issue
              : new ConfigIssue({ path: issue.path, message: issue.message, line: at.line, column: at.column, severity: issue.severity })
          })
        })
      )
  })

/** Parse, check `type`, decode and make: the stage a pipeline would get from this entry. */
export const makeFromYaml = <K extends PluginKind>(
  plugin: Plugin<K>,
  yamlText: string,
  options: { readonly file?: string } = {}
): Effect.Effect<StageByKind[K], ConfigError | PluginError> => {
  const any = plugin as AnyPlugin
  const checked = Either.flatMap(parseStageYaml(yamlText, options.file), (entry) =>
    Either.flatMap(checkType(any, entry, options.file), (typed) => decodeEntry(any, typed, options.file))
  )
  return Either.match(checked, {
    onLeft: (error) => Effect.fail(error),
    onRight: (entry) => Effect.suspend(() => plugin.make(entry.raw))
  })
}

/** Same as `makeFromYaml` for an entry that is already parsed (`{ type, ...config }`). */
export const makeFromRaw = <K extends PluginKind>(
  plugin: Plugin<K>,
  entry: unknown,
  options: { readonly file?: string } = {}
): Effect.Effect<StageByKind[K], ConfigError | PluginError> => {
  const any = plugin as AnyPlugin
  const checked = Either.flatMap(splitEntry(entry, options.file), ({ type, raw }) => {
    const parsed: StageYaml = { type, raw, positionOf: noPosition }
    return Either.flatMap(checkType(any, parsed, options.file), (typed) => decodeEntry(any, typed, options.file))
  })
  return Either.match(checked, {
    onLeft: (error) => Effect.fail(error),
    onRight: (entry) => Effect.suspend(() => plugin.make(entry.raw))
  })
}

/** A plugin's example.yaml: its text and the parsed entry; a missing or bad file is a ConfigError. */
export const readExampleYaml = (path: string): Effect.Effect<{ readonly text: string; readonly entry: StageYaml }, ConfigError> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (error) => new ConfigError({ file: path, issues: [new ConfigIssue({ path: "", message: `cannot read: ${String(error)}` })] })
    }),
    (text) => Either.match(parseStageYaml(text, path), { onLeft: Effect.fail, onRight: (entry) => Effect.succeed({ text, entry }) })
  )
