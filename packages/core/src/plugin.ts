/**
 * Plugin manifests and `definePlugin`.
 *
 * Holds: the Manifest a plugin author writes (id, kind, version, summary, config Schema,
 * requires/provides, make), the erased `Plugin` the registry stores, strict config decoding
 * (unknown keys are errors) that turns parse errors into `ConfigIssue`s with their paths (a
 * value failing every member of a union becomes one issue naming the alternatives), and the
 * snake_case check on config keys.
 * Does not hold: loading plugin packages from disk (that is I/O, in `@hashhound/pipeline`).
 */
import { Effect, Either, ParseResult, Schema, SchemaAST } from "effect"
import { ConfigError, ConfigIssue, type PluginError } from "./errors.js"
import { SNAKE_CASE_PATTERN, type PluginKind } from "./kinds.js"
import type { StageByKind } from "./stages.js"

export interface Manifest<K extends PluginKind, C, I> {
  /** `<kind>.<name>`, e.g. `source.zeek-conn` */
  readonly id: string
  readonly kind: K
  /** semver of the plugin's behaviour; a change redoes what it produced */
  readonly version: string
  readonly summary: string
  /** the `{ type: …, … }` entry minus `type`; snake_case keys, units in the name */
  readonly config: Schema.Schema<C, I>
  /** flow columns the stage reads */
  readonly requires?: ReadonlyArray<string>
  /** columns (or feature names) the stage writes */
  readonly provides?: ReadonlyArray<string>
  /** column lists that depend on the config (e.g. a source that fills early packets only when asked) */
  readonly columns?: (config: C) => { readonly requires?: ReadonlyArray<string>; readonly provides?: ReadonlyArray<string> }
  /**
   * For file sources: how sure the plugin is (0..1) that a file with this head (first 64 KiB;
   * `hashhound flows` passes a gzip file's unpacked head) is its format. `hashhound flows`
   * picks the most confident source.
   */
  readonly detect?: (head: Uint8Array, path: string) => number
  /** build the stage; all work happens inside, none while decoding config */
  readonly make: (config: C) => Effect.Effect<StageByKind[K], PluginError>
}

/** A plugin as the registry holds it: the typed config is captured inside `decode` and `make`. */
export interface Plugin<K extends PluginKind = PluginKind> {
  readonly id: string
  readonly kind: K
  readonly version: string
  readonly summary: string
  readonly config: Schema.Schema.AnyNoContext
  readonly requires: ReadonlyArray<string>
  readonly provides: ReadonlyArray<string>
  readonly detect?: (head: Uint8Array, path: string) => number
  /** decode a raw config object (from YAML, without `type`); issues carry `pathPrefix` */
  readonly decode: (raw: unknown, pathPrefix?: string) => Either.Either<unknown, ReadonlyArray<ConfigIssue>>
  /** requires/provides after config decoding */
  readonly columnsFor: (raw: unknown) => { readonly requires: ReadonlyArray<string>; readonly provides: ReadonlyArray<string> }
  /** decode then build the stage */
  readonly make: (raw: unknown) => Effect.Effect<StageByKind[K], PluginError | ConfigError>
}

export type AnyPlugin = { readonly [K in PluginKind]: Plugin<K> }[PluginKind]

const STRICT = { onExcessProperty: "error", errors: "all" } as const

const joinPath = (prefix: string, path: ReadonlyArray<PropertyKey>): string =>
  [prefix, ...path.map((key) => String(key))].filter((part) => part !== "").join(".")

const MISMATCH = /^Expected (.+), actual (.+)$/s

/** Is `other` strictly below `path` (`""` is the root)? */
const isBelow = (other: string, path: string): boolean => other !== path && (path === "" || other.startsWith(`${path}.`))

