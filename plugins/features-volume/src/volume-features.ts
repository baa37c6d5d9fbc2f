/**
 * The volume features: how much a flow carried, how fast, and in packets of what size.
 *
 * Holds: the feature declarations (`VOLUME_FEATURES`) and `computeVolume`, one pass over the
 * batch's typed columns. A missing input column or a null cell gives null (NaN); rates are null
 * when the duration is at most `min_duration_s` (default 0: zero, negative or null, so a
 * single-packet flow has no rate); mean sizes are
 * null when the direction has no packets.
 * Does not hold: the plugin manifest (see `index.ts`).
 */
import { readNumeric, type FeatureColumns, type FeatureSpec, type FlowBatch } from "@hashhound/core"

const spec = (name: string, unit: string, description: string, requires: ReadonlyArray<string>): FeatureSpec => ({
  name,
  unit,
  dtype: "float64",
  description,
  requires
})

const BYTES = ["fwd_bytes", "bwd_bytes"]
const PACKETS = ["fwd_packets", "bwd_packets"]

export const VOLUME_FEATURES: ReadonlyArray<FeatureSpec> = [
  spec("bytes_total", "bytes", "IP-layer bytes in both directions (fwd_bytes + bwd_bytes)", BYTES),
  spec("packets_total", "packets", "packets in both directions (fwd_packets + bwd_packets)", PACKETS),
  spec("payload_bytes_total", "bytes", "transport payload bytes in both directions", ["fwd_payload_bytes", "bwd_payload_bytes"]),
  spec("flow_duration_s", "s", "flow duration (last − first packet); 0 for a single packet", ["duration_s"]),
  spec("bytes_per_s", "bytes/s", "bytes_total / duration; null when the duration is at most min_duration_s (0: zero-length flows)", [...BYTES, "duration_s"]),
  spec("packets_per_s", "packets/s", "packets_total / duration; null when the duration is at most min_duration_s (0: zero-length flows)", [...PACKETS, "duration_s"]),
  spec("fwd_bytes_per_s", "bytes/s", "forward bytes / duration; null when the duration is at most min_duration_s (0: zero-length flows)", ["fwd_bytes", "duration_s"]),
  spec("bwd_bytes_per_s", "bytes/s", "backward bytes / duration; null when the duration is at most min_duration_s (0: zero-length flows)", ["bwd_bytes", "duration_s"]),
  spec("mean_pkt_size", "bytes", "bytes_total / packets_total; null without packets", [...BYTES, ...PACKETS]),
  spec("fwd_mean_pkt_size", "bytes", "fwd_bytes / fwd_packets; null without forward packets", ["fwd_bytes", "fwd_packets"]),
  spec("bwd_mean_pkt_size", "bytes", "bwd_bytes / bwd_packets; null without backward packets", ["bwd_bytes", "bwd_packets"]),
  spec("pkt_size_min", "bytes", "smallest IP packet length, both directions", ["pkt_len_min"]),
  spec("pkt_size_max", "bytes", "largest IP packet length, both directions", ["pkt_len_max"]),
  spec("pkt_size_std", "bytes", "standard deviation of IP packet lengths, both directions (as the source computed it)", ["pkt_len_std"]),
  spec("pkt_size_cv", "ratio", "pkt_len_std / pkt_len_mean: 0 when every packet has the same size; null when the mean is 0", [
    "pkt_len_std",
    "pkt_len_mean"
  ])
]

/** `num / den`, null (NaN) unless `den` > 0. */
const perPositive = (num: number, den: number): number => (den > 0 ? num / den : Number.NaN)

export interface VolumeOptions {
  /** rates are null when the duration is at or below this (0: only zero-length flows) */
  readonly minDurationS: number
}

/** Compute every volume feature for a batch (one loop, no allocation per row). */
export const computeVolume = (batch: FlowBatch, options: VolumeOptions = { minDurationS: 0 }): FeatureColumns => {
  const rows = batch.numRows
  const column = (name: string): Float64Array => readNumeric(batch, name) ?? new Float64Array(rows).fill(Number.NaN)
  const fb = column("fwd_bytes")
  const bb = column("bwd_bytes")
  const fp = column("fwd_packets")
  const bp = column("bwd_packets")
  const fpl = column("fwd_payload_bytes")
  const bpl = column("bwd_payload_bytes")
  const dur = column("duration_s")
  const lenMin = column("pkt_len_min")
  const lenMax = column("pkt_len_max")
  const lenStd = column("pkt_len_std")
  const lenMean = column("pkt_len_mean")
  const out: Record<string, Float64Array> = {}
  for (const feature of VOLUME_FEATURES) out[feature.name] = new Float64Array(rows)
  const bytesTotal = out["bytes_total"]!
  const packetsTotal = out["packets_total"]!
  const payloadTotal = out["payload_bytes_total"]!
  const duration = out["flow_duration_s"]!
  const bytesRate = out["bytes_per_s"]!
  const packetsRate = out["packets_per_s"]!
  const fwdRate = out["fwd_bytes_per_s"]!
  const bwdRate = out["bwd_bytes_per_s"]!
  const meanSize = out["mean_pkt_size"]!
  const fwdMean = out["fwd_mean_pkt_size"]!
  const bwdMean = out["bwd_mean_pkt_size"]!
  const sizeMin = out["pkt_size_min"]!
  const sizeMax = out["pkt_size_max"]!
  const sizeStd = out["pkt_size_std"]!
  const sizeCv = out["pkt_size_cv"]!
  for (let row = 0; row < rows; row++) {
    const bytes = fb[row]! + bb[row]!
    const packets = fp[row]! + bp[row]!
    const d = dur[row]!
    const rateDen = d > options.minDurationS ? d : Number.NaN
    bytesTotal[row] = bytes
    packetsTotal[row] = packets
    payloadTotal[row] = fpl[row]! + bpl[row]!
    duration[row] = d
    bytesRate[row] = perPositive(bytes, rateDen)
    packetsRate[row] = perPositive(packets, rateDen)
    fwdRate[row] = perPositive(fb[row]!, rateDen)
    bwdRate[row] = perPositive(bb[row]!, rateDen)
    meanSize[row] = perPositive(bytes, packets)
    fwdMean[row] = perPositive(fb[row]!, fp[row]!)
    bwdMean[row] = perPositive(bb[row]!, bp[row]!)
    sizeMin[row] = lenMin[row]!
    sizeMax[row] = lenMax[row]!
    sizeStd[row] = lenStd[row]!
    sizeCv[row] = lenStd[row]! >= 0 ? perPositive(lenStd[row]!, lenMean[row]!) : Number.NaN
  }
  return out
}
