/**
 * `qc.schema`: does each batch hold what its source promises, with values that can exist?
 *
 * Holds: the config Schema (`expect_columns`, `warn` / `fail` threshold maps), the plugin
 * manifest and the plugin list. Per batch: columns listed in `expect_columns` that are missing,
 * the null share of each expected column, and rows out of range per column. In `finish`, one
 * info finding for the dataset: how many expected columns were checked over how many flows and
 * the largest null share among them (read projected to those columns), so that a clean dataset
 * still shows the check ran.
 * Does not hold: the range rules (`ranges.ts`).
 */
import {
  checkThreshold,
  COLUMN_BY_NAME,
  columnNames,
  countKey,
  definePlugin,
  metricFinding,
  shareKey,
  type AnyPlugin,
  type DatasetAccess,
  type Finding,
  type FlowBatch,
  type QcStage
} from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { nullCount, outOfRange, RANGE_RULES } from "./ranges.js"

export const PLUGIN_ID = "qc.schema"

/** Checked for nulls when `expect_columns` is not given, where the batch has them. */
export const DEFAULT_EXPECTED = [
  "src_ip",
  "dst_ip",
  "protocol",
  "ip_version",
  "first_seen_us",
  "last_seen_us",
  "duration_s",
  "fwd_packets",
  "bwd_packets",
  "fwd_bytes",
  "bwd_bytes"
] as const

interface Defaults {
  readonly null_share_above: number | null
  readonly out_of_range_rows_above: number | null
  readonly missing_columns_above: number | null
}

const thresholdFields = (d: Defaults) =>
  Schema.Struct({
    /** share of null cells in an expected column */
    null_share_above: shareKey(d.null_share_above),
    /** rows with a value outside its column's range, per column */
    out_of_range_rows_above: countKey(d.out_of_range_rows_above),
    /** columns of `expect_columns` the batch does not have */
    missing_columns_above: countKey(d.missing_columns_above)
  })

export const SchemaWarn = thresholdFields({ null_share_above: 0.01, out_of_range_rows_above: null, missing_columns_above: null })
export const SchemaFail = thresholdFields({ null_share_above: 0.5, out_of_range_rows_above: 0, missing_columns_above: 0 })

const CatalogueColumn = Schema.String.pipe(Schema.filter((name) => COLUMN_BY_NAME.has(name) || `"${name}" is not a flow column`))

export const SchemaConfig = Schema.Struct({
  /**
   * columns the source promises to fill: a list (each must be present, nulls judged), `all`
   * (every column the batch has must be non-null), or absent (the usual key/time/volume columns,
   * where the batch has them)
   */
  expect_columns: Schema.optional(Schema.Union(Schema.Literal("all"), Schema.Array(CatalogueColumn))),
  warn: Schema.optionalWith(SchemaWarn, { default: () => Schema.decodeSync(SchemaWarn)({}) }),
  fail: Schema.optionalWith(SchemaFail, { default: () => Schema.decodeSync(SchemaFail)({}) })
})
export type SchemaConfig = typeof SchemaConfig.Type

const IDENTITY = new Set(["flow_id", "dataset", "capture", "batch"])
/** Written by the label stage, not the source: `finish` reads them joined, `check` never sees them. */
const MERGED_LABELS = new Set(["label", "label_source", "label_detail"])

/** The columns judged for nulls in a batch with `present` columns. */
const expectedColumns = (config: SchemaConfig, present: ReadonlySet<string>): ReadonlyArray<string> =>
  config.expect_columns === undefined
    ? DEFAULT_EXPECTED.filter((c) => present.has(c))
    : config.expect_columns === "all"
      ? [...present].filter((c) => !IDENTITY.has(c))
      : config.expect_columns

