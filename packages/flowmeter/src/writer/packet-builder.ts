/**
 * Packet builder: Ethernet (optionally 802.1Q) / IPv4 or IPv6 / TCP or UDP frames written into
 * one reusable Buffer, with correct IPv4 header and TCP/UDP checksums.
 *
 * Holds: `PacketBuilder`, whose public fields are the header values of the next frame (set
 * them, then build). Two ways to supply the payload: copy it in (`buildTcp(payload, …)`), or
 * write it straight into `frame` at `tcpPayloadOffset()` / `udpPayloadOffset()` and call
 * `finishTcp(length)` / `finishUdp(length)`. Nothing is allocated per packet.
 * Does not hold: deciding header values (sequence numbers, IP ids, TTLs: the caller's
 * simulation does that) or writing frames to a file (see `pcap-writer.ts`).
 */
import { foldChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from "./checksum.js"

export const ETHERTYPE_IPV4 = 0x0800
export const ETHERTYPE_IPV6 = 0x86dd
export const ETHERTYPE_VLAN = 0x8100
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17

/** TCP flag bits, as in the header's flags byte. */
export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_PSH = 0x08
export const TCP_ACK = 0x10
export const TCP_URG = 0x20
export const TCP_ECE = 0x40
export const TCP_CWR = 0x80

/** Largest payload a frame can carry here (IPv4 total length limit minus minimal headers). */
export const MAX_PAYLOAD = 65_535 - 20 - 20
const FRAME_CAPACITY = 14 + 4 + 40 + 60 + 65_535

/** "10.1.2.3" → unsigned 32-bit number; NaN when the text is not a dotted quad. */
export const parseIpv4 = (text: string): number => {
  const parts = text.split(".")
  if (parts.length !== 4) return Number.NaN
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return Number.NaN
    const octet = Number(part)
    if (octet > 255) return Number.NaN
    value = value * 256 + octet
  }
  return value
}

/** Unsigned 32-bit number → "10.1.2.3". */
export const formatIpv4 = (value: number): string =>
  `${(value >>> 24) & 0xff}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`

/** Parse an IPv6 address (with `::` compression) into 16 bytes; undefined when malformed. */
export const parseIpv6 = (text: string): Uint8Array | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const groups = (part: string): Array<number> | undefined => {
    if (part === "") return []
    const out: Array<number> = []
    for (const group of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined
      out.push(parseInt(group, 16))
    }
    return out
  }
  const head = groups(halves[0] ?? "")
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : []
  if (head === undefined || tail === undefined) return undefined
  const fill = 8 - head.length - tail.length
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  all.forEach((group, index) => {
    bytes[index * 2] = group >>> 8
    bytes[index * 2 + 1] = group & 0xff
  })
  return bytes
}

