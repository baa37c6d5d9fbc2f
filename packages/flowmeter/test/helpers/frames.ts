/**
 * Test support: hand-made frames and capture files (classic pcap in either byte order and
 * precision, pcapng with several interfaces), small enough to reason about byte by byte.
 *
 * Holds: IPv4/IPv6/TCP/UDP/ICMP packet builders, link-layer wrappers (Ethernet with VLAN
 * tags, Linux SLL/SLL2, BSD NULL/LOOP, 802.11 data frames, PPI and radiotap headers, PFLOG and
 * NFLOG), tunnel
 * headers (GRE and ERSPAN, VXLAN, GENEVE, GTP-U) and file writers returning Buffers.
 * Does not hold: checksums (the meter never checks them) or anything the meter could use.
 */

export const ip4 = (text: string): Buffer => Buffer.from(text.split(".").map(Number))

export const ip6 = (text: string): Buffer => {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined]
  const h = head === "" || head === undefined ? [] : head.split(":")
  const t = tail === undefined || tail === "" ? [] : tail.split(":")
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t]
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  return out
}

export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_PSH = 0x08
export const TCP_ACK = 0x10

export const tcp = (sport: number, dport: number, flags: number, payload: Buffer = Buffer.alloc(0), window = 65535, optionBytes = 0): Buffer => {
  const hl = 20 + optionBytes
  const b = Buffer.alloc(hl + payload.length)
  b.writeUInt16BE(sport, 0)
  b.writeUInt16BE(dport, 2)
  b.writeUInt32BE(1000, 4)
  b[12] = (hl / 4) << 4
  b[13] = flags
  b.writeUInt16BE(window, 14)
  for (let i = 20; i < hl; i++) b[i] = 1 // NOP options
  payload.copy(b, hl)
  return b
}

export const udp = (sport: number, dport: number, payload: Buffer = Buffer.alloc(0)): Buffer => {
  const b = Buffer.alloc(8 + payload.length)
  b.writeUInt16BE(sport, 0)
  b.writeUInt16BE(dport, 2)
  b.writeUInt16BE(8 + payload.length, 4)
  payload.copy(b, 8)
  return b
}

export const icmpEcho = (payload: Buffer = Buffer.alloc(0)): Buffer => {
  const b = Buffer.alloc(8 + payload.length)
  b[0] = 8
  payload.copy(b, 8)
  return b
}

export interface Ipv4Options {
  readonly id?: number
  readonly moreFragments?: boolean
  /** in 8-byte units */
  readonly fragOffset?: number
  /** bytes of IP options (padded to 4) */
  readonly options?: number
  /** overrides the total length field */
  readonly totalLength?: number
}

export const ipv4 = (src: string, dst: string, protocol: number, body: Buffer, o: Ipv4Options = {}): Buffer => {
  const ihl = 20 + (o.options ?? 0)
  const b = Buffer.alloc(ihl + body.length)
  b[0] = 0x40 | (ihl / 4)
  b.writeUInt16BE(o.totalLength ?? ihl + body.length, 2)
  b.writeUInt16BE(o.id ?? 1, 4)
  b.writeUInt16BE(((o.moreFragments ?? false) ? 0x2000 : 0) | (o.fragOffset ?? 0), 6)
  b[8] = 64
  b[9] = protocol
  ip4(src).copy(b, 12)
  ip4(dst).copy(b, 16)
  for (let i = 20; i < ihl; i++) b[i] = 1
  body.copy(b, ihl)
  return b
}

/** IPv6 with extension headers given as [next-header value, header bytes] in order. */
export const ipv6 = (src: string, dst: string, protocol: number, body: Buffer, ext: ReadonlyArray<readonly [number, Buffer]> = []): Buffer => {
  const parts: Array<Buffer> = []
  let first = protocol
  for (let i = ext.length - 1; i >= 0; i--) {
    const [type, header] = ext[i]!
    const h = Buffer.from(header)
    h[0] = first
    parts.unshift(h)
    first = type
  }
  const payload = Buffer.concat([...parts, body])
  const b = Buffer.alloc(40)
  b[0] = 0x60
  b.writeUInt16BE(payload.length, 4)
  b[6] = first
  b[7] = 64
  ip6(src).copy(b, 8)
  ip6(dst).copy(b, 24)
  return Buffer.concat([b, payload])
}

/** an 8-byte extension header (hop-by-hop, destination options, routing) */
export const ext8 = (): Buffer => Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])

/** IPv6 fragment header */
export const frag6 = (offset8: number, more: boolean, id: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeUInt16BE((offset8 << 3) | (more ? 1 : 0), 2)
  b.writeUInt32BE(id, 4)
  return b
}

