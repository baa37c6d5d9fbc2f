/**
 * Test support: cut a capture into the pieces a rotating capture would have written, at packet
 * boundaries, each piece a whole capture file of its own (tcpdump `-C` and dumpcap `-b` cut so).
 *
 * Holds: `packetCount` and `splitCapture` (classic pcap: the file header again in front of each
 * piece; pcapng: the section header and the interface blocks seen so far in front of each piece).
 * Does not hold: gzip (compress the pieces after) or damaged input (the walk trusts the lengths).
 */

interface Walk {
  /** the bytes every piece starts with, as they stand just before packet `i` */
  readonly headAt: (i: number) => Buffer
  /** [start, end) of each packet record or block */
  readonly packets: ReadonlyArray<readonly [number, number]>
}

const walkPcap = (bytes: Buffer): Walk => {
  const le = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d
  const packets: Array<readonly [number, number]> = []
  for (let at = 24; at + 16 <= bytes.length; ) {
    const incl = le ? bytes.readUInt32LE(at + 8) : bytes.readUInt32BE(at + 8)
    const end = Math.min(bytes.length, at + 16 + incl)
    packets.push([at, end])
    at = end
  }
  const header = bytes.subarray(0, 24)
  return { headAt: () => header, packets }
}

const SHB = 0x0a0d0d0a
const IDB = 1
const PACKET_BLOCKS = new Set([2, 3, 6])

const walkPcapng = (bytes: Buffer): Walk => {
  const packets: Array<readonly [number, number]> = []
  /** per packet: the section header and interface blocks before it */
  const heads: Array<Buffer> = []
  let head: Array<Buffer> = []
  let le = true
  for (let at = 0; at + 12 <= bytes.length; ) {
    const type = bytes.readUInt32LE(at)
    if (type === SHB) le = bytes.readUInt32LE(at + 8) === 0x1a2b3c4d
    const length = le ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4)
    const kind = le ? type : bytes.readUInt32BE(at)
    const block = bytes.subarray(at, at + length)
    if (type === SHB) head = [block]
    else if (kind === IDB) head = [...head, block]
    else if (PACKET_BLOCKS.has(kind)) {
      packets.push([at, at + length])
      heads.push(Buffer.concat(head))
    }
    at += length
  }
  return { headAt: (i) => heads[i] ?? Buffer.alloc(0), packets }
}

const walk = (bytes: Buffer): Walk => (bytes.readUInt32LE(0) === SHB ? walkPcapng(bytes) : walkPcap(bytes))

/** How many packet records or blocks a capture holds. */
export const packetCount = (bytes: Buffer): number => walk(bytes).packets.length

/**
 * The capture cut before each packet index in `cuts` (ascending): `cuts.length + 1` pieces, each
 * with what a reader needs in front of its packets. Blocks other than packets and interfaces
 * (statistics, name resolution) are left out.
 */
export const splitCapture = (bytes: Buffer, cuts: ReadonlyArray<number>): Array<Buffer> => {
  const { headAt, packets } = walk(bytes)
  const bounds = [0, ...cuts, packets.length]
  const pieces: Array<Buffer> = []
  for (let p = 0; p + 1 < bounds.length; p++) {
    const from = bounds[p]!
    const to = bounds[p + 1]!
    const records = packets.slice(from, to).map(([start, end]) => bytes.subarray(start, end))
    pieces.push(Buffer.concat([headAt(from), ...records]))
  }
  return pieces
}

/** `n` cut points spread over a capture of `count` packets. */
export const evenCuts = (count: number, n: number): Array<number> =>
  Array.from({ length: n }, (_, i) => Math.max(1, Math.round(((i + 1) * count) / (n + 1))))
