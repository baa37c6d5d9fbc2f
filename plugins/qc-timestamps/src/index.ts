/**
 * `qc.timestamps`: are the flow times believable and complete?
 *
 * Holds: the config Schema (`warn` / `fail` threshold maps, `now`, `not_before`,
 * `future_tolerance_s`, `window_start` / `window_end`, `backwards_tolerance_s`), the plugin
 * manifest and the plugin list. Per batch: implausible times (before `not_before`, after `now`),
 * times outside the capture window, negative durations, zero durations of multi-packet flows and
 * `first_seen_us` going backwards inside the batch. In `finish`, per capture over the stored
 * dataset: rows going backwards behind earlier batches, and gaps with no flow.
 * Does not hold: the measurements (`time-checks.ts`, `time-coverage.ts`).
 */
import {
  checkThreshold,
  countKey,
  definePlugin,
  formatValue,
  metricFinding,
  readNumeric,
  readStrings,
  shareKey,
  type AnyPlugin,
  type DatasetAccess,
  type Finding,
  type FlowBatch,
  type QcStage,
  type ThresholdMap
} from "@hashhound/core"
import { Clock, Effect, Schema, Stream } from "effect"
import { Instant, isoOf, parseInstantUs } from "./instant.js"
import { measureBatch, type TimeLimits } from "./time-checks.js"
import { CaptureCoverage } from "./time-coverage.js"

export const PLUGIN_ID = "qc.timestamps"

interface Defaults {
  readonly implausible_rows_above: number | null
  readonly implausible_share_above: number | null
  readonly outside_window_rows_above: number | null
  readonly negative_duration_rows_above: number | null
  readonly zero_duration_share_above: number | null
  readonly backwards_rows_above: number | null
  readonly gap_s_above: number | null
}

const thresholdFields = (d: Defaults) =>
  Schema.Struct({
    /** rows with a time before `not_before` or after `now` + `future_tolerance_s` */
    implausible_rows_above: countKey(d.implausible_rows_above),
    implausible_share_above: shareKey(d.implausible_share_above),
    /** rows starting before `window_start` or ending after `window_end` */
    outside_window_rows_above: countKey(d.outside_window_rows_above),
    /** rows with duration_s < 0 or last_seen_us < first_seen_us */
    negative_duration_rows_above: countKey(d.negative_duration_rows_above),
    /** share of flows of ≥ 2 packets whose duration is exactly 0 */
    zero_duration_share_above: shareKey(d.zero_duration_share_above),
    /** rows whose first_seen_us is more than backwards_tolerance_s behind an earlier row */
    backwards_rows_above: countKey(d.backwards_rows_above),
    /** seconds without any flow inside a capture */
    gap_s_above: countKey(d.gap_s_above)
  })

export const TimestampsWarn = thresholdFields({
  implausible_rows_above: 0,
  implausible_share_above: null,
  outside_window_rows_above: 0,
  negative_duration_rows_above: null,
  zero_duration_share_above: 0.5,
  backwards_rows_above: 0,
  gap_s_above: 3600
})
export const TimestampsFail = thresholdFields({
  implausible_rows_above: null,
  implausible_share_above: 0.01,
  outside_window_rows_above: null,
  negative_duration_rows_above: 0,
  zero_duration_share_above: null,
  backwards_rows_above: null,
  gap_s_above: null
})

export const TimestampsConfig = Schema.Struct({
  warn: Schema.optionalWith(TimestampsWarn, { default: () => Schema.decodeSync(TimestampsWarn)({}) }),
  fail: Schema.optionalWith(TimestampsFail, { default: () => Schema.decodeSync(TimestampsFail)({}) }),
  /** the present, for "in the future" (ISO 8601 with zone or epoch seconds); default: the run's clock */
  now: Schema.optional(Instant),
  /** earliest plausible time */
  not_before: Schema.optionalWith(Instant, { default: () => "1995-01-01T00:00:00Z" }),
  /** seconds after `now` still accepted (clock skew between capture host and run host) */
  future_tolerance_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 300 }),
  /** the capture window, when known; flows outside it are counted */
  window_start: Schema.optional(Instant),
  window_end: Schema.optional(Instant),
  /**
   * how far first_seen may fall behind the latest earlier first_seen before the row counts as
   * going backwards; flow meters emit flows when they end, so long flows legitimately start
   * earlier than shorter ones emitted before them (keep this above the active timeout)
   */
  backwards_tolerance_s: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 3600 })
}).pipe(
  Schema.filter((c) => {
    if (c.window_start === undefined || c.window_end === undefined) return true
    return (parseInstantUs(c.window_start) ?? 0) <= (parseInstantUs(c.window_end) ?? 0) || "window_start is after window_end"
  })
)
export type TimestampsConfig = typeof TimestampsConfig.Type