/** 16 bytes → RFC 5952 text (lower case, longest run of two or more zero groups as `::`). */
export const formatIpv6 = (bytes: Uint8Array): string => {
  const groups: Array<number> = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(":")
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`
}

/** "02:00:5e:10:00:01" → 6 bytes; undefined when malformed. */
export const parseMac = (text: string): Uint8Array | undefined => {
  const parts = text.split(":")
  if (parts.length !== 6 || parts.some((part) => !/^[0-9a-fA-F]{2}$/.test(part))) return undefined
  return Uint8Array.from(parts.map((part) => parseInt(part, 16)))
}

export class PacketBuilder {
  /** the frame being built; valid up to the length the last build returned */
  readonly frame: Buffer = Buffer.alloc(FRAME_CAPACITY)

  // ---- Ethernet
  readonly srcMac = new Uint8Array(6)
  readonly dstMac = new Uint8Array(6)
  /** 802.1Q VLAN id, or -1 for an untagged frame */
  vlanId = -1

  // ---- IP
  ipVersion: 4 | 6 = 4
  /** IPv4 addresses as unsigned 32-bit numbers */
  src4 = 0
  dst4 = 0
  /** IPv6 addresses */
  readonly src6 = new Uint8Array(16)
  readonly dst6 = new Uint8Array(16)
  /** IPv4 TTL or IPv6 hop limit */
  ttl = 64
  /** IPv4 identification */
  ipId = 0
  dontFragment = true
  /** IPv4 TOS / IPv6 traffic class */
  tos = 0
  /** IPv6 flow label (20 bits) */
  flowLabel = 0

  // ---- TCP / UDP
  srcPort = 0
  dstPort = 0
  seq = 0
  ack = 0
  flags = 0
  /** the window field as sent (already scaled down) */
  window = 0
  urgent = 0
  /** TCP option bytes (set `optionsLength`, a multiple of 4, at most 40) */
  readonly options = new Uint8Array(40)
  optionsLength = 0

  private linkHeaderLength(): number {
    return this.vlanId >= 0 ? 18 : 14
  }

  private ipHeaderLength(): number {
    return this.ipVersion === 4 ? 20 : 40
  }

  /** Where a TCP payload starts in `frame` for the current header values. */
  tcpPayloadOffset(): number {
    return this.linkHeaderLength() + this.ipHeaderLength() + 20 + this.optionsLength
  }

  /** Where a UDP payload starts in `frame` for the current header values. */
  udpPayloadOffset(): number {
    return this.linkHeaderLength() + this.ipHeaderLength() + 8
  }

  /** Copy `payload[offset, offset+length)` in and build a TCP frame; returns the frame length. */
  buildTcp(payload: Uint8Array | null, offset: number, length: number): number {
    if (payload !== null && length > 0) this.frame.set(payload.subarray(offset, offset + length), this.tcpPayloadOffset())
    return this.finishTcp(payload === null ? 0 : length)
  }

  /** Copy a payload in and build a UDP frame; returns the frame length. */
  buildUdp(payload: Uint8Array | null, offset: number, length: number): number {
    if (payload !== null && length > 0) this.frame.set(payload.subarray(offset, offset + length), this.udpPayloadOffset())
    return this.finishUdp(payload === null ? 0 : length)
  }

  /** Headers around a payload already written at `tcpPayloadOffset()`; returns the frame length. */
  finishTcp(payloadLength: number): number {
    const f = this.frame
    const l4 = this.linkHeaderLength() + this.ipHeaderLength()
    const tcpLength = 20 + this.optionsLength + payloadLength
    this.writeLinkAndIp(IPPROTO_TCP, tcpLength)
    f.writeUInt16BE(this.srcPort & 0xffff, l4)
    f.writeUInt16BE(this.dstPort & 0xffff, l4 + 2)
    f.writeUInt32BE(this.seq >>> 0, l4 + 4)
    f.writeUInt32BE(this.ack >>> 0, l4 + 8)
    f[l4 + 12] = ((20 + this.optionsLength) >> 2) << 4
    f[l4 + 13] = this.flags & 0xff
    f.writeUInt16BE(this.window & 0xffff, l4 + 14)
    f[l4 + 16] = 0
    f[l4 + 17] = 0
    f.writeUInt16BE(this.urgent & 0xffff, l4 + 18)
    if (this.optionsLength > 0) f.set(this.options.subarray(0, this.optionsLength), l4 + 20)
    const sum = sumWords(f, l4, tcpLength, this.pseudoSum(IPPROTO_TCP, tcpLength))
    f.writeUInt16BE(foldChecksum(sum), l4 + 16)
    return l4 + tcpLength
  }

  /** Headers around a payload already written at `udpPayloadOffset()`; returns the frame length. */
  finishUdp(payloadLength: number): number {
    const f = this.frame
    const l4 = this.linkHeaderLength() + this.ipHeaderLength()
    const udpLength = 8 + payloadLength
    this.writeLinkAndIp(IPPROTO_UDP, udpLength)
    f.writeUInt16BE(this.srcPort & 0xffff, l4)
    f.writeUInt16BE(this.dstPort & 0xffff, l4 + 2)
    f.writeUInt16BE(udpLength, l4 + 4)
    f[l4 + 6] = 0
    f[l4 + 7] = 0
    let checksum = foldChecksum(sumWords(f, l4, udpLength, this.pseudoSum(IPPROTO_UDP, udpLength)))
    // A computed 0 is sent as 0xffff (0 means "no checksum" in UDP over IPv4).
    if (checksum === 0) checksum = 0xffff
    f.writeUInt16BE(checksum, l4 + 6)
    return l4 + udpLength
  }

  private pseudoSum(protocol: number, length: number): number {
    return this.ipVersion === 4
      ? pseudoHeaderSum4(this.src4, this.dst4, protocol, length)
      : pseudoHeaderSum6(this.src6, this.dst6, protocol, length)
  }

  private writeLinkAndIp(protocol: number, l4Length: number): void {
    const f = this.frame
    f.set(this.dstMac, 0)
    f.set(this.srcMac, 6)
    let at = 12
    if (this.vlanId >= 0) {
      f.writeUInt16BE(ETHERTYPE_VLAN, 12)
      f.writeUInt16BE(this.vlanId & 0x0fff, 14)
      at = 16
    }
    f.writeUInt16BE(this.ipVersion === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6, at)
    const ip = at + 2
    if (this.ipVersion === 4) {
      f[ip] = 0x45
      f[ip + 1] = this.tos & 0xff
      f.writeUInt16BE(20 + l4Length, ip + 2)
      f.writeUInt16BE(this.ipId & 0xffff, ip + 4)
      f.writeUInt16BE(this.dontFragment ? 0x4000 : 0, ip + 6)
      f[ip + 8] = this.ttl & 0xff
      f[ip + 9] = protocol
      f[ip + 10] = 0
      f[ip + 11] = 0
      f.writeUInt32BE(this.src4 >>> 0, ip + 12)
      f.writeUInt32BE(this.dst4 >>> 0, ip + 16)
      f.writeUInt16BE(foldChecksum(sumWords(f, ip, 20)), ip + 10)
    } else {
      f.writeUInt32BE(((6 << 28) | ((this.tos & 0xff) << 20) | (this.flowLabel & 0xfffff)) >>> 0, ip)
      f.writeUInt16BE(l4Length, ip + 4)
      f[ip + 6] = protocol
      f[ip + 7] = this.ttl & 0xff
      f.set(this.src6, ip + 8)
      f.set(this.dst6, ip + 24)
    }
  }
}
