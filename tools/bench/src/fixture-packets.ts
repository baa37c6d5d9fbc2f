/**
 * Reads the packets of small real captures (classic pcap in either byte order and precision,
 * pcapng with per-interface timestamp resolution) into one in-memory template that the capture
 * builder replays many times.
 *
 * Holds: `readCapturePackets` (one file → frames with µs timestamps, Ethernet only) and
 * `PacketTemplate` (all frames of several files back to back in one Buffer, with typed arrays
 * of offsets, lengths, relative times and IP header positions).
 * Does not hold: the rewriting and writing of replicas (`replicate-capture.ts`). This is a
 * benchmark helper for trusted fixture files, not hashhound's capture reader: records it cannot
 * place (other link types, SPBs, truncated tails) are skipped and counted, never guessed.
 */
import { readFileSync } from "node:fs"

const LINKTYPE_ETHERNET = 1

export interface CapturePackets {
  readonly path: string
  /** frames as stored (caplen bytes each) */
  readonly frames: ReadonlyArray<Buffer>
  /** wire length of each frame */
  readonly wireLengths: ReadonlyArray<number>
  /** µs since the epoch (float; ns captures lose sub-µs precision) */
  readonly timesUs: ReadonlyArray<number>
  /** records skipped: non-Ethernet interfaces, simple packet blocks, a truncated tail */
  readonly skipped: number
}

interface Collected {
  frames: Array<Buffer>
  wireLengths: Array<number>
  timesUs: Array<number>
  skipped: number
}

const readClassic = (buf: Buffer, out: Collected): void => {
  const magic = buf.readUInt32LE(0)
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d
  const u32 = (at: number): number => (little ? buf.readUInt32LE(at) : buf.readUInt32BE(at))
  const nanos = magic === 0xa1b23c4d || buf.readUInt32BE(0) === 0xa1b23c4d
  const linkType = u32(20) & 0xffff
  let at = 24
  while (at + 16 <= buf.length) {
    const sec = u32(at)
    const frac = u32(at + 4)
    const caplen = u32(at + 8)
    const wire = u32(at + 12)
    if (at + 16 + caplen > buf.length) {
      out.skipped++
      break
    }
    if (linkType === LINKTYPE_ETHERNET) {
      out.frames.push(buf.subarray(at + 16, at + 16 + caplen))
      out.wireLengths.push(Math.max(wire, caplen))
      out.timesUs.push(sec * 1e6 + (nanos ? frac / 1000 : frac))
    } else out.skipped++
    at += 16 + caplen
  }
}

interface Interface {
  readonly linkType: number
  /** timestamp units per second */
  readonly unitsPerSecond: number
}

const interfaceOf = (buf: Buffer, at: number, total: number, little: boolean): Interface => {
  const linkType = little ? buf.readUInt16LE(at + 8) : buf.readUInt16BE(at + 8)
  let unitsPerSecond = 1e6
  let opt = at + 16
  const end = at + total - 4
  while (opt + 4 <= end) {
    const code = little ? buf.readUInt16LE(opt) : buf.readUInt16BE(opt)
    const len = little ? buf.readUInt16LE(opt + 2) : buf.readUInt16BE(opt + 2)
    if (code === 0) break
    if (code === 9 && len >= 1 && opt + 4 < end) {
      const r = buf[opt + 4] ?? 6
      unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r
    }
    opt += 4 + ((len + 3) & ~3)
  }
  return { linkType, unitsPerSecond }
}

const readPcapng = (buf: Buffer, out: Collected): void => {
  let little = true
  let interfaces: Array<Interface> = []
  let at = 0
  while (at + 12 <= buf.length) {
    const typeLE = buf.readUInt32LE(at)
    if (typeLE === 0x0a0d0d0a) {
      little = buf.readUInt32LE(at + 8) === 0x1a2b3c4d
      interfaces = []
    }
    const total = little ? buf.readUInt32LE(at + 4) : buf.readUInt32BE(at + 4)
    if (total < 12 || at + total > buf.length) {
      out.skipped++
      break
    }
    const type = little ? typeLE : buf.readUInt32BE(at)
    if (type === 1) interfaces.push(interfaceOf(buf, at, total, little))
    else if (type === 6) {
      const u32 = (o: number): number => (little ? buf.readUInt32LE(at + o) : buf.readUInt32BE(at + o))
      const iface = interfaces[u32(8)]
      const caplen = u32(20)
      const wire = u32(24)
      if (iface === undefined || iface.linkType !== LINKTYPE_ETHERNET || 28 + caplen > total) out.skipped++
      else {
        const units = u32(12) * 4294967296 + u32(16)
        out.frames.push(buf.subarray(at + 28, at + 28 + caplen))
        out.wireLengths.push(Math.max(wire, caplen))
        out.timesUs.push((units / iface.unitsPerSecond) * 1e6)
      }
    } else if (type === 3) out.skipped++
    at += total
  }
}