export const ether = (network: Buffer, ethertype = 0x0800, vlans: ReadonlyArray<readonly [number, number]> = []): Buffer => {
  const head = Buffer.alloc(12)
  head.fill(0xaa, 0, 6)
  head.fill(0xbb, 6, 12)
  const tags = vlans.map(([tpid, id]) => {
    const t = Buffer.alloc(4)
    t.writeUInt16BE(tpid, 0)
    t.writeUInt16BE(id, 2)
    return t
  })
  const type = Buffer.alloc(2)
  type.writeUInt16BE(ethertype)
  // tags go between the addresses and the type: each tag's TPID is followed by its TCI
  const out: Array<Buffer> = [head]
  for (const t of tags) out.push(t)
  out.push(type, network)
  return Buffer.concat(out)
}

export const sll = (network: Buffer, protocol = 0x0800): Buffer => {
  const h = Buffer.alloc(16)
  h.writeUInt16BE(0, 0)
  h.writeUInt16BE(1, 2)
  h.writeUInt16BE(6, 4)
  h.writeUInt16BE(protocol, 14)
  return Buffer.concat([h, network])
}

export const sll2 = (network: Buffer, protocol = 0x0800): Buffer => {
  const h = Buffer.alloc(20)
  h.writeUInt16BE(protocol, 0)
  h.writeUInt32BE(2, 4)
  h.writeUInt16BE(1, 8)
  h[11] = 6
  return Buffer.concat([h, network])
}

export const nullLink = (network: Buffer, family: number, littleEndian: boolean): Buffer => {
  const h = Buffer.alloc(4)
  if (littleEndian) h.writeUInt32LE(family)
  else h.writeUInt32BE(family)
  return Buffer.concat([h, network])
}

export interface WifiOptions {
  /** frame type: 2 (data, the default), 0 management, 1 control */
  readonly type?: number
  /** the EtherType in the LLC/SNAP header (IPv4 by default) */
  readonly ethertype?: number
  /** header bytes added (or, negative, removed) where the flags put the LLC/SNAP header */
  readonly sizeOffset?: number
}

/**
 * An 802.11 frame: frame control (type, subtype, flags), three addresses (four when both DS bits
 * are set), QoS control for QoS subtypes (and HT control when Order is set), LLC/SNAP, `network`.
 */
export const wifi = (subtype: number, flags: number, network: Buffer, o: WifiOptions = {}): Buffer => {
  const addresses = (flags & 0x03) === 0x03 ? 30 : 24
  const qos = (subtype & 0x8) !== 0 ? ((flags & 0x80) !== 0 ? 6 : 2) : 0
  const size = Math.max(2, addresses + qos + (o.sizeOffset ?? 0))
  const ethertype = o.ethertype ?? 0x0800
  const head = Buffer.alloc(size + 8)
  head[0] = (subtype << 4) | ((o.type ?? 2) << 2)
  head[1] = flags
  Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, ethertype >> 8, ethertype & 0xff]).copy(head, size)
  return Buffer.concat([head, network])
}

/** A length-prefixed header (PPI, radiotap: version, flags, length LE, then 4 bytes) that says `length`; at least 8 bytes. */
const lengthPrefixed = (word: number, frame: Buffer, length: number): Buffer => {
  const head = Buffer.alloc(Math.max(8, length))
  head.writeUInt16LE(length, 2)
  head.writeUInt32LE(word, 4)
  return Buffer.concat([head, frame])
}

/** A PPI header naming link type `inner`, before `frame`. */
export const ppi = (inner: number, frame: Buffer, length = 8): Buffer => lengthPrefixed(inner, frame, length)

/** A radiotap header with no fields present, before an 802.11 `frame`. */
export const radiotap = (frame: Buffer, length = 8): Buffer => lengthPrefixed(0, frame, length)

/** A PFLOG header of `length` bytes (the packet follows at `length` rounded up to 4) for address family `family`. */
export const pflog = (family: number, packet: Buffer, length = 61): Buffer => {
  const head = Buffer.alloc(Math.max(4, (length + 3) & ~3))
  head[0] = length
  head[1] = family
  if (head.length >= 20) head.write("em0", 4, "latin1") // the interface name
  return Buffer.concat([head, packet])
}

