/**
 * Builds a large classic pcap by replaying a `PacketTemplate` round after round: every round is
 * shifted in time to follow the previous one, and from the second round on every IPv4/IPv6
 * address is remapped so each round's flows are distinct from the others'.
 *
 * Holds: `remapAddress` (checksum-neutral address rewrite), `writeReplicatedCapture` (the
 * streaming writer: one fixed 8 MiB buffer, sequential writes, so a multi-GB capture costs a
 * few MB of memory) and its result.
 * Does not hold: reading the source captures (`fixture-packets.ts`).
 *
 * The address rewrite adds k to the first 16-bit word of an address and subtracts k from the
 * second, in ones' complement arithmetic. The ones' complement sum of the address is unchanged,
 * so the IPv4 header checksum and the TCP/UDP checksums (whose pseudo-header holds the
 * addresses) stay valid without touching the payload, and the mapping is the same for both
 * directions of a connection, so bidirectional flows stay bidirectional.
 */
import { closeSync, openSync, writeSync } from "node:fs"
import type { PacketTemplate } from "./fixture-packets.js"

const onesAdd = (a: number, b: number): number => {
  const s = a + b
  return (s & 0xffff) + (s >>> 16)
}

/**
 * Rewrite the address at `at` (4 or 16 bytes) in place for round `k` (k = 0 leaves it).
 * Addresses with a 0x0000 or 0xffff word among the two rewritten ones (0.0.0.0, broadcast,
 * fe80::, ff02:: …) stay as they are: both are zero in ones' complement, so rewriting them
 * could map two addresses onto one.
 */
export const remapAddress = (buf: Uint8Array, at: number, k: number): void => {
  const key = k % 0xffff
  if (key === 0) return
  const w0 = ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0)
  const w1 = ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)
  if (w0 === 0 || w1 === 0 || w0 === 0xffff || w1 === 0xffff) return
  const n0 = onesAdd(w0, key)
  const n1 = onesAdd(w1, ~key & 0xffff)
  buf[at] = n0 >>> 8
  buf[at + 1] = n0 & 0xff
  buf[at + 2] = n1 >>> 8
  buf[at + 3] = n1 & 0xff
}

export interface ReplicaResult {
  readonly path: string
  readonly packets: number
  readonly bytes: number
  readonly rounds: number
  /** simulated seconds the capture spans */
  readonly spanS: number
}

export interface ReplicaTarget {
  /** stop after the round that reaches this many packets */
  readonly minPackets?: number
  /** stop after the round that reaches this many bytes */
  readonly minBytes?: number
  /** epoch second of the first packet (default 2023-11-14T22:13:20Z) */
  readonly startS?: number
}

const BUFFER_BYTES = 8 << 20

/**
 * Write `template` round after round into a new little-endian µs pcap at `path` until the
 * targets are met (both when both are given). Throws Node's I/O errors.
 */
export const writeReplicatedCapture = (path: string, template: PacketTemplate, target: ReplicaTarget): ReplicaResult => {
  if (template.packets === 0) throw new Error("no packets to replicate")
  const minPackets = target.minPackets ?? 0
  const minBytes = target.minBytes ?? 0
  const startUs = (target.startS ?? 1_700_000_000) * 1e6
  const fd = openSync(path, "w")
  const maxFrame = template.caplens.reduce((m, v) => Math.max(m, v), 0)
  const buf = Buffer.alloc(BUFFER_BYTES + 16 + maxFrame)
  buf.writeUInt32LE(0xa1b2c3d4, 0)
  buf.writeUInt16LE(2, 4)
  buf.writeUInt16LE(4, 6)
  buf.writeUInt32LE(262_144, 16)
  buf.writeUInt32LE(1, 20)
  let used = 24
  let bytes = 24
  let packets = 0
  let round = 0
  const flush = (): void => {
    let off = 0
    while (off < used) off += writeSync(fd, buf, off, used - off)
    used = 0
  }
  const { data, offsets, caplens, wireLengths, relUs, ipOffsets, ipVersions } = template
  try {
    while (packets < minPackets || bytes < minBytes) {
      const roundStartUs = startUs + round * template.roundUs
      for (let i = 0; i < template.packets; i++) {
        const caplen = caplens[i]!
        if (used + 16 + caplen > BUFFER_BYTES) flush()
        const t = roundStartUs + relUs[i]!
        const sec = Math.floor(t / 1e6)
        buf.writeUInt32LE(sec, used)
        buf.writeUInt32LE(Math.min(999_999, Math.floor(t - sec * 1e6)), used + 4)
        buf.writeUInt32LE(caplen, used + 8)
        buf.writeUInt32LE(wireLengths[i]!, used + 12)
        const frameAt = used + 16
        const src = offsets[i]!
        data.copy(buf, frameAt, src, src + caplen)
        const ip = ipOffsets[i]!
        if (ip >= 0 && round > 0) {
          const v = ipVersions[i]!
          const srcAddr = frameAt + ip + (v === 4 ? 12 : 8)
          const dstAddr = frameAt + ip + (v === 4 ? 16 : 24)
          remapAddress(buf, srcAddr, round)
          remapAddress(buf, dstAddr, round)
        }
        used = frameAt + caplen
        bytes += 16 + caplen
        packets++
      }
      round++
    }
    flush()
  } finally {
    closeSync(fd)
  }
  return { path, packets, bytes, rounds: round, spanS: (round * template.roundUs) / 1e6 }
}