/** All Ethernet frames of one pcap or pcapng file, in file order. Throws on unreadable files. */
export const readCapturePackets = (path: string): CapturePackets => {
  const buf = readFileSync(path)
  const out: Collected = { frames: [], wireLengths: [], timesUs: [], skipped: 0 }
  if (buf.length >= 24) {
    const magicLE = buf.readUInt32LE(0)
    if (magicLE === 0x0a0d0d0a) readPcapng(buf, out)
    else if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(magicLE)) readClassic(buf, out)
    else throw new Error(`${path}: not a pcap or pcapng file`)
  }
  return { path, ...out }
}

/** Position of the IP header in an Ethernet frame (after up to two VLAN tags), or -1; and its version. */
export const ipHeaderOf = (frame: Uint8Array): { readonly offset: number; readonly version: 0 | 4 | 6 } => {
  let at = 12
  for (let tags = 0; tags < 3; tags++) {
    if (at + 2 > frame.length) return { offset: -1, version: 0 }
    const type = ((frame[at] ?? 0) << 8) | (frame[at + 1] ?? 0)
    if (type === 0x8100 || type === 0x88a8) {
      at += 4
      continue
    }
    const ip = at + 2
    if (type === 0x0800 && ip + 20 <= frame.length) return { offset: ip, version: 4 }
    if (type === 0x86dd && ip + 40 <= frame.length) return { offset: ip, version: 6 }
    return { offset: -1, version: 0 }
  }
  return { offset: -1, version: 0 }
}

/**
 * Frames of several captures laid end to end. `relUs[i]` is the time of frame i from the start
 * of one replay round: each file follows the previous one after `fileGapUs`, and gaps inside a
 * file are clamped to [0, maxGapUs] so captures whose clocks jump (years, in some fixtures) do
 * not stretch a round.
 */
export interface PacketTemplate {
  readonly data: Buffer
  readonly offsets: Uint32Array
  readonly caplens: Uint32Array
  readonly wireLengths: Uint32Array
  readonly relUs: Float64Array
  /** IP header offset within the frame, or -1 */
  readonly ipOffsets: Int32Array
  readonly ipVersions: Uint8Array
  /** µs from the start of one round to the start of the next */
  readonly roundUs: number
  readonly packets: number
  /** bytes one round adds to a classic pcap (record headers included) */
  readonly roundFileBytes: number
}

export const buildTemplate = (
  captures: ReadonlyArray<CapturePackets>,
  maxGapUs = 10_000_000,
  fileGapUs = 1_000_000
): PacketTemplate => {
  let packets = 0
  let bytes = 0
  for (const c of captures) {
    packets += c.frames.length
    for (const f of c.frames) bytes += f.length
  }
  const data = Buffer.alloc(bytes)
  const offsets = new Uint32Array(packets)
  const caplens = new Uint32Array(packets)
  const wireLengths = new Uint32Array(packets)
  const relUs = new Float64Array(packets)
  const ipOffsets = new Int32Array(packets)
  const ipVersions = new Uint8Array(packets)
  let i = 0
  let at = 0
  let clock = 0
  for (const c of captures) {
    let prev: number | undefined
    for (let j = 0; j < c.frames.length; j++) {
      const frame = c.frames[j]!
      const t = c.timesUs[j]!
      if (prev !== undefined) clock += Math.min(maxGapUs, Math.max(0, t - prev))
      prev = t
      frame.copy(data, at)
      offsets[i] = at
      caplens[i] = frame.length
      wireLengths[i] = c.wireLengths[j]!
      relUs[i] = clock
      const ip = ipHeaderOf(frame)
      ipOffsets[i] = ip.offset
      ipVersions[i] = ip.version
      at += frame.length
      i++
    }
    clock += fileGapUs
  }
  return { data, offsets, caplens, wireLengths, relUs, ipOffsets, ipVersions, roundUs: clock, packets, roundFileBytes: bytes + 16 * packets }
}
