/**
 * Copies: a packet the capture holds twice (a mirror of both directions of a link, or
 * `tcpdump -i any` on a bridge and its port), the copy within 1 ms of the original.
 *
 * Holds: `mayBeCopy` (which packets are looked at), `packetSignature` (addresses, ports, protocol, VLAN, IP length, IPv4 ID or IPv6
 * fragment id, transport checksum, TCP flags, payload length and the first 16 payload bytes mixed
 * into 32 bits; never 0: the payload bytes tell apart the same-length datagrams a sending host
 * captures with IP ID 0 and an offloaded, not yet filled, checksum) and
 * `DuplicateFilter`, a direct-mapped table of the signatures of recent packets with their times:
 * `isCopy` asks whether a packet with this signature was recorded within the window, `record`
 * notes one. Packets between an original and its copy can take its bucket, so a copy is now and
 * then missed (a busy capture with copies far apart), never invented. `live`/`restore` carry the
 * entries still inside the window through a checkpoint.
 * Does not hold: what the meter does with a copy (count it, keep or drop it, keep it from the
 * hint parsers: flow-meter.ts). It allocates only its table, once.
 */
import { type Decoded, FRAG_NONE } from "../decode/packet-decoder.js"

/** A copy follows its original within this (µs). */
export const DUPLICATE_WINDOW_US = 1000

const BUCKETS = 1 << 14

const mix = (h: number, v: number): number => Math.imul(h ^ v, 0x9e3779b1) ^ (h >>> 15)

/**
 * Packets that may be taken for copies: not fragments, and not those a host may send identical
 * on its own: TCP resets (one for each late segment, all alike) and empty packets without an IP
 * ID to tell them apart (IPv4 with ID 0, as a kernel's acknowledgements without a socket; every
 * empty IPv6 packet, such as two alike acknowledgements).
 */
export const mayBeCopy = (d: Decoded): boolean =>
  d.fragment === FRAG_NONE && !(d.tcpFlags >= 0 && (d.tcpFlags & 0x04) !== 0) && !(d.payloadLen === 0 && (d.version === 6 || d.fragId === 0))

/** payload bytes a signature takes in */
const PAYLOAD_BYTES = 16

export const packetSignature = (d: Decoded, buf: Uint8Array): number => {
  let h = mix(0x2545f491, (d.version << 24) | (d.protocol << 16) | ((d.vlan + 1) & 0xffff))
  for (let w = 0; w < 4; w++) h = mix(mix(h, d.src[w]!), d.dst[w]!)
  h = mix(h, d.hasPorts ? (d.srcPort << 16) | d.dstPort : 0)
  h = mix(h, d.ipLen)
  h = mix(h, d.fragId)
  h = mix(h, (d.checksum << 8) | (d.tcpFlags & 0xff))
  h = mix(h, d.payloadLen)
  const n = Math.min(PAYLOAD_BYTES, d.payloadEnd - d.payloadStart)
  for (let i = 0; i < n; i++) h = Math.imul(h ^ buf[d.payloadStart + i]!, 0x01000193)
  return (h ^ (h >>> 13)) | 1
}

export class DuplicateFilter {
  private readonly sigs = new Int32Array(BUCKETS)
  private readonly times = new Float64Array(BUCKETS)

  /** Was a packet with signature `sig` recorded within the window before `ts`? */
  isCopy(sig: number, ts: number): boolean {
    const b = sig & (BUCKETS - 1)
    return this.sigs[b] === sig && ts - this.times[b]! <= DUPLICATE_WINDOW_US
  }

  record(sig: number, ts: number): void {
    const b = sig & (BUCKETS - 1)
    this.sigs[b] = sig
    this.times[b] = ts
  }

  /** The entries a packet at `clock` or later can still match: [signature, time] pairs. */
  live(clock: number): Array<readonly [number, number]> {
    const out: Array<readonly [number, number]> = []
    for (let b = 0; b < BUCKETS; b++) {
      if (this.sigs[b] !== 0 && clock - this.times[b]! <= DUPLICATE_WINDOW_US) out.push([this.sigs[b]!, this.times[b]!])
    }
    return out
  }

  restore(entries: ReadonlyArray<readonly [number, number]>): void {
    for (const [sig, ts] of entries) this.record(sig, ts)
  }
}
