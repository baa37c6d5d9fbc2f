/**
 * `qc.drift`: has a dataset's distribution of key columns moved away from a reference dataset?
 *
 * Holds: the config Schema (`reference`, `columns`, `bins`, `max_rows`, `min_rows`, `warn` /
 * `fail` threshold maps), the plugin manifest and the plugin list. `check` reports nothing; in
 * `finish` a uniform sample of each column is drawn from the reference and from this dataset
 * (at most `max_rows` values each, seeded, so reruns agree) and compared with PSI over the
 * reference's quantile bins and the two-sample KS statistic.
 * Does not hold: the statistics (`drift-stats.ts`).
 */
import { checkThreshold, COLUMN_BY_NAME, countKey, definePlugin, Finding, metricFinding, readNumeric, type AnyPlugin, type DatasetAccess, type QcStage } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { ks, psi, Reservoir } from "./drift-stats.js"

export const PLUGIN_ID = "qc.drift"

export const DEFAULT_COLUMNS = ["duration_s", "fwd_bytes", "bwd_bytes", "fwd_packets", "bwd_packets", "dst_port"] as const

const thresholdFields = (d: { readonly psi_above: number | null; readonly ks_above: number | null }) =>
  Schema.Struct({
    /** population stability index, per column */
    psi_above: countKey(d.psi_above),
    /** two-sample Kolmogorov–Smirnov statistic (0..1), per column */
    ks_above: countKey(d.ks_above)
  })

export const DriftWarn = thresholdFields({ psi_above: 0.25, ks_above: 0.2 })
export const DriftFail = thresholdFields({ psi_above: null, ks_above: null })

const NumericColumn = Schema.String.pipe(
  Schema.filter((name) => {
    const spec = COLUMN_BY_NAME.get(name)
    return (spec !== undefined && (spec.type === "int32" || spec.type === "int64" || spec.type === "float64")) || `"${name}" is not a numeric flow column`
  })
)

export const DriftConfig = Schema.Struct({
  /** the dataset (by name in the pipeline) this one is compared with */
  reference: Schema.String.pipe(Schema.minLength(1)),
  columns: Schema.optionalWith(Schema.Array(NumericColumn).pipe(Schema.minItems(1)), { default: () => [...DEFAULT_COLUMNS] }),
  /** quantile bins of the reference for PSI */
  bins: Schema.optionalWith(Schema.Int.pipe(Schema.between(2, 100)), { default: () => 10 }),
  /** values sampled per column and dataset */
  max_rows: Schema.optionalWith(Schema.Int.pipe(Schema.between(100, 10_000_000)), { default: () => 200_000 }),
  /** fewer non-null values than this on either side: the column is not compared */
  min_rows: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 20 }),
  warn: Schema.optionalWith(DriftWarn, { default: () => Schema.decodeSync(DriftWarn)({}) }),
  fail: Schema.optionalWith(DriftFail, { default: () => Schema.decodeSync(DriftFail)({}) })
})
export type DriftConfig = typeof DriftConfig.Type

/** One reservoir per column, filled from every stored batch of a dataset. */
const sampleDataset = (access: DatasetAccess, dataset: string, config: DriftConfig) =>
  Effect.suspend(() => {
    const samples = config.columns.map((_, i) => new Reservoir(config.max_rows, 1 + i))
    return Stream.runForEach(access.read(dataset, config.columns), (batch) =>
      Effect.sync(() => {
        config.columns.forEach((column, i) => {
          const values = readNumeric(batch, column)
          if (values === undefined) return
          const sample = samples[i]!
          for (let row = 0; row < values.length; row++) sample.add(values[row]!)
        })
      })
    ).pipe(Effect.as(samples))
  })

const finish = (config: DriftConfig) => (access: DatasetAccess) =>
  Effect.gen(function* () {
    if (access.dataset === config.reference)
      return [new Finding({ source: PLUGIN_ID, code: "reference", severity: "info", message: `${PLUGIN_ID}: ${access.dataset} is the reference dataset; nothing to compare` })]
    if (!access.datasets.includes(config.reference))
      return [
        new Finding({
          source: PLUGIN_ID,
          code: "reference_missing",
          severity: "fail",
          message: `${PLUGIN_ID}: reference dataset "${config.reference}" is not in this run (datasets: ${access.datasets.join(", ")}); drift not measured`
        })
      ]
    const reference = yield* sampleDataset(access, config.reference, config)
    const current = yield* sampleDataset(access, access.dataset, config)
    const out: Array<Finding> = []
    config.columns.forEach((column, i) => {
      const ref = reference[i]!.sorted()
      const cur = current[i]!.sorted()
      if (ref.length < config.min_rows || cur.length < config.min_rows) {
        out.push(
          new Finding({
            source: PLUGIN_ID,
            code: "not_compared",
            severity: "info",
            message: `${PLUGIN_ID}: ${column} not compared: ${ref.length} values in ${config.reference}, ${cur.length} here (min_rows ${config.min_rows})`,
            metric: `psi.${column}`
          })
        )
        return
      }
      const detail = `(vs ${config.reference}; ${reference[i]!.seen} and ${current[i]!.seen} values${ref.length < reference[i]!.seen || cur.length < current[i]!.seen ? ", sampled" : ""})`
      for (const [name, metric, value] of [
        ["psi_above", `psi.${column}`, psi(ref, cur, config.bins)],
        ["ks_above", `ks.${column}`, ks(ref, cur)]
      ] as const) {
        const what = `${name === "psi_above" ? "PSI" : "KS statistic"} of ${column}`
        const judged = checkThreshold(PLUGIN_ID, name, config.warn, config.fail, { metric, value, what, detail })
        out.push(...(judged.length > 0 ? judged : [metricFinding(PLUGIN_ID, { metric, value, what, detail })]))
      }
    })
    return out
  })

export const driftQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.1.0",
  summary: "distribution shift of key columns against a reference dataset (PSI over quantile bins, two-sample KS)",
  config: DriftConfig,
  requires: [...DEFAULT_COLUMNS],
  columns: (config) => ({ requires: config.columns }),
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "flows",
      check: () => Effect.succeed([]),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [driftQc]