export const limitsOf = (config: TimestampsConfig, nowMs: number): TimeLimits => {
  const nowUs = config.now === undefined ? nowMs * 1000 : parseInstantUs(config.now)!
  return {
    notBeforeUs: parseInstantUs(config.not_before)!,
    notAfterUs: nowUs + config.future_tolerance_s * 1e6,
    windowStartUs: config.window_start === undefined ? undefined : parseInstantUs(config.window_start),
    windowEndUs: config.window_end === undefined ? undefined : parseInstantUs(config.window_end),
    backwardsToleranceUs: config.backwards_tolerance_s * 1e6
  }
}

/** Findings of one batch. */
export const checkBatch = (warn: ThresholdMap, fail: ThresholdMap, limits: TimeLimits, batch: FlowBatch, capture: string, index: number): ReadonlyArray<Finding> => {
  if (batch.numRows === 0) return []
  const m = measureBatch(batch, limits)
  const place = { capture, batch: index }
  const out: Array<Finding> = []
  if (m.timed > 0) {
    const example = Number.isNaN(m.implausibleExample) ? "" : `, e.g. ${isoOf(m.implausibleExample)}`
    const detail = `(${m.implausible} of ${m.timed} timed flows outside ${isoOf(limits.notBeforeUs)} … ${isoOf(limits.notAfterUs)}${example})`
    // one finding for implausible times: the worse of the share and the row-count judgements
    const implausible = [
      ...checkThreshold(PLUGIN_ID, "implausible_share_above", warn, fail, { metric: "implausible_share", value: m.implausible / m.timed, what: "implausible-time share", count: m.implausible, detail, ...place }),
      ...checkThreshold(PLUGIN_ID, "implausible_rows_above", warn, fail, { metric: "implausible_rows", value: m.implausible, what: "rows with implausible times", count: m.implausible, detail, ...place })
    ]
    const worst = implausible.find((f) => f.severity === "fail") ?? implausible[0]
    if (worst !== undefined) out.push(worst)
    if (limits.windowStartUs !== undefined || limits.windowEndUs !== undefined)
      out.push(
        ...checkThreshold(PLUGIN_ID, "outside_window_rows_above", warn, fail, {
          metric: "outside_window_rows",
          value: m.outsideWindow,
          what: "rows outside the capture window",
          count: m.outsideWindow,
          detail: `(window ${limits.windowStartUs === undefined ? "…" : isoOf(limits.windowStartUs)} … ${limits.windowEndUs === undefined ? "…" : isoOf(limits.windowEndUs)})`,
          ...place
        })
      )
    out.push(
      ...checkThreshold(PLUGIN_ID, "backwards_rows_above", warn, fail, {
        metric: "backwards_rows",
        value: m.backwards,
        what: "rows going backwards in time",
        count: m.backwards,
        detail: `(first_seen up to ${formatValue(m.maxBackwardsUs / 1e6)} s behind an earlier row; tolerance ${formatValue(limits.backwardsToleranceUs / 1e6)} s)`,
        ...place
      })
    )
  }
  out.push(...checkThreshold(PLUGIN_ID, "negative_duration_rows_above", warn, fail, { metric: "negative_duration_rows", value: m.negativeDuration, what: "rows with negative duration", count: m.negativeDuration, ...place }))
  if (m.multiPacket > 0)
    out.push(
      ...checkThreshold(PLUGIN_ID, "zero_duration_share_above", warn, fail, {
        metric: "zero_duration_share",
        value: m.zeroDurationMultiPacket / m.multiPacket,
        what: "zero-duration share of multi-packet flows",
        count: m.zeroDurationMultiPacket,
        detail: `(${m.zeroDurationMultiPacket} of ${m.multiPacket} flows)`,
        ...place
      })
    )
  return out
}

