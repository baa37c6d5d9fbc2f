/**
 * The QC kind's threshold contract: named thresholds (`warn: {...}`, `fail: {...}` in YAML)
 * and the findings they produce.
 *
 * Holds: the Schema of one threshold value (a finite number, or null to switch it off), the
 * direction rule read from a threshold's name (`…_above` fires when the value is greater,
 * `…_below` and `min_…` when it is smaller), `judge` (which severity, if any, a value earns),
 * `thresholdFinding` (the finding, whose message names the check, where, the threshold and the
 * value), `checkThreshold` and `metricFinding` (an info finding carrying a measurement).
 * Does not hold: which thresholds a check has (each `qc.*` plugin's config says that) or any I/O.
 */
import { Schema } from "effect"
import { Finding } from "./finding.js"

/** A threshold: a finite number, or null for "not checked". */
export const Threshold = Schema.NullOr(Schema.Number.pipe(Schema.finite()))
/** A threshold on a share (0..1), or null. */
export const ShareThreshold = Schema.NullOr(Schema.Number.pipe(Schema.between(0, 1)))
/** A threshold on a count or a length (≥ 0), or null. */
export const CountThreshold = Schema.NullOr(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()))

/** A share threshold key with its default (null = off). */
export const shareKey = (value: number | null) => Schema.optionalWith(ShareThreshold, { default: () => value })
/** A count/length threshold key with its default (null = off). */
export const countKey = (value: number | null) => Schema.optionalWith(CountThreshold, { default: () => value })
/** A threshold key on any finite number with its default (null = off). */
export const numberKey = (value: number | null) => Schema.optionalWith(Threshold, { default: () => value })

export type ThresholdMap = Readonly<Record<string, number | null | undefined>>

export type Direction = "above" | "below"

/** `zero_payload_share_above` → above; `coverage_share_below` and `min_flows` → below. */
export const directionOf = (name: string): Direction => (name.endsWith("_below") || name.startsWith("min_") ? "below" : "above")

export interface Judgement {
  readonly severity: "warn" | "fail"
  readonly name: string
  readonly threshold: number
  readonly direction: Direction
}

const crosses = (value: number, threshold: number, direction: Direction): boolean =>
  direction === "above" ? value > threshold : value < threshold

/** The worst threshold `value` crosses under `name` (fail before warn), or undefined. */
export const judge = (value: number, name: string, warn: ThresholdMap, fail: ThresholdMap): Judgement | undefined => {
  if (!Number.isFinite(value)) return undefined
  const direction = directionOf(name)
  const failAt = fail[name]
  if (failAt !== null && failAt !== undefined && crosses(value, failAt, direction)) return { severity: "fail", name, threshold: failAt, direction }
  const warnAt = warn[name]
  if (warnAt !== null && warnAt !== undefined && crosses(value, warnAt, direction)) return { severity: "warn", name, threshold: warnAt, direction }
  return undefined
}

/** A number as messages show it: integers as they are, others with up to 4 significant digits. */
export const formatValue = (value: number): string =>
  Number.isInteger(value) ? String(value) : Math.abs(value) >= 1000 ? value.toFixed(1) : String(Number(value.toPrecision(4)))

export interface Measured {
  /** machine name of what was measured: `zero_payload_share`, `null_share.duration_s` */
  readonly metric: string
  readonly value: number
  /** words for the message: "zero-payload share" */
  readonly what: string
  readonly capture?: string | undefined
  readonly batch?: number | undefined
  /** occurrences behind the value (rows, gaps, records) */
  readonly count?: number | undefined
  /** extra words after the judgement: "(12 of 40 flows)" */
  readonly detail?: string | undefined
}

/** Where a finding belongs, in words: "capture a.pcap, batch 3", "capture a.pcap" or "dataset". */
export const placeOf = (capture: string | undefined, batch: number | undefined): string =>
  capture === undefined ? (batch === undefined ? "dataset" : `batch ${batch}`) : batch === undefined ? `capture ${capture}` : `capture ${capture}, batch ${batch}`

/**
 * The finding for a crossed threshold. Its message names the check, where (capture and batch
 * when per batch), the value and the threshold by name, e.g.
 * `qc.volume: zero-payload share 0.95 above fail threshold zero_payload_share_above=0.9 (capture a.pcap, batch 3)`.
 */
export const thresholdFinding = (pluginId: string, judgement: Judgement, measured: Measured): Finding =>
  new Finding({
    source: pluginId,
    code: "threshold",
    severity: judgement.severity,
    message:
      `${pluginId}: ${measured.what} ${formatValue(measured.value)} ${judgement.direction} ${judgement.severity} threshold ` +
      `${judgement.name}=${formatValue(judgement.threshold)} (${placeOf(measured.capture, measured.batch)})` +
      (measured.detail === undefined ? "" : ` ${measured.detail}`),
    metric: measured.metric,
    value: measured.value,
    threshold: judgement.threshold,
    ...(measured.capture === undefined ? {} : { capture: measured.capture }),
    ...(measured.batch === undefined ? {} : { batch: measured.batch }),
    ...(measured.count === undefined ? {} : { count: measured.count })
  })

/** Judge one measurement and return its finding, or none. */
export const checkThreshold = (
  pluginId: string,
  name: string,
  warn: ThresholdMap,
  fail: ThresholdMap,
  measured: Measured
): ReadonlyArray<Finding> => {
  const judgement = judge(measured.value, name, warn, fail)
  return judgement === undefined ? [] : [thresholdFinding(pluginId, judgement, measured)]
}

/** An info finding carrying one measurement (no threshold). */
export const metricFinding = (pluginId: string, measured: Measured, code = "metric"): Finding =>
  new Finding({
    source: pluginId,
    code,
    severity: "info",
    message: `${pluginId}: ${measured.what} ${formatValue(measured.value)} (${placeOf(measured.capture, measured.batch)})${measured.detail === undefined ? "" : ` ${measured.detail}`}`,
    metric: measured.metric,
    value: measured.value,
    ...(measured.capture === undefined ? {} : { capture: measured.capture }),
    ...(measured.batch === undefined ? {} : { batch: measured.batch }),
    ...(measured.count === undefined ? {} : { count: measured.count })
  })
