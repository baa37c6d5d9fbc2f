/**
 * The direction features: how a flow's traffic splits between the initiator (forward) and the
 * responder (backward), and how much of it is payload.
 *
 * Holds: the feature declarations (`DIRECTION_FEATURES`) and `computeDirection`, one pass over
 * the batch's typed columns. Ratios are null when their denominator is 0; asymmetries
 * (fwd − bwd) / (fwd + bwd) lie in [−1, 1] (+1: everything forward, −1: everything backward) and
 * are null when both sides are 0. A missing column or null cell gives null (NaN).
 * Does not hold: the plugin manifest (see `index.ts`).
 */
import { readNumeric, type FeatureColumns, type FeatureSpec, type FlowBatch } from "@hashhound/core"

const spec = (
  name: string,
  unit: string,
  description: string,
  requires: ReadonlyArray<string>,
  dtype: FeatureSpec["dtype"] = "float64"
): FeatureSpec => ({ name, unit, dtype, description, requires })

const VOLUME = ["fwd_bytes", "bwd_bytes", "fwd_packets", "bwd_packets"]

export const DIRECTION_FEATURES: ReadonlyArray<FeatureSpec> = [
  spec("byte_ratio", "ratio", "fwd_bytes / bwd_bytes (upload over download); null when bwd_bytes is 0", ["fwd_bytes", "bwd_bytes"]),
  spec("packet_ratio", "ratio", "fwd_packets / bwd_packets; null when bwd_packets is 0", ["fwd_packets", "bwd_packets"]),
  spec("byte_asymmetry", "ratio", "(fwd_bytes − bwd_bytes) / (fwd_bytes + bwd_bytes), in [−1, 1]; null when both are 0", [
    "fwd_bytes",
    "bwd_bytes"
  ]),
  spec("packet_asymmetry", "ratio", "(fwd_packets − bwd_packets) / (fwd_packets + bwd_packets), in [−1, 1]; null when both are 0", [
    "fwd_packets",
    "bwd_packets"
  ]),
  spec(
    "payload_asymmetry",
    "ratio",
    "(fwd_payload_bytes − bwd_payload_bytes) / their sum, in [−1, 1]; null when the flow carried no payload",
    ["fwd_payload_bytes", "bwd_payload_bytes"]
  ),
  spec("payload_share", "ratio", "payload bytes / IP bytes, both directions, in [0, 1]; null when the flow has no bytes", [
    "fwd_payload_bytes",
    "bwd_payload_bytes",
    "fwd_bytes",
    "bwd_bytes"
  ]),
  spec("fwd_payload_share", "ratio", "fwd_payload_bytes / fwd_bytes; null when fwd_bytes is 0", ["fwd_payload_bytes", "fwd_bytes"]),
  spec("bwd_payload_share", "ratio", "bwd_payload_bytes / bwd_bytes; null when bwd_bytes is 0", ["bwd_payload_bytes", "bwd_bytes"]),
  spec(
    "pkt_size_asymmetry",
    "ratio",
    "(fwd mean packet size − bwd mean packet size) / their sum, in [−1, 1]; null unless both directions have packets",
    VOLUME
  ),
  spec("one_way", "bool", "1 when no packet came back (bwd_packets = 0), else 0", ["bwd_packets"], "bool")
]

/** `num / den`, null (NaN) unless `den` > 0. */
const perPositive = (num: number, den: number): number => (den > 0 ? num / den : Number.NaN)

/** (a − b) / (a + b), null (NaN) unless a + b > 0. */
const asymmetry = (a: number, b: number): number => perPositive(a - b, a + b)

/** Compute every direction feature for a batch (one loop, no allocation per row). */
export const computeDirection = (batch: FlowBatch): FeatureColumns => {
  const rows = batch.numRows
  const column = (name: string): Float64Array => readNumeric(batch, name) ?? new Float64Array(rows).fill(Number.NaN)
  const fb = column("fwd_bytes")
  const bb = column("bwd_bytes")
  const fp = column("fwd_packets")
  const bp = column("bwd_packets")
  const fpl = column("fwd_payload_bytes")
  const bpl = column("bwd_payload_bytes")
  const out: Record<string, Float64Array> = {}
  for (const feature of DIRECTION_FEATURES) out[feature.name] = new Float64Array(rows)
  const byteRatio = out["byte_ratio"]!
  const packetRatio = out["packet_ratio"]!
  const byteAsym = out["byte_asymmetry"]!
  const packetAsym = out["packet_asymmetry"]!
  const payloadAsym = out["payload_asymmetry"]!
  const payloadShare = out["payload_share"]!
  const fwdPayloadShare = out["fwd_payload_share"]!
  const bwdPayloadShare = out["bwd_payload_share"]!
  const sizeAsym = out["pkt_size_asymmetry"]!
  const oneWay = out["one_way"]!
  for (let row = 0; row < rows; row++) {
    const f = fb[row]!
    const b = bb[row]!
    const fpk = fp[row]!
    const bpk = bp[row]!
    byteRatio[row] = perPositive(f, b)
    packetRatio[row] = perPositive(fpk, bpk)
    byteAsym[row] = asymmetry(f, b)
    packetAsym[row] = asymmetry(fpk, bpk)
    payloadAsym[row] = asymmetry(fpl[row]!, bpl[row]!)
    payloadShare[row] = perPositive(fpl[row]! + bpl[row]!, f + b)
    fwdPayloadShare[row] = perPositive(fpl[row]!, f)
    bwdPayloadShare[row] = perPositive(bpl[row]!, b)
    sizeAsym[row] = fpk > 0 && bpk > 0 ? asymmetry(f / fpk, b / bpk) : Number.NaN
    oneWay[row] = Number.isNaN(bpk) ? Number.NaN : bpk === 0 ? 1 : 0
  }
  return out
}
