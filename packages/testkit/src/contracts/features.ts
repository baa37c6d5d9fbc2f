/**
 * The features contract: a `features.*` plugin's declarations and computation on a small batch,
 * as checks and as a vitest suite (`featuresContract`).
 *
 * Holds: features are declared with unique snake_case names that are not flow columns, a dtype,
 * a unit and a description, and require only catalogue columns (no guarded ones unless the
 * caller allows them); a batch group returns every declared feature, and nothing else, as a
 * Float64Array of batch length; a SQL group runs in DuckDB over table `flows` and returns
 * `flow_id` and every feature, one row per flow; a batch lacking columns never makes it die.
 * Does not hold: the common checks (plugin.ts) or the DuckDB plumbing (features-sql.ts).
 */
import { COLUMN_BY_NAME, isGuardedColumn, SNAKE_CASE_PATTERN, type AnyPlugin, type FeaturesStage, type FlowBatch } from "@hashhound/core"
import { Effect } from "effect"
import { batchFromRows, sampleBatch, sampleFlowRows } from "../batches.js"
import { attempt, check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"
import { runFeatureSql } from "./features-sql.js"
import { requiresViolations, withConfig, withStage, type StageContractOptions } from "./made-stage.js"
import { pluginChecks } from "./plugin.js"

export interface FeaturesContractOptions extends StageContractOptions {
  /** guarded columns (identity, app hints, labels, addresses) this group may read */
  readonly allowGuarded?: ReadonlyArray<string>
}

const DTYPES: ReadonlyArray<string> = ["float64", "int32", "bool"]

/** Problems with a stage's feature declarations. */
export const declarationViolations = (
  stage: FeaturesStage,
  provides: ReadonlyArray<string>,
  allowGuarded: ReadonlyArray<string> = []
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (!Array.isArray(stage.features) || stage.features.length === 0) return ["declares no features"]
  const seen = new Set<string>()
  for (const feature of stage.features) {
    const name = feature.name
    if (seen.has(name)) problems.push(`feature "${name}" is declared twice`)
    seen.add(name)
    if (!SNAKE_CASE_PATTERN.test(name)) problems.push(`feature name "${name}" is not snake_case`)
    if (COLUMN_BY_NAME.has(name)) problems.push(`feature name "${name}" is a flow column name`)
    if (!DTYPES.includes(feature.dtype)) problems.push(`feature "${name}" has dtype "${String(feature.dtype)}"`)
    if (typeof feature.unit !== "string") problems.push(`feature "${name}" has no unit string`)
    if (typeof feature.description !== "string" || feature.description.trim() === "") problems.push(`feature "${name}" has no description`)
    for (const column of feature.requires ?? []) {
      if (!COLUMN_BY_NAME.has(column)) problems.push(`feature "${name}" requires "${column}", which is not a catalogue column`)
      else if (isGuardedColumn(column) && !allowGuarded.includes(column))
        problems.push(`feature "${name}" reads guarded column "${column}" (identity, address, app hint or label)`)
    }
    if (provides.length > 0 && !provides.includes(name)) problems.push(`feature "${name}" is not in the plugin's provides`)
  }
  return problems
}

/** Problems with what a computation returned for a batch of `rows` rows. */
export const featureColumnsViolations = (stage: FeaturesStage, what: string, columns: unknown, rows: number): ReadonlyArray<string> => {
  if (typeof columns !== "object" || columns === null) return [`${what} did not return a record of columns`]
  const record = columns as Record<string, unknown>
  const declared = new Set(stage.features.map((feature) => feature.name))
  const problems: Array<string> = []
  for (const name of declared) {
    const values = record[name]
    if (values === undefined) problems.push(`${what}: declared feature "${name}" is missing`)
    else if (!(values instanceof Float64Array)) problems.push(`${what}: "${name}" is not a Float64Array`)
    else if (values.length !== rows) problems.push(`${what}: "${name}" has ${values.length} values for ${rows} rows`)
  }
  for (const name of Object.keys(record)) if (!declared.has(name)) problems.push(`${what}: returns undeclared column "${name}"`)
  return problems
}

const isNumberLike = (value: unknown): boolean =>
  value === null ||
  typeof value === "number" ||
  typeof value === "boolean" ||
  (typeof value === "string" && (value === "NaN" || value === "Infinity" || value === "-Infinity" || !Number.isNaN(Number(value))))

export const checkComputation = (stage: FeaturesStage, batch: FlowBatch): Effect.Effect<ReadonlyArray<string>> => {
  const computation = stage.computation
  if (computation._tag === "batch")
    return Effect.map(Effect.exit(attempt(() => computation.compute(batch))), (exit) =>
      exit._tag === "Failure" ? [...exitViolations("compute(sample batch)", exit), "compute(sample batch) failed"] : featureColumnsViolations(stage, "compute(sample batch)", exit.value, batch.numRows)
    )
  if (computation._tag !== "sql") return Effect.succeed([`computation has tag "${String((computation as { _tag: unknown })._tag)}", not batch or sql`])
  return Effect.match(runFeatureSql(batch, computation.sql), {
    onFailure: (reason) => [reason],
    onSuccess: ({ columns, rows }) => {
      const problems: Array<string> = []
      if (!columns.includes("flow_id")) problems.push("the SQL result has no flow_id column")
      for (const feature of stage.features) if (!columns.includes(feature.name)) problems.push(`the SQL result has no column "${feature.name}"`)
      if (rows.length !== batch.numRows) problems.push(`the SQL result has ${rows.length} rows for ${batch.numRows} flows`)
      for (const feature of stage.features)
        if (rows.some((row) => !isNumberLike(row[feature.name]))) problems.push(`the SQL result's "${feature.name}" holds non-numeric values`)
      return problems
    }
  })
}

export const checkFeaturesRobust = (stage: FeaturesStage): Effect.Effect<ReadonlyArray<string>> => {
  const computation = stage.computation
  if (computation._tag !== "batch") return Effect.succeed([])
  const lacking = batchFromRows(sampleFlowRows(), { columns: ["src_ip", "dst_ip", "protocol"] })
  return Effect.map(Effect.exit(attempt(() => computation.compute(lacking))), (exit) =>
    exit._tag === "Failure" ? exitViolations("compute(batch lacking columns)", exit) : featureColumnsViolations(stage, "compute(batch lacking columns)", exit.value, lacking.numRows)
  )
}

export const featuresChecks = (plugin: AnyPlugin, options: FeaturesContractOptions): ReadonlyArray<ContractCheck> => {
  const batch = options.batch ?? sampleBatch()
  return [
    check("requires names catalogue columns", withConfig(plugin, options, (raw) => requiresViolations(plugin, raw))),
    check(
      "features are declared: unique snake_case names, dtype, unit, description, catalogue requirements",
      withStage(plugin, "features", options, (stage, raw) =>
        Effect.sync(() => declarationViolations(stage, plugin.columnsFor(raw).provides, options.allowGuarded))
      )
    ),
    check("every declared feature is computed for every row (Float64Array or SQL column)", withStage(plugin, "features", options, (stage) => checkComputation(stage, batch))),
    check("a batch lacking columns never makes compute die", withStage(plugin, "features", options, checkFeaturesRobust))
  ]
}

/** Register the common and the features contract for one features plugin. */
export const featuresContract = (plugin: AnyPlugin, options: FeaturesContractOptions): void =>
  registerChecks(`${plugin.id}: features contract`, [...pluginChecks(plugin, options), ...featuresChecks(plugin, options)], options.testTimeoutMs)

export const featuresContractViolations = (plugin: AnyPlugin, options: FeaturesContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...featuresChecks(plugin, options)])