/** Row numbers per capture of a stored batch (one group without a capture column). */
const groupsOf = (batch: FlowBatch): ReadonlyArray<readonly [capture: string, rows: ReadonlyArray<number> | undefined]> => {
  const captures = readStrings(batch, "capture")
  if (captures === undefined || captures.length === 0) return [["(unnamed)", undefined]]
  const firstCapture = captures[0] ?? "(unnamed)"
  if (captures.every((c) => (c ?? "(unnamed)") === firstCapture)) return [[firstCapture, undefined]]
  const groups = new Map<string, Array<number>>()
  captures.forEach((c, row) => {
    const key = c ?? "(unnamed)"
    const list = groups.get(key) ?? []
    list.push(row)
    groups.set(key, list)
  })
  return [...groups]
}

/** Dataset findings: backwards rows across batches and gaps, per capture. */
export const coverageFindings = (warn: ThresholdMap, fail: ThresholdMap, limits: TimeLimits, coverage: ReadonlyArray<CaptureCoverage>): ReadonlyArray<Finding> => {
  const gapAt = [warn["gap_s_above"], fail["gap_s_above"]].filter((t): t is number => typeof t === "number")
  const minGapUs = gapAt.length === 0 ? undefined : Math.min(...gapAt) * 1e6
  return coverage.flatMap((c) => {
    const out: Array<Finding> = []
    const span = c.span()
    if (span !== undefined)
      out.push(
        metricFinding(PLUGIN_ID, {
          metric: "span_s",
          value: (span.lastUs - span.firstUs) / 1e6,
          what: "time span (s)",
          capture: c.capture,
          count: c.size,
          detail: `${isoOf(span.firstUs)} … ${isoOf(span.lastUs)}`
        })
      )
    if (c.backwardsAcrossBatches > 0)
      out.push(
        ...checkThreshold(PLUGIN_ID, "backwards_rows_above", warn, fail, {
          metric: "backwards_rows_across_batches",
          value: c.backwardsAcrossBatches,
          what: "rows going backwards behind earlier batches",
          capture: c.capture,
          count: c.backwardsAcrossBatches,
          detail: `(in batch ${c.backwardsBatches.slice(0, 5).join(", ")}${c.backwardsBatches.length > 5 ? ", …" : ""}; up to ${formatValue(c.maxBackwardsUs / 1e6)} s back)`
        })
      )
    if (minGapUs !== undefined) {
      const gaps = c.gaps(minGapUs)
      if (gaps.length > 0) {
        let longest = gaps[0]!
        for (const gap of gaps) if (gap.endUs - gap.startUs > longest.endUs - longest.startUs) longest = gap
        out.push(
          ...checkThreshold(PLUGIN_ID, "gap_s_above", warn, fail, {
            metric: "gap_s",
            value: (longest.endUs - longest.startUs) / 1e6,
            what: "longest gap without flows (s)",
            capture: c.capture,
            count: gaps.length,
            detail: `(from ${isoOf(longest.startUs)} to ${isoOf(longest.endUs)}; ${gaps.length} gap(s) over ${formatValue(minGapUs / 1e6)} s)`
          })
        )
      }
    }
    return out
  })
}

const finish = (config: TimestampsConfig, limits: TimeLimits) => (access: DatasetAccess) =>
  Effect.suspend(() => {
    const byCapture = new Map<string, CaptureCoverage>()
    let counter = 0
    return Stream.runForEach(access.read(access.dataset, ["capture", "batch", "first_seen_us", "last_seen_us"]), (batch) =>
      Effect.sync(() => {
        const batchColumn = readNumeric(batch, "batch")
        const index = batchColumn !== undefined && batch.numRows > 0 && !Number.isNaN(batchColumn[0]!) ? batchColumn[0]! : counter
        counter++
        for (const [capture, rows] of groupsOf(batch)) {
          const coverage = byCapture.get(capture) ?? new CaptureCoverage(capture)
          byCapture.set(capture, coverage)
          coverage.add(batch, limits, index, rows)
        }
      })
    ).pipe(Effect.map(() => coverageFindings(config.warn, config.fail, limits, [...byCapture.values()])))
  })

export const timestampsQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.1.0",
  summary: "implausible or out-of-window times, negative/zero durations, time going backwards, gaps without flows",
  config: TimestampsConfig,
  requires: ["first_seen_us", "last_seen_us", "duration_s", "fwd_packets", "bwd_packets"],
  make: (config) =>
    Effect.map(Clock.currentTimeMillis, (nowMs): QcStage => {
      const limits = limitsOf(config, nowMs)
      return {
        phase: "flows",
        check: (batch, info) => Effect.sync(() => checkBatch(config.warn, config.fail, limits, batch, info.capture, info.batch)),
        finish: finish(config, limits)
      }
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [timestampsQc]
