/**
 * Volume measurements over flow batches: counts behind the shares qc.volume judges, and
 * quantile sketches of bytes, packets and duration per flow.
 *
 * Holds: `VolumeTally` (add a batch, no allocation per row beyond the column reads), the shares
 * it yields (`zero_payload_share`, `single_packet_share`, `unanswered_share`) and the
 * distribution quantiles reported as metrics.
 * Does not hold: thresholds or findings (see `index.ts`).
 */
import { readNumeric, type FlowBatch } from "@hashhound/core"
import { QuantileSketch } from "./quantile-sketch.js"

export interface VolumeShare {
  /** rows where the share could be measured */
  readonly measured: number
  /** rows that have the property */
  readonly hits: number
}

export const shareValue = (share: VolumeShare): number => (share.measured === 0 ? Number.NaN : share.hits / share.measured)

/** Running counts over batches. */
export class VolumeTally {
  flows = 0
  /** flows with fwd+bwd payload bytes = 0 (payload columns present) */
  zeroPayload = { measured: 0, hits: 0 }
  /** flows with exactly one packet in total */
  singlePacket = { measured: 0, hits: 0 }
  /** flows with forward packets but no backward packet */
  unanswered = { measured: 0, hits: 0 }
  readonly bytes = new QuantileSketch()
  readonly packets = new QuantileSketch()
  readonly duration = new QuantileSketch()

  add(batch: FlowBatch): void {
    const rows = batch.numRows
    this.flows += rows
    const fwdPackets = readNumeric(batch, "fwd_packets")
    const bwdPackets = readNumeric(batch, "bwd_packets")
    const fwdBytes = readNumeric(batch, "fwd_bytes")
    const bwdBytes = readNumeric(batch, "bwd_bytes")
    const fwdPayload = readNumeric(batch, "fwd_payload_bytes")
    const bwdPayload = readNumeric(batch, "bwd_payload_bytes")
    const duration = readNumeric(batch, "duration_s")
    for (let row = 0; row < rows; row++) {
      const fp = fwdPackets?.[row] ?? Number.NaN
      const bp = bwdPackets?.[row] ?? Number.NaN
      if (!Number.isNaN(fp) || !Number.isNaN(bp)) {
        const packets = (Number.isNaN(fp) ? 0 : fp) + (Number.isNaN(bp) ? 0 : bp)
        this.singlePacket.measured++
        if (packets === 1) this.singlePacket.hits++
        this.packets.add(packets)
      }
      if (!Number.isNaN(fp) && !Number.isNaN(bp) && fp > 0) {
        this.unanswered.measured++
        if (bp === 0) this.unanswered.hits++
      }
      const fb = fwdBytes?.[row] ?? Number.NaN
      const bb = bwdBytes?.[row] ?? Number.NaN
      if (!Number.isNaN(fb) || !Number.isNaN(bb)) this.bytes.add((Number.isNaN(fb) ? 0 : fb) + (Number.isNaN(bb) ? 0 : bb))
      const fpl = fwdPayload?.[row] ?? Number.NaN
      const bpl = bwdPayload?.[row] ?? Number.NaN
      if (!Number.isNaN(fpl) || !Number.isNaN(bpl)) {
        this.zeroPayload.measured++
        if ((Number.isNaN(fpl) ? 0 : fpl) + (Number.isNaN(bpl) ? 0 : bpl) === 0) this.zeroPayload.hits++
      }
      const d = duration?.[row] ?? Number.NaN
      if (!Number.isNaN(d)) this.duration.add(d)
    }
  }
}

/** The quantiles reported per distribution. */
export const QUANTILES: ReadonlyArray<readonly [name: string, q: number]> = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p99", 0.99],
  ["max", 1]
]
