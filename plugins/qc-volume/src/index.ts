/**
 * `qc.volume`: flow counts and the shape of bytes, packets and durations per flow.
 *
 * Holds: the config Schema (`warn` / `fail` maps of named thresholds, `min_batch_flows`), the
 * plugin manifest and the plugin list. Per batch it judges the zero-payload, single-packet and
 * unanswered shares (batches with at least `min_batch_flows` flows); in `finish` it reads the
 * whole dataset (only the columns it judges), judges `min_flows` and the dataset-wide shares,
 * and reports the flow count and p50/p90/p99/max of bytes, packets and duration as info findings.
 * Does not hold: the counting itself (`volume-stats.ts`) or the threshold rules (core's
 * `qc-thresholds.ts`).
 */
import { checkThreshold, countKey, definePlugin, metricFinding, shareKey, type AnyPlugin, type DatasetAccess, type Finding, type FlowBatch, type QcStage, type ThresholdMap } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { QUANTILES, shareValue, VolumeTally, type VolumeShare } from "./volume-stats.js"

export const PLUGIN_ID = "qc.volume"

/** The columns the checks read (and `finish` projects the stored dataset to). */
const COLUMNS = ["fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "fwd_payload_bytes", "bwd_payload_bytes", "duration_s"]

const thresholdFields = (defaults: { min_flows: number | null; zero_payload_share_above: number | null; single_packet_share_above: number | null; unanswered_share_above: number | null }) =>
  Schema.Struct({
    /** fewer flows than this in the dataset */
    min_flows: countKey(defaults.min_flows),
    /** share of flows with no transport payload in either direction */
    zero_payload_share_above: shareKey(defaults.zero_payload_share_above),
    /** share of flows of exactly one packet */
    single_packet_share_above: shareKey(defaults.single_packet_share_above),
    /** share of flows with forward packets and no backward packet */
    unanswered_share_above: shareKey(defaults.unanswered_share_above)
  })

export const VolumeWarn = thresholdFields({ min_flows: null, zero_payload_share_above: null, single_packet_share_above: 0.5, unanswered_share_above: null })
export const VolumeFail = thresholdFields({ min_flows: 1, zero_payload_share_above: 0.9, single_packet_share_above: null, unanswered_share_above: null })

export const VolumeConfig = Schema.Struct({
  warn: Schema.optionalWith(VolumeWarn, { default: () => Schema.decodeSync(VolumeWarn)({}) }),
  fail: Schema.optionalWith(VolumeFail, { default: () => Schema.decodeSync(VolumeFail)({}) }),
  /** batches with fewer flows are not judged on their own (the dataset still is) */
  min_batch_flows: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 50 })
})
export type VolumeConfig = typeof VolumeConfig.Type

const SHARES: ReadonlyArray<readonly [name: string, metric: string, what: string, pick: (tally: VolumeTally) => VolumeShare]> = [
  ["zero_payload_share_above", "zero_payload_share", "zero-payload share", (t) => t.zeroPayload],
  ["single_packet_share_above", "single_packet_share", "single-packet share", (t) => t.singlePacket],
  ["unanswered_share_above", "unanswered_share", "unanswered share", (t) => t.unanswered]
]

const judgeShares = (
  warn: ThresholdMap,
  fail: ThresholdMap,
  tally: VolumeTally,
  place: { readonly capture?: string | undefined; readonly batch?: number | undefined }
): ReadonlyArray<Finding> =>
  SHARES.flatMap(([name, metric, what, pick]) => {
    const share = pick(tally)
    return share.measured === 0
      ? []
      : checkThreshold(PLUGIN_ID, name, warn, fail, {
          metric,
          value: shareValue(share),
          what,
          count: share.hits,
          detail: `(${share.hits} of ${share.measured} flows)`,
          ...place
        })
  })

/** The per-batch check: shares of one batch. */
export const checkBatch = (config: VolumeConfig, batch: FlowBatch, capture: string, index: number): ReadonlyArray<Finding> => {
  if (batch.numRows === 0 || batch.numRows < config.min_batch_flows) return []
  const tally = new VolumeTally()
  tally.add(batch)
  return judgeShares(config.warn, config.fail, tally, { capture, batch: index })
}

/** Dataset findings from a tally of every stored batch. */
export const datasetFindings = (config: VolumeConfig, tally: VolumeTally): ReadonlyArray<Finding> => {
  const out: Array<Finding> = [
    metricFinding(PLUGIN_ID, { metric: "flows", value: tally.flows, what: "flows", count: tally.flows }),
    ...checkThreshold(PLUGIN_ID, "min_flows", config.warn, config.fail, { metric: "flows", value: tally.flows, what: "flow count", count: tally.flows }),
    ...judgeShares(config.warn, config.fail, tally, {})
  ]
  for (const [metric, what, pick] of SHARES.map(([, m, w, p]) => [m, w, p] as const)) {
    const share = pick(tally)
    if (share.measured > 0) out.push(metricFinding(PLUGIN_ID, { metric, value: shareValue(share), what, count: share.hits }))
  }
  const sketches = [
    ["bytes", "bytes per flow", tally.bytes],
    ["packets", "packets per flow", tally.packets],
    ["duration_s", "duration (s) per flow", tally.duration]
  ] as const
  for (const [name, what, sketch] of sketches) {
    if (sketch.count === 0) continue
    for (const [label, q] of QUANTILES) {
      out.push(metricFinding(PLUGIN_ID, { metric: `${name}_${label}`, value: sketch.quantile(q), what: `${what}, ${label}`, count: sketch.count }))
    }
  }
  return out
}

const finish = (config: VolumeConfig) => (access: DatasetAccess) =>
  Effect.suspend(() => {
    const tally = new VolumeTally()
    return Stream.runForEach(access.read(access.dataset, COLUMNS), (batch) => Effect.sync(() => tally.add(batch))).pipe(
      Effect.map(() => datasetFindings(config, tally))
    )
  })

export const volumeQc = definePlugin({
  id: PLUGIN_ID,
  kind: "qc",
  version: "0.1.0",
  summary: "flow count, zero-payload / single-packet / unanswered shares, bytes-packets-duration quantiles",
  config: VolumeConfig,
  requires: COLUMNS,
  make: (config) =>
    Effect.succeed<QcStage>({
      phase: "flows",
      check: (batch, info) => Effect.sync(() => checkBatch(config, batch, info.capture, info.batch)),
      finish: finish(config)
    })
})

export const plugins: ReadonlyArray<AnyPlugin> = [volumeQc]
