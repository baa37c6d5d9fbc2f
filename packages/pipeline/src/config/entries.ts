/**
 * Pass 2 of pipeline decoding: every `{ type: …, … }` entry against its plugin.
 *
 * Holds: the slots a pipeline has and the plugin kind each takes (`datasets.<name>.source` takes a
 * source, `models` model plugins, …), `entrySites` (finds the entries in a parsed file, tolerating
 * parts pass 1 refused), and `decodeEntries` (unknown ids with the known ids of that kind and a
 * closest-match suggestion, a plugin in the wrong slot, and the plugin's own strict config decode
 * with issues under the entry's YAML path).
 * Does not hold: the outer shape (pass 1, `shape.ts`) or column requirements (`requirements.ts`).
 */
import { ConfigIssue, type AnyPlugin, type PluginKind, type Registry } from "@hashhound/core"
import { Either, Schema, SchemaAST } from "effect"
import type { StageEntry } from "../spec.js"
import { closest } from "./closest.js"
import type { EntryInput } from "./shape.js"

/** Where a stage entry sits in the file, and the plugin kind that slot takes. */
export interface EntrySite {
  /** YAML path of the entry, e.g. `datasets.campus.source`, `models.0` */
  readonly path: string
  readonly kind: PluginKind
  readonly value: EntryInput
}

/** Top-level list slots and the kind of plugin each takes. */
export const LIST_SLOTS: ReadonlyArray<readonly [slot: "qc" | "features" | "models" | "reports", kind: PluginKind]> = [
  ["qc", "qc"],
  ["features", "features"],
  ["models", "model"],
  ["reports", "report"]
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const asEntry = (value: unknown): EntryInput | undefined =>
  typeof value === "string" || (isRecord(value) && typeof value["type"] === "string") ? (value as EntryInput) : undefined

/** Every entry in a parsed pipeline file that has a plugin id; malformed ones are pass 1's to report. */
export const entrySites = (value: unknown): ReadonlyArray<EntrySite> => {
  if (!isRecord(value)) return []
  const sites: Array<EntrySite> = []
  const add = (path: string, kind: PluginKind, item: unknown): void => {
    const entry = asEntry(item)
    if (entry !== undefined) sites.push({ path, kind, value: entry })
  }
  const datasets = value["datasets"]
  if (isRecord(datasets)) {
    for (const [name, dataset] of Object.entries(datasets)) {
      if (!isRecord(dataset)) continue
      add(`datasets.${name}.source`, "source", dataset["source"])
      const labels = dataset["labels"]
      if (Array.isArray(labels)) labels.forEach((item: unknown, index) => add(`datasets.${name}.labels.${index}`, "labeler", item))
    }
  }
  for (const [slot, kind] of LIST_SLOTS) {
    const list = value[slot]
    if (Array.isArray(list)) list.forEach((item: unknown, index) => add(`${slot}.${index}`, kind, item))
  }
  return sites
}

/** What the slot at `path` is called in messages: `datasets.campus.source`, `models`. */
const slotName = (path: string): string => path.replace(/\.\d+$/, "")

const unknownPluginMessage = (id: string, kind: PluginKind, registry: Registry): string => {
  const ofKind = registry.plugins.filter((plugin) => plugin.kind === kind).map((plugin) => plugin.id)
  const prefixed = `${kind}.${id}`
  // a missing kind prefix (`gbdt` → `model.gbdt`), a typo, or one part of a kebab name (`gbdt` → `model.fake-gbdt`)
  const containing = ofKind.filter((known) => known.slice(kind.length + 1).split("-").includes(id))
  const suggestion = ofKind.includes(prefixed)
    ? prefixed
    : (closest(id, ofKind) ?? closest(prefixed, ofKind) ?? (containing.length === 1 ? containing[0] : undefined))
  const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`
  const known = ofKind.length === 0 ? ` No ${kind} plugins are registered.` : ` Known ${kind} plugins: ${ofKind.join(", ")}.`
  return `unknown plugin "${id}"${hint}${known}`
}

/** Top-level config keys of a plugin (encoded side), when its config is a struct. */
const configKeys = (plugin: AnyPlugin): ReadonlyArray<string> => {
  let ast = Schema.encodedSchema(plugin.config).ast
  while (ast._tag === "Refinement") ast = ast.from
  return ast._tag === "TypeLiteral" ? ast.propertySignatures.map((property) => String(property.name)) : []
}

/**
 * Core's "unknown key" issues directly under the entry get a closest-key suggestion; an empty
 * non-empty list (reported by Effect as its item 0 missing) is named as such.
 */
const withKeyHints = (issues: ReadonlyArray<ConfigIssue>, entryPath: string, plugin: AnyPlugin): ReadonlyArray<ConfigIssue> => {
  const keys = configKeys(plugin)
  return issues.map((issue) => {
    const emptyList = /^(.*)\.0$/.exec(issue.path)
    if (emptyList !== null && issue.message === "is missing") {
      return new ConfigIssue({ path: emptyList[1] ?? issue.path, severity: issue.severity, message: "needs at least one item" })
    }
    const key = issue.path.startsWith(`${entryPath}.`) ? issue.path.slice(entryPath.length + 1) : undefined
    if (key === undefined || key.includes(".") || !issue.message.startsWith("unknown key")) return issue
    const suggestion = closest(key, keys)
    const known = keys.length === 0 ? `${plugin.id} takes no config keys` : `${plugin.id} takes: ${keys.join(", ")}`
    return new ConfigIssue({
      path: issue.path,
      severity: issue.severity,
      message: `unknown key${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`} (${known})`
    })
  })
}

/** Pass 2 for one entry. */
export const decodeEntry = (site: EntrySite, registry: Registry): Either.Either<StageEntry, ReadonlyArray<ConfigIssue>> => {
  const { path, kind, value } = site
  const id = typeof value === "string" ? value : value.type
  const typePath = typeof value === "string" ? path : `${path}.type`
  const raw: Record<string, unknown> = {}
  if (typeof value !== "string") {
    for (const [key, item] of Object.entries(value)) if (key !== "type") raw[key] = item
  }
  const plugin = registry.find(id)
  if (plugin === undefined) {
    return Either.left([new ConfigIssue({ path: typePath, message: unknownPluginMessage(id, kind, registry) })])
  }
  if (plugin.kind !== kind) {
    const ofKind = registry.plugins.filter((other) => other.kind === kind).map((other) => other.id)
    return Either.left([
      new ConfigIssue({
        path: typePath,
        message: `"${id}" is a ${plugin.kind} plugin, but ${slotName(path)} takes ${kind} plugins${ofKind.length === 0 ? "" : ` (known: ${ofKind.join(", ")})`}`
      })
    ])
  }
  return Either.match(plugin.decode(raw, path), {
    onLeft: (issues) => Either.left(withKeyHints(issues, path, plugin)),
    onRight: () => Either.right({ type: id, raw, path })
  })
}

export interface DecodedEntries {
  /** decoded entries by YAML path */
  readonly entries: ReadonlyMap<string, StageEntry>
  readonly issues: ReadonlyArray<ConfigIssue>
}

/** Pass 2 over every site; all problems are collected. */
export const decodeEntries = (sites: ReadonlyArray<EntrySite>, registry: Registry): DecodedEntries => {
  const entries = new Map<string, StageEntry>()
  const issues: Array<ConfigIssue> = []
  for (const site of sites) {
    Either.match(decodeEntry(site, registry), {
      onLeft: (problems) => {
        issues.push(...problems)
      },
      onRight: (entry) => {
        entries.set(site.path, entry)
      }
    })
  }
  return { entries, issues }
}
