/**
 * `hashhound features [--describe] [--format text|markdown|json]`: the catalogue of every
 * registered feature group, read from the PluginRegistry.
 *
 * Holds: `featureCatalogue` (each `features.*` plugin made with its default config: name, unit,
 * dtype, description and required columns of every feature, guarded requirements marked;
 * features a boolean switch adds, such as `known_mining_port` behind `mining_port_prior`, are
 * found by making the plugin once more with each default-false switch set to true and listed
 * with that switch), its text, markdown and JSON renderings, and the command. docs/features.md
 * is this markdown for the built-in groups (tools/features-doc/generate.ts), so the two cannot
 * drift apart.
 * Does not hold: any feature code (plugins) or the registry's contents (builtin-plugins.ts).
 */
import { Command, Options } from "@effect/cli"
import { isGuardedColumn, PluginRegistry, type AnyPlugin, type FeatureSpec, type FeaturesStage, type Plugin } from "@hashhound/core"
import { Console, Effect, Either } from "effect"

export interface CatalogueFeature {
  readonly name: string
  readonly unit: string
  readonly dtype: FeatureSpec["dtype"]
  readonly description: string
  readonly requires: ReadonlyArray<string>
  /** required columns that are guarded (addresses, identity, app hints, labels) */
  readonly guarded: ReadonlyArray<string>
  /** the config that adds this feature (`mining_port_prior: true`); absent for default features */
  readonly enabledBy?: string
}

export interface CatalogueGroup {
  readonly id: string
  readonly version: string
  readonly summary: string
  /** `batch`: TypeScript per batch; `sql`: a SELECT over the dataset's flow table in DuckDB */
  readonly computation: "batch" | "sql" | "unavailable"
  readonly features: ReadonlyArray<CatalogueFeature>
  /** why the group could not be made with its default config, when it could not */
  readonly problem?: string
}

const entryOf = (spec: FeatureSpec, enabledBy?: string): CatalogueFeature => ({
  name: spec.name,
  unit: spec.unit,
  dtype: spec.dtype,
  description: spec.description,
  requires: [...spec.requires],
  guarded: spec.requires.filter(isGuardedColumn),
  ...(enabledBy === undefined ? {} : { enabledBy })
})

const made = (plugin: Plugin<"features">, raw: Record<string, unknown>): Effect.Effect<Either.Either<FeaturesStage, string>> =>
  Effect.either(Effect.mapError(Effect.suspend(() => plugin.make(raw)), (error) => error.message))

/** One group's entry: default features, then those each default-false boolean switch adds. */
export const catalogueGroup = (plugin: Plugin<"features">): Effect.Effect<CatalogueGroup> =>
  Effect.gen(function* () {
    const head = { id: plugin.id, version: plugin.version, summary: plugin.summary }
    const base = yield* made(plugin, {})
    if (Either.isLeft(base)) return { ...head, computation: "unavailable" as const, features: [], problem: base.left }
    const features = base.right.features.map((spec) => entryOf(spec))
    const defaults = Either.getOrElse(plugin.decode({}), () => ({}))
    const switches =
      typeof defaults === "object" && defaults !== null
        ? Object.entries(defaults)
            .filter(([, value]) => value === false)
            .map(([key]) => key)
        : []
    for (const key of switches) {
      const switched = yield* made(plugin, { [key]: true })
      if (Either.isLeft(switched)) continue
      for (const spec of switched.right.features)
        if (!features.some((feature) => feature.name === spec.name)) features.push(entryOf(spec, `${key}: true`))
    }
    return { ...head, computation: base.right.computation._tag, features }
  })

/** Every registered feature group, in registry (id) order. */
export const featureCatalogue = (plugins: ReadonlyArray<AnyPlugin>): Effect.Effect<ReadonlyArray<CatalogueGroup>> =>
  Effect.forEach(
    plugins.filter((plugin): plugin is Plugin<"features"> => plugin.kind === "features"),
    catalogueGroup
  )

const COMPUTATION_TEXT = { batch: "per batch (TypeScript)", sql: "as SQL over the dataset (DuckDB)", unavailable: "unavailable" } as const

const requiresText = (feature: CatalogueFeature): string =>
  feature.requires.map((column) => (feature.guarded.includes(column) ? `${column} (guarded)` : column)).join(", ")

const padTable = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd())
}

