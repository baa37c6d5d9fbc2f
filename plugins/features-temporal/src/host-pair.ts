/**
 * features.host-pair: inter-flow timing between the same two hosts over a whole dataset, as
 * DuckDB window functions over the dataset's flow table.
 *
 * Holds: `hostPairFeatures(options)`, `hostPairSql(options)` and the plugin. For each flow, the
 * flows of the same (src_ip, dst_ip) pair (and, with `per_service`, the same dst_port and
 * protocol) are ordered by `first_seen_us` (ties by flow_id) and
 * - `pair_prev_gap_s`: seconds since the previous flow of the pair started (LAG), null for the first;
 * - `pair_gap_mean_s`, `pair_gap_cv`: mean and σ/μ of all those gaps of the pair (null with
 *   fewer than 1 resp. 2 gaps, or a zero mean). Reconnect and beacon loops show low CVs.
 * Addresses are used only as the PARTITION BY key; no feature value carries them. They are
 * guarded columns all the same, so this group is a separate plugin that a pipeline must opt into
 * with `options.allow_guarded_columns: [src_ip, dst_ip]` (validate reports it otherwise), and the
 * per-batch `features.temporal` stays free of guarded columns. A flow whose key or start time is
 * null (a dataset without addresses) gets null features.
 * Note: the pair statistics look at the whole dataset, later flows included; they describe a
 * stored dataset, not what a live detector could know when the flow starts.
 * Does not hold: the per-flow temporal features (see `temporal-features.ts`).
 */
import { definePlugin, type FeatureSpec } from "@hashhound/core"
import { Effect, Schema } from "effect"

export interface HostPairOptions {
  /** partition by dst_port and protocol too (same host pair and service) */
  readonly perService: boolean
}

const KEY = ["src_ip", "dst_ip"]
const SERVICE = ["dst_port", "protocol"]

const requiresOf = (options: HostPairOptions): ReadonlyArray<string> => [...KEY, ...(options.perService ? SERVICE : []), "first_seen_us"]

export const hostPairFeatures = (options: HostPairOptions): ReadonlyArray<FeatureSpec> => {
  const pair = options.perService ? "host pair and service (dst_port, protocol)" : "host pair (src_ip, dst_ip)"
  const requires = requiresOf(options)
  return [
    { name: "pair_prev_gap_s", unit: "s", dtype: "float64", description: `seconds since the previous flow of the same ${pair} started; null for its first flow`, requires },
    { name: "pair_gap_mean_s", unit: "s", dtype: "float64", description: `mean gap between consecutive flow starts of the same ${pair} over the dataset; null with a single flow`, requires },
    { name: "pair_gap_cv", unit: "ratio", dtype: "float64", description: `σ / μ of the gaps between flow starts of the same ${pair}; null with fewer than 2 gaps or a zero mean`, requires }
  ]
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** The SELECT over `flowTable`: flow_id and the three features, one row per flow. */
export const hostPairSql =
  (options: HostPairOptions) =>
  (flowTable: string): string => {
    const key = [...KEY, ...(options.perService ? SERVICE : [])]
    const partition = [...key, "keyed"].map(quote).join(", ")
    const keyed = [...key, "first_seen_us"].map((name) => `${quote(name)} IS NOT NULL`).join(" AND ")
    return [
      `WITH hh_base AS (SELECT flow_id, ${key.map(quote).join(", ")}, first_seen_us, (${keyed}) AS keyed FROM ${flowTable}),`,
      `hh_gaps AS (SELECT flow_id, ${key.map(quote).join(", ")}, keyed,`,
      `  CASE WHEN keyed THEN (first_seen_us - LAG(first_seen_us) OVER (PARTITION BY ${partition} ORDER BY first_seen_us, flow_id)) / 1e6 END AS gap_s`,
      `  FROM hh_base)`,
      `SELECT flow_id,`,
      `  CAST(gap_s AS DOUBLE) AS pair_prev_gap_s,`,
      `  CASE WHEN keyed THEN CAST(AVG(gap_s) OVER hh_pair AS DOUBLE) END AS pair_gap_mean_s,`,
      `  CASE WHEN keyed AND COUNT(gap_s) OVER hh_pair >= 2 AND AVG(gap_s) OVER hh_pair > 0`,
      `    THEN CAST(STDDEV_POP(gap_s) OVER hh_pair / AVG(gap_s) OVER hh_pair AS DOUBLE) END AS pair_gap_cv`,
      `FROM hh_gaps`,
      `WINDOW hh_pair AS (PARTITION BY ${partition})`
    ].join("\n")
  }

export const HostPairConfig = Schema.Struct({
  /** also partition by dst_port and protocol: gaps between flows to the same service of a host */
  per_service: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type HostPairConfig = typeof HostPairConfig.Type

const columnsOf = (config: HostPairConfig) => {
  const options = { perService: config.per_service }
  return { requires: requiresOf(options), provides: hostPairFeatures(options).map((spec) => spec.name) }
}

const DEFAULT_COLUMNS = columnsOf({ per_service: false })

export const hostPairPlugin = definePlugin({
  id: "features.host-pair",
  kind: "features",
  version: "0.1.0",
  summary: "inter-flow start gaps between the same host pair over the dataset (DuckDB; needs src_ip/dst_ip allowed)",
  config: HostPairConfig,
  requires: DEFAULT_COLUMNS.requires,
  provides: DEFAULT_COLUMNS.provides,
  columns: columnsOf,
  make: (config) => {
    const options: HostPairOptions = { perService: config.per_service }
    return Effect.succeed({ features: hostPairFeatures(options), computation: { _tag: "sql" as const, sql: hostPairSql(options) } })
  }
})
