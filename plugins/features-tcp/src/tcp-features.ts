/**
 * The TCP features: how often each flag appears per packet, per direction and overall, which
 * side pushes data, and the initial receive windows.
 *
 * Holds: the declarations (`TCP_FEATURES`) and `computeTcp`. Every feature is null (NaN) for a
 * flow that is not TCP (protocol ≠ 6), so a source that writes 0 flags for UDP and one that
 * leaves them null agree; a share is null when its direction has no packets. Initial windows
 * below 0 (CICFlowMeter writes −1 for "none") are null.
 * Does not hold: the manifest (see `index.ts`).
 */
import { readNumeric, type FeatureColumns, type FeatureSpec, type FlowBatch } from "@hashhound/core"

/** The flags with a share feature (ECE and CWR are ECN signalling, rarely set; left out). */
export const SHARE_FLAGS = ["syn", "fin", "rst", "psh", "ack", "urg"] as const

const feature = (name: string, unit: string, dtype: FeatureSpec["dtype"], description: string, requires: ReadonlyArray<string>): FeatureSpec => ({
  name,
  unit,
  dtype,
  description,
  requires
})

const upper = (flag: string): string => flag.toUpperCase()

export const TCP_FEATURES: ReadonlyArray<FeatureSpec> = [
  ...SHARE_FLAGS.flatMap((flag) => [
    feature(`fwd_${flag}_share`, "ratio", "float64", `share of forward packets with ${upper(flag)} set (fwd_${flag} / fwd_packets); null unless TCP with forward packets`, [
      `fwd_${flag}`,
      "fwd_packets",
      "protocol"
    ]),
    feature(`bwd_${flag}_share`, "ratio", "float64", `share of backward packets with ${upper(flag)} set (bwd_${flag} / bwd_packets); null unless TCP with backward packets`, [
      `bwd_${flag}`,
      "bwd_packets",
      "protocol"
    ])
  ]),
  ...SHARE_FLAGS.map((flag) =>
    feature(`${flag}_share`, "ratio", "float64", `share of all packets with ${upper(flag)} set; null unless TCP with packets`, [
      `fwd_${flag}`,
      `bwd_${flag}`,
      "fwd_packets",
      "bwd_packets",
      "protocol"
    ])
  ),
  feature("push_fwd_share", "ratio", "float64", "share of PSH packets sent by the initiator: fwd_psh / (fwd_psh + bwd_psh); null unless TCP with a PSH", [
    "fwd_psh",
    "bwd_psh",
    "protocol"
  ]),
  feature("init_win_fwd", "bytes", "int32", "TCP window of the first forward packet; null unless TCP", ["fwd_init_win", "protocol"]),
  feature("init_win_bwd", "bytes", "int32", "TCP window of the first backward packet; null unless TCP with a backward packet", ["bwd_init_win", "protocol"])
]

/** `num / den`, null (NaN) unless `den` > 0. */
const perPositive = (num: number, den: number): number => (den > 0 ? num / den : Number.NaN)

/** Compute every TCP feature for a batch. */
export const computeTcp = (batch: FlowBatch): FeatureColumns => {
  const rows = batch.numRows
  const column = (name: string): Float64Array => readNumeric(batch, name) ?? new Float64Array(rows).fill(Number.NaN)
  const protocol = column("protocol")
  const fp = column("fwd_packets")
  const bp = column("bwd_packets")
  const out: Record<string, Float64Array> = {}
  for (const spec of TCP_FEATURES) out[spec.name] = new Float64Array(rows)
  const isTcp = new Uint8Array(rows)
  for (let row = 0; row < rows; row++) isTcp[row] = protocol[row] === 6 ? 1 : 0
  for (const flag of SHARE_FLAGS) {
    const fwd = column(`fwd_${flag}`)
    const bwd = column(`bwd_${flag}`)
    const fwdShare = out[`fwd_${flag}_share`]!
    const bwdShare = out[`bwd_${flag}_share`]!
    const share = out[`${flag}_share`]!
    for (let row = 0; row < rows; row++) {
      if (isTcp[row] === 0) {
        fwdShare[row] = Number.NaN
        bwdShare[row] = Number.NaN
        share[row] = Number.NaN
        continue
      }
      fwdShare[row] = perPositive(fwd[row]!, fp[row]!)
      bwdShare[row] = perPositive(bwd[row]!, bp[row]!)
      share[row] = perPositive(fwd[row]! + bwd[row]!, fp[row]! + bp[row]!)
    }
  }
  const fwdPsh = column("fwd_psh")
  const bwdPsh = column("bwd_psh")
  const fwdWin = column("fwd_init_win")
  const bwdWin = column("bwd_init_win")
  const push = out["push_fwd_share"]!
  const winFwd = out["init_win_fwd"]!
  const winBwd = out["init_win_bwd"]!
  for (let row = 0; row < rows; row++) {
    const tcp = isTcp[row] === 1
    push[row] = tcp ? perPositive(fwdPsh[row]!, fwdPsh[row]! + bwdPsh[row]!) : Number.NaN
    winFwd[row] = tcp && fwdWin[row]! >= 0 ? fwdWin[row]! : Number.NaN
    winBwd[row] = tcp && bwdWin[row]! >= 0 ? bwdWin[row]! : Number.NaN
  }
  return out
}