/** NFLOG: its header, then the given type-length-value attributes (length and type in that byte order), each padded to 4. */
export const nflog = (family: number, attributes: ReadonlyArray<readonly [number, Buffer]>, littleEndian = true): Buffer => {
  const parts: Array<Buffer> = [Buffer.from([family, 0, 0, 1])]
  for (const [type, value] of attributes) {
    const tlv = Buffer.alloc((4 + value.length + 3) & ~3)
    if (littleEndian) {
      tlv.writeUInt16LE(4 + value.length, 0)
      tlv.writeUInt16LE(type, 2)
    } else {
      tlv.writeUInt16BE(4 + value.length, 0)
      tlv.writeUInt16BE(type, 2)
    }
    value.copy(tlv, 4)
    parts.push(tlv)
  }
  return Buffer.concat(parts)
}

// ---------------------------------------------------------------- tunnels

export interface GreOptions {
  /** 0 (RFC 2784/2890, the default) or 1 (PPTP's enhanced GRE) */
  readonly version?: number
  readonly checksum?: boolean
  readonly key?: boolean
  readonly sequence?: boolean
  /** version 1: an acknowledgement number */
  readonly ack?: boolean
}

/** A GRE header with protocol type `protocol` before `inner`; each optional field is 4 bytes. */
export const gre = (protocol: number, inner: Buffer, o: GreOptions = {}): Buffer => {
  const fields = [o.checksum, o.key, o.sequence, o.ack].filter((set) => set === true).length
  const b = Buffer.alloc(4 + 4 * fields)
  const flags = (o.checksum === true ? 0x8000 : 0) | (o.key === true ? 0x2000 : 0) | (o.sequence === true ? 0x1000 : 0) | (o.ack === true ? 0x0080 : 0)
  b.writeUInt16BE(flags | (o.version ?? 0), 0)
  b.writeUInt16BE(protocol, 2)
  if (o.key === true && o.version === 1) b.writeUInt16BE(inner.length, 4)
  return Buffer.concat([b, inner])
}

/** ERSPAN type II's 8-byte header (the GRE header before it carries a sequence number). */
export const erspan2 = (frame: Buffer): Buffer => Buffer.concat([Buffer.from([0x10, 0x01, 0x00, 0x64, 0, 0, 0, 0]), frame])

/** ERSPAN type III's 12-byte header, and the 8-byte platform subheader when `subheader`. */
export const erspan3 = (frame: Buffer, subheader = false): Buffer => {
  const b = Buffer.alloc(subheader ? 20 : 12)
  b[0] = 0x20
  if (subheader) b[11] = 0x01
  return Buffer.concat([b, frame])
}

/** A VXLAN header (I flag set, network id `vni`) before an Ethernet `frame`. */
export const vxlan = (frame: Buffer, vni = 42, flags = 0x08): Buffer => {
  const b = Buffer.alloc(8)
  b[0] = flags
  b.writeUIntBE(vni, 4, 3)
  return Buffer.concat([b, frame])
}

/** A GENEVE header with `optionBytes` of options (a multiple of 4) and protocol type `protocol`. */
export const geneve = (protocol: number, inner: Buffer, optionBytes = 0): Buffer => {
  const b = Buffer.alloc(8 + optionBytes)
  b[0] = optionBytes / 4
  b.writeUInt16BE(protocol, 2)
  return Buffer.concat([b, inner])
}

export interface GtpOptions {
  /** message type (255, the default: G-PDU) */
  readonly type?: number
  /** the sequence number field (S flag) */
  readonly sequence?: boolean
  /** one extension header (E flag) */
  readonly extension?: boolean
}

/** A GTP-U version 1 header before `inner`: 8 bytes, 4 more with S or E, and the extension header. */
export const gtpU = (inner: Buffer, o: GtpOptions = {}): Buffer => {
  const extension = o.extension === true
  const b = Buffer.alloc(extension ? 16 : o.sequence === true ? 12 : 8)
  b[0] = 0x30 | (extension ? 0x04 : 0) | (o.sequence === true ? 0x02 : 0)
  b[1] = o.type ?? 0xff
  b.writeUInt32BE(0x1234, 4)
  if (extension) {
    b[11] = 0x85 // PDU session container: 1 unit of 4 bytes, then no further header
    b[12] = 1
  }
  b.writeUInt16BE(b.length - 8 + inner.length, 2)
  return Buffer.concat([b, inner])
}

export interface Rec {
  /** seconds since the epoch (fractions allowed, µs precision) */
  readonly t: number
  readonly frame: Buffer
  /** captured length when shorter than the frame (snaplen) */
  readonly caplen?: number
}

export interface PcapOptions {
  readonly littleEndian?: boolean
  readonly nano?: boolean
  readonly linkType?: number
  readonly snaplen?: number
}