/** Findings of one batch. */
export const checkBatch = (config: SchemaConfig, batch: FlowBatch, capture: string, index: number): ReadonlyArray<Finding> => {
  if (batch.numRows === 0) return []
  const place = { capture, batch: index }
  const present = new Set(columnNames(batch))
  const out: Array<Finding> = []
  const expected = expectedColumns(config, present)
  if (Array.isArray(config.expect_columns)) {
    const missing = config.expect_columns.filter((c) => !present.has(c))
    out.push(
      ...checkThreshold(PLUGIN_ID, "missing_columns_above", config.warn, config.fail, {
        metric: "missing_columns",
        value: missing.length,
        what: "expected columns missing",
        count: missing.length,
        detail: `(${missing.join(", ")})`,
        ...place
      })
    )
  }
  for (const column of expected) {
    if (!present.has(column)) continue
    const nulls = nullCount(batch, column)
    out.push(
      ...checkThreshold(PLUGIN_ID, "null_share_above", config.warn, config.fail, {
        metric: `null_share.${column}`,
        value: nulls / batch.numRows,
        what: `null share of ${column}`,
        count: nulls,
        detail: `(${nulls} of ${batch.numRows} rows)`,
        ...place
      })
    )
  }
  for (const broken of outOfRange(batch))
    out.push(
      ...checkThreshold(PLUGIN_ID, "out_of_range_rows_above", config.warn, config.fail, {
        metric: `out_of_range_rows.${broken.column}`,
        value: broken.rows,
        what: `rows with ${broken.column} out of range`,
        count: broken.rows,
        detail: `(allowed ${broken.allowed}; e.g. ${broken.example})`,
        ...place
      })
    )
  return out
}

/** Nulls and rows per expected column over a whole dataset. */
export class NullTally {
  flows = 0
  readonly nulls = new Map<string, number>()
  readonly rows = new Map<string, number>()

  add(config: SchemaConfig, batch: FlowBatch): void {
    this.flows += batch.numRows
    if (batch.numRows === 0) return
    const present = new Set(columnNames(batch))
    for (const column of expectedColumns(config, present)) {
      if (!present.has(column) || (config.expect_columns === "all" && MERGED_LABELS.has(column))) continue
      this.nulls.set(column, (this.nulls.get(column) ?? 0) + nullCount(batch, column))
      this.rows.set(column, (this.rows.get(column) ?? 0) + batch.numRows)
    }
  }
}

/** The dataset's info finding: expected columns checked, flows, and the largest null share. */
export const datasetSummary = (tally: NullTally): Finding => {
  let worst: { column: string; share: number } | undefined
  for (const [column, rows] of [...tally.rows].sort((a, b) => a[0].localeCompare(b[0]))) {
    const share = rows === 0 ? 0 : (tally.nulls.get(column) ?? 0) / rows
    if (worst === undefined || share > worst.share) worst = { column, share }
  }
  return metricFinding(PLUGIN_ID, {
    metric: "max_null_share",
    value: worst?.share ?? 0,
    what: "largest null share of an expected column",
    count: tally.flows,
    detail:
      worst === undefined
        ? `(no expected column present in ${tally.flows} flows)`
        : `(${worst.share === 0 ? "no nulls" : worst.column} in ${tally.rows.size} expected column(s) over ${tally.flows} flows)`
  })
}

const finish = (config: SchemaConfig) => (access: DatasetAccess) =>
  Effect.suspend(() => {
    const tally = new NullTally()
    const columns = config.expect_columns === undefined ? [...DEFAULT_EXPECTED] : config.expect_columns === "all" ? undefined : config.expect_columns
    return Stream.runForEach(access.read(access.dataset, columns), (batch) => Effect.sync(() => tally.add(config, batch))).pipe(
      Effect.map(() => [datasetSummary(tally)])
    )
  })

export const schemaQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.2.0",
  summary: "missing columns, null shares against what the source promises, out-of-range values (ports, protocol, counts, ip_version)",
  config: SchemaConfig,
  requires: [],
  columns: (config) => ({ requires: Array.isArray(config.expect_columns) ? config.expect_columns : [] }),
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "flows",
      check: (batch, info) => Effect.sync(() => checkBatch(config, batch, info.capture, info.batch)),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [schemaQc]

/** The columns with a range rule, for the README and tests. */
export const RANGED_COLUMNS: ReadonlyArray<string> = RANGE_RULES.map((rule) => rule.column)