/** `a`, `a or b`, `a, b or c` */
const alternatives = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`

/**
 * A value that fails every member of a union yields one issue per member (`Expected number,
 * actual "x"` and `Expected null, actual "x"`). When some issue lies below the path, the value
 * was meant for the member that got that far (a mapping with a bad key), so the mismatches at the
 * path itself are noise and dropped; otherwise the mismatches of one value at one path become one
 * issue naming every alternative (`Expected number or null, actual "x"`).
 */
export const mergeUnionIssues = (issues: ReadonlyArray<ConfigIssue>): ReadonlyArray<ConfigIssue> => {
  const kept = issues.filter(
    (issue) => !MISMATCH.test(issue.message) || !issues.some((other) => isBelow(other.path, issue.path))
  )
  const out: Array<ConfigIssue> = []
  const merged = new Map<string, { readonly at: number; readonly expected: Array<string>; readonly actual: string }>()
  for (const issue of kept) {
    const match = MISMATCH.exec(issue.message)
    if (match === null) {
      out.push(issue)
      continue
    }
    const expected = match[1] ?? ""
    const actual = match[2] ?? ""
    const key = `${issue.severity}\u0000${issue.path}\u0000${actual}`
    const group = merged.get(key)
    if (group === undefined) {
      merged.set(key, { at: out.length, expected: [expected], actual })
      out.push(issue)
    } else if (!group.expected.includes(expected)) group.expected.push(expected)
  }
  for (const group of merged.values()) {
    if (group.expected.length < 2) continue
    const first = out[group.at]
    if (first !== undefined)
      out[group.at] = new ConfigIssue({ ...first, message: `Expected ${alternatives(group.expected)}, actual ${group.actual}` })
  }
  return out
}

/** Parse errors as issues with dotted paths under `pathPrefix`. */
export const issuesFromParseError = (error: ParseResult.ParseError, pathPrefix = ""): ReadonlyArray<ConfigIssue> => {
  const raw = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issues = raw.map(
    (issue) =>
      new ConfigIssue({
        path: joinPath(pathPrefix, issue.path),
        message: issue._tag === "Unexpected" ? "unknown key (not part of this plugin's config)" : issue.message
      })
  )
  // An optional key with a wrong value fails both its type and `undefined`; keep the useful one.
  const useful = issues.filter(
    (issue) =>
      !issue.message.startsWith("Expected undefined") ||
      !issues.some(
        (other) => other !== issue && (other.path === issue.path || other.path.startsWith(`${issue.path}.`))
      )
  )
  return mergeUnionIssues(useful)
}

/** Decode `raw` with unknown keys rejected and every problem reported. */
export const decodeStrict =
  <A, I>(schema: Schema.Schema<A, I>, pathPrefix = "") =>
  (raw: unknown): Either.Either<A, ReadonlyArray<ConfigIssue>> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, STRICT)(raw), (error) => issuesFromParseError(error, pathPrefix))

/** Config keys (encoded side, nested structs included) that are not snake_case. */
export const nonSnakeCaseKeys = (schema: Schema.Schema.AnyNoContext): ReadonlyArray<string> => {
  const bad: Array<string> = []
  const seen = new Set<SchemaAST.AST>()
  const visit = (ast: SchemaAST.AST, path: string): void => {
    if (seen.has(ast)) return
    seen.add(ast)
    switch (ast._tag) {
      case "TypeLiteral":
        for (const property of ast.propertySignatures) {
          const name = String(property.name)
          const here = path === "" ? name : `${path}.${name}`
          if (!SNAKE_CASE_PATTERN.test(name)) bad.push(here)
          visit(property.type, here)
        }
        return
      case "Union":
        for (const member of ast.types) visit(member, path)
        return
      case "TupleType":
        for (const element of ast.elements) visit(element.type, path)
        for (const rest of ast.rest) visit(rest.type, path)
        return
      case "Refinement":
        visit(ast.from, path)
        return
      case "Transformation":
        visit(ast.from, path)
        return
      case "Suspend":
        return
      default:
        return
    }
  }
  visit(Schema.encodedSchema(schema).ast, "")
  return bad
}

/** Turn an author's Manifest into a registry Plugin. */
export const definePlugin = <K extends PluginKind, C, I>(manifest: Manifest<K, C, I>): Plugin<K> => {
  const decode = (raw: unknown, pathPrefix = "") => decodeStrict(manifest.config, pathPrefix)(raw ?? {})
  return {
    id: manifest.id,
    kind: manifest.kind,
    version: manifest.version,
    summary: manifest.summary,
    config: manifest.config,
    requires: manifest.requires ?? [],
    provides: manifest.provides ?? [],
    ...(manifest.detect === undefined ? {} : { detect: manifest.detect }),
    decode,
    columnsFor: (raw) => {
      const decoded = decodeStrict(manifest.config)(raw ?? {})
      const extra = Either.isRight(decoded) && manifest.columns ? manifest.columns(decoded.right) : {}
      return {
        requires: extra.requires ?? manifest.requires ?? [],
        provides: extra.provides ?? manifest.provides ?? []
      }
    },
    make: (raw) =>
      Either.match(decodeStrict(manifest.config)(raw ?? {}), {
        onLeft: (issues) => Effect.fail(new ConfigError({ issues })),
        onRight: (config) => manifest.make(config)
      })
  }
}
