/**
 * The before-running check of column requirements: can each dataset feed each feature group?
 *
 * Holds: `checkRequirements`. A column a feature group requires that a dataset's source does not
 * provide is a warning (those features are null for that dataset); a guarded column (identity,
 * addresses, app hints, labels) required by a feature group and not listed under
 * `options.allow_guarded_columns` is an error; a source that declares no columns makes the check
 * impossible for its dataset, which is a warning.
 * Does not hold: decoding entries (pass 2) or computing anything.
 */
import { ConfigIssue, FLOW_COLUMNS, isGuardedColumn, type Registry } from "@hashhound/core"
import type { StageEntry } from "../spec.js"

/** Columns every stored batch has whatever the source: the pipeline stamps them. */
const STAMPED_COLUMNS: ReadonlyArray<string> = FLOW_COLUMNS.filter((column) => column.group === "identity").map(
  (column) => column.name
)

/** Columns the label merge writes when a dataset has at least one labeler. */
const MERGED_LABEL_COLUMNS: ReadonlyArray<string> = ["label", "label_source", "label_detail"]

export interface RequirementInput {
  readonly datasets: ReadonlyArray<{
    readonly name: string
    readonly source: StageEntry
    readonly labels: ReadonlyArray<StageEntry>
  }>
  readonly features: ReadonlyArray<StageEntry>
  readonly allowGuardedColumns: ReadonlyArray<string>
  readonly registry: Registry
}

const columnsOf = (entry: StageEntry, registry: Registry) =>
  registry.find(entry.type)?.columnsFor(entry.raw) ?? { requires: [], provides: [] }

const list = (names: ReadonlyArray<string>): string => names.join(", ")

export const checkRequirements = (input: RequirementInput): ReadonlyArray<ConfigIssue> => {
  const { registry } = input
  const issues: Array<ConfigIssue> = []
  const allowed = new Set(input.allowGuardedColumns)
  const groups = input.features.map((entry) => ({ entry, ...columnsOf(entry, registry) }))
  const featureOutputs = groups.flatMap((group) => group.provides)

  for (const group of groups) {
    const guarded = group.requires.filter((column) => isGuardedColumn(column) && !allowed.has(column))
    if (guarded.length > 0) {
      issues.push(
        new ConfigIssue({
          path: group.entry.path,
          message:
            `${group.entry.type} reads guarded column${guarded.length === 1 ? "" : "s"} ${list(guarded)}; ` +
            "identity, address, app-hint and label columns are kept from feature groups so that no model learns " +
            "a label from them (list them under options.allow_guarded_columns to allow it)"
        })
      )
    }
  }

  if (groups.length === 0) return issues
  for (const dataset of input.datasets) {
    const source = columnsOf(dataset.source, registry)
    if (source.provides.length === 0) {
      issues.push(
        new ConfigIssue({
          path: dataset.source.path,
          message: `${dataset.source.type} declares no columns, so whether dataset "${dataset.name}" has what the feature groups need is unknown until it runs`,
          severity: "warning"
        })
      )
      continue
    }
    const available = new Set([...source.provides, ...STAMPED_COLUMNS, ...featureOutputs])
    for (const labeler of dataset.labels) for (const column of columnsOf(labeler, registry).provides) available.add(column)
    if (dataset.labels.length > 0) for (const column of MERGED_LABEL_COLUMNS) available.add(column)
    for (const group of groups) {
      const missing = group.requires.filter((column) => !available.has(column))
      if (missing.length === 0) continue
      issues.push(
        new ConfigIssue({
          path: group.entry.path,
          message:
            `dataset "${dataset.name}": ${dataset.source.type} does not provide ${list(missing)}, required by ` +
            `${group.entry.type}; features that read ${missing.length === 1 ? "it" : "them"} will be null for this dataset`,
          severity: "warning"
        })
      )
    }
  }
  return issues
}