/** Plain text: per group a header line and a padded table. */
export const catalogueText = (groups: ReadonlyArray<CatalogueGroup>): string => {
  if (groups.length === 0) return "(no feature groups registered)"
  const blocks = groups.map((group) => {
    const header = `${group.id} ${group.version} — ${group.summary} [${COMPUTATION_TEXT[group.computation]}, ${group.features.length} features]`
    if (group.problem !== undefined) return `${header}\n  cannot describe it: ${group.problem}`
    const rows = [
      ["name", "unit", "dtype", "requires", "description"],
      ...group.features.map((f) => [
        f.name,
        f.unit,
        f.dtype,
        requiresText(f),
        f.enabledBy === undefined ? f.description : `[only with ${f.enabledBy}] ${f.description}`
      ])
    ]
    return [header, ...padTable(rows).map((line) => `  ${line}`)].join("\n")
  })
  return blocks.join("\n\n")
}

const cell = (text: string): string => text.replaceAll("|", "\\|")

/** The markdown table of one group (also used for the plugin READMEs). */
export const groupMarkdownTable = (group: CatalogueGroup): string =>
  [
    "| feature | unit | dtype | requires | description |",
    "|---|---|---|---|---|",
    ...group.features.map(
      (f) =>
        `| \`${f.name}\` | ${cell(f.unit)} | ${f.dtype} | ${f.requires.map((c) => `\`${c}\`${f.guarded.includes(c) ? " (guarded)" : ""}`).join(", ")} | ${
          f.enabledBy === undefined ? "" : `**only with \`${f.enabledBy}\`.** `
        }${cell(f.description)} |`
    )
  ].join("\n")

/** The whole catalogue as markdown (docs/features.md). */
export const catalogueMarkdown = (groups: ReadonlyArray<CatalogueGroup>): string => {
  const total = groups.reduce((sum, group) => sum + group.features.length, 0)
  const lines = [
    "# Feature catalogue",
    "",
    "<!-- generated by `npx tsx tools/features-doc/generate.ts` from the plugins' declarations; do not edit by hand -->",
    "",
    `${groups.length} feature groups, ${total} features. The same catalogue is printed by \`hashhound features --describe\`.`,
    "A feature is null (NaN) for a flow whose dataset lacks one of its required columns, and wherever its",
    "description says so (a zero denominator, a flow that is not TCP, …). Columns marked *guarded* are",
    "identity, address, app-hint or label columns: a pipeline must list them under",
    "`options.allow_guarded_columns` before a group that reads them may run. Features marked",
    "*only with …* exist only when that config switch is set. The QC report (`report.qc-html`) shows, per",
    "dataset, the share of flows where each feature is not null and the missing columns that make it null,",
    "and a scatter matrix of chosen features coloured by label.",
    ""
  ]
  for (const group of groups) {
    lines.push(`## ${group.id}`, "", `${group.summary}. Computed ${COMPUTATION_TEXT[group.computation]}; version ${group.version}.`, "")
    if (group.problem !== undefined) lines.push(`Cannot be described with its default config: ${group.problem}`, "")
    else lines.push(groupMarkdownTable(group), "")
  }
  return `${lines.join("\n").trimEnd()}\n`
}

const describe = Options.boolean("describe").pipe(
  Options.withDescription("print every feature: name, unit, dtype, group, description, required columns")
)
const format = Options.choice("format", ["text", "markdown", "json"]).pipe(
  Options.withDefault("text" as const),
  Options.withDescription("output format of --describe")
)

export const featuresCommand = Command.make("features", { describe, format }, ({ describe, format }) =>
  Effect.gen(function* () {
    const registry = yield* PluginRegistry
    const groups = yield* featureCatalogue(registry.plugins)
    if (!describe) {
      if (groups.length === 0) return yield* Console.log("(no feature groups registered)")
      const rows = [["group", "features", "computation", "summary"], ...groups.map((g) => [g.id, String(g.features.length), g.computation, g.summary])]
      for (const line of padTable(rows)) yield* Console.log(line)
      return yield* Console.log("\nhashhound features --describe lists every feature.")
    }
    const text = format === "json" ? JSON.stringify(groups, null, 2) : format === "markdown" ? catalogueMarkdown(groups).trimEnd() : catalogueText(groups)
    yield* Console.log(text)
  })
).pipe(Command.withDescription("List the feature groups; --describe prints the full catalogue of features."))