export const pcap = (records: ReadonlyArray<Rec>, o: PcapOptions = {}): Buffer => {
  const le = o.littleEndian ?? true
  const w32 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt32LE(v >>> 0, at)
    else b.writeUInt32BE(v >>> 0, at)
  }
  const w16 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt16LE(v, at)
    else b.writeUInt16BE(v, at)
  }
  const header = Buffer.alloc(24)
  w32(header, o.nano === true ? 0xa1b23c4d : 0xa1b2c3d4, 0)
  w16(header, 2, 4)
  w16(header, 4, 6)
  w32(header, o.snaplen ?? 262144, 16)
  w32(header, o.linkType ?? 1, 20)
  const parts: Array<Buffer> = [header]
  for (const r of records) {
    const caplen = Math.min(r.caplen ?? r.frame.length, r.frame.length)
    const h = Buffer.alloc(16)
    const sec = Math.floor(r.t)
    const us = Math.round((r.t - sec) * 1e6)
    w32(h, sec, 0)
    w32(h, o.nano === true ? us * 1000 : us, 4)
    w32(h, caplen, 8)
    w32(h, r.frame.length, 12)
    parts.push(h, r.frame.subarray(0, caplen))
  }
  return Buffer.concat(parts)
}

// ---------------------------------------------------------------- pcapng

const pad4 = (n: number): number => (n + 3) & ~3

export class PcapngWriter {
  private readonly parts: Array<Buffer> = []
  constructor(private le = true) {}

  private block(type: number, body: Buffer): this {
    const len = 12 + pad4(body.length)
    const b = Buffer.alloc(len)
    const w = (v: number, at: number): void => {
      if (this.le) b.writeUInt32LE(v >>> 0, at)
      else b.writeUInt32BE(v >>> 0, at)
    }
    w(type, 0)
    w(len, 4)
    body.copy(b, 8)
    w(len, len - 4)
    this.parts.push(b)
    return this
  }

  private u32(v: number): Buffer {
    const b = Buffer.alloc(4)
    if (this.le) b.writeUInt32LE(v >>> 0)
    else b.writeUInt32BE(v >>> 0)
    return b
  }

  private u16(v: number): Buffer {
    const b = Buffer.alloc(2)
    if (this.le) b.writeUInt16LE(v)
    else b.writeUInt16BE(v)
    return b
  }

  /** a new section in the given byte order */
  shb(littleEndian = this.le): this {
    this.le = littleEndian
    const body = Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])])
    return this.block(0x0a0d0d0a, body)
  }

  /** an interface; `tsresol` is the raw option byte, `tsoffset` seconds */
  idb(linkType: number, o: { snaplen?: number; tsresol?: number; tsoffset?: number } = {}): this {
    const opts: Array<Buffer> = []
    if (o.tsresol !== undefined) opts.push(this.u16(9), this.u16(1), Buffer.from([o.tsresol, 0, 0, 0]))
    if (o.tsoffset !== undefined) {
      const v = Buffer.alloc(8)
      if (this.le) v.writeBigInt64LE(BigInt(o.tsoffset))
      else v.writeBigInt64BE(BigInt(o.tsoffset))
      opts.push(this.u16(14), this.u16(8), v)
    }
    if (opts.length > 0) opts.push(this.u16(0), this.u16(0))
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(o.snaplen ?? 0), ...opts]))
  }

  /** an EPB; `ticks` in the interface's resolution units */
  epb(iface: number, ticks: bigint, frame: Buffer, caplen = frame.length): this {
    const data = Buffer.alloc(pad4(caplen))
    frame.copy(data, 0, 0, caplen)
    return this.block(
      6,
      Buffer.concat([this.u32(iface), this.u32(Number(ticks >> 32n)), this.u32(Number(ticks & 0xffffffffn)), this.u32(caplen), this.u32(frame.length), data])
    )
  }

  spb(frame: Buffer): this {
    const data = Buffer.alloc(pad4(frame.length))
    frame.copy(data)
    return this.block(3, Buffer.concat([this.u32(frame.length), data]))
  }

  /** an obsolete Packet Block */
  pb(iface: number, ticks: bigint, frame: Buffer): this {
    const data = Buffer.alloc(pad4(frame.length))
    frame.copy(data)
    return this.block(
      2,
      Buffer.concat([this.u16(iface), this.u16(0), this.u32(Number(ticks >> 32n)), this.u32(Number(ticks & 0xffffffffn)), this.u32(frame.length), this.u32(frame.length), data])
    )
  }

  /** any other block (unknown types are skipped by readers) */
  other(type: number, body: Buffer): this {
    return this.block(type, body)
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes)
    return this
  }

  finish(): Buffer {
    return Buffer.concat(this.parts)
  }
}
