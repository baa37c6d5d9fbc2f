/**
 * Link-layer decoding: where the IP header starts in a frame, and the outermost VLAN id.
 *
 * Holds: `findNetwork` for Ethernet (802.1Q, 802.1ad/QinQ, MPLS, PPPoE session), Linux SLL
 * and SLL2, raw IP (LINKTYPE_RAW 101, DLT_RAW 12/14, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229), BSD
 * NULL and LOOP (address family in either byte order; else an IPv4/IPv6 EtherType in the last two
 * bytes, as Wireshark reads it), PPP, Cisco HDLC, 802.11 data frames with LLC/SNAP (105, and behind
 * radiotap 127), PPI (192: its header skipped, the frame decoded by the link type PPI names),
 * and the firewall-log link types PFLOG (117, BSD pf) and NFLOG (239, Linux netfilter).
 * It writes into a small reusable result object and allocates nothing.
 * Does not hold: IP or transport decoding (see `packet-decoder.ts`).
 */
import { u16, u16le, u32, u32le } from "../hints/wire-fields.js"

export const LINK_OK = 0
/** the link type is not one this decoder knows */
export const LINK_UNSUPPORTED = 1
/** a known link type carrying something other than IPv4/IPv6 (ARP, LLDP, …) */
export const LINK_NON_IP = 2
/** the frame is too short for its link header */
export const LINK_SHORT = 3

export interface LinkResult {
  /** buffer index where the IP header starts */
  netStart: number
  /** 4, 6, or 0 for "look at the version nibble" */
  version: number
  /** outermost VLAN id, -1 when untagged */
  vlan: number
}

const ETH_IPV4 = 0x0800
const ETH_IPV6 = 0x86dd

/** the set of link types `findNetwork` understands */
export const SUPPORTED_LINK_TYPES: ReadonlySet<number> = new Set([0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 117, 127, 192, 228, 229, 239, 276])

/** Dispatch on an EtherType at `type`, payload at `at`; VLAN tags, MPLS and PPPoE are walked. */
export const ethertype = (buf: Buffer, type: number, at: number, end: number, out: LinkResult): number => {
  let t = type
  let o = at
  for (let tags = 0; t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200; tags++) {
    if (o + 4 > end || tags > 8) return LINK_SHORT
    if (out.vlan < 0) out.vlan = u16(buf, o) & 0x0fff
    t = u16(buf, o + 2)
    o += 4
  }
  if (t === ETH_IPV4 || t === ETH_IPV6) {
    out.netStart = o
    out.version = t === ETH_IPV4 ? 4 : 6
    return LINK_OK
  }
  if (t === 0x8847 || t === 0x8848) {
    // MPLS label stack: 4 bytes per label, bottom-of-stack bit in the third byte
    for (let labels = 0; labels < 16; labels++) {
      if (o + 4 > end) return LINK_SHORT
      const bottom = (buf[o + 2]! & 0x01) !== 0
      o += 4
      if (bottom) {
        out.netStart = o
        out.version = 0
        return LINK_OK
      }
    }
    return LINK_NON_IP
  }
  if (t === 0x8864) {
    if (o + 8 > end) return LINK_SHORT
    const ppp = u16(buf, o + 6)
    if (ppp !== 0x0021 && ppp !== 0x0057) return LINK_NON_IP
    out.netStart = o + 8
    out.version = ppp === 0x0021 ? 4 : 6
    return LINK_OK
  }
  return LINK_NON_IP
}

/**
 * An 802.11 data frame whose body is LLC/SNAP: the EtherType after it. Management and control
 * frames, data subtypes without a body and protected (encrypted) frames carry no IP to read.
 */
const ieee80211 = (buf: Buffer, start: number, end: number, out: LinkResult): number => {
  if (start + 24 > end) return LINK_SHORT
  const fc0 = buf[start]!
  const fc1 = buf[start + 1]!
  const subtype = fc0 >> 4
  if (((fc0 >> 2) & 3) !== 2 || (subtype & 0x4) !== 0 || (fc1 & 0x40) !== 0) return LINK_NON_IP
  let o = start + 24
  // both DS bits: a fourth address; QoS subtypes: QoS control, and HT control when Order is set
  if ((fc1 & 0x03) === 0x03) o += 6
  if ((subtype & 0x8) !== 0) o += (fc1 & 0x80) !== 0 ? 6 : 2
  if (o + 8 > end) return LINK_SHORT
  if (buf[o] !== 0xaa || buf[o + 1] !== 0xaa || buf[o + 2] !== 0x03) return LINK_NON_IP
  return ethertype(buf, u16(buf, o + 6), o + 8, end, out)
}

/**
 * The length of a radiotap or PPI header (version, flags or pad, length LE, …): at least 8 and
 * short of the frame's end; -1 when it is not.
 */
const headerLength = (buf: Buffer, start: number, caplen: number): number => {
  if (caplen < 8) return -1
  const length = u16le(buf, start + 2)
  return length < 8 || length >= caplen ? -1 : length
}

/** A PPP frame (address and control bytes optional, protocol field compressed or not) carrying IPv4/IPv6. */
export const ppp = (buf: Buffer, start: number, end: number, out: LinkResult): number => {
  let o = start
  if (o + 2 <= end && buf[o] === 0xff && buf[o + 1] === 0x03) o += 2
  if (o + 2 > end) return LINK_SHORT
  let proto = buf[o]!
  // protocol field compression: one byte when odd
  if ((proto & 1) === 0) {
    proto = u16(buf, o)
    o += 2
  } else o += 1
  if (proto !== 0x21 && proto !== 0x57) return LINK_NON_IP
  out.netStart = o
  out.version = proto === 0x21 ? 4 : 6
  return LINK_OK
}

const AF_INET6 = new Set([10, 24, 28, 30])

/**
 * PFLOG: a header whose first byte is its length (the packet starts at that length rounded up to
 * 4 bytes, as libpcap and tcpdump take it) and whose second is the address family.
 */
const pflog = (buf: Buffer, start: number, caplen: number, out: LinkResult): number => {
  if (caplen < 4) return LINK_SHORT
  const length = (buf[start]! + 3) & ~3
  if (length < 4 || length >= caplen) return LINK_SHORT
  const family = buf[start + 1]!
  out.netStart = start + length
  if (family === 2) out.version = 4
  else if (AF_INET6.has(family)) out.version = 6
  else return LINK_NON_IP
  return LINK_OK
}

const NFULA_PAYLOAD = 9

/**
 * NFLOG: family, version and resource id, then type-length-value attributes (length and type in
 * the capturing host's byte order: little-endian unless that does not fit and big-endian does,
 * as Wireshark guesses), each padded to 4 bytes; the packet is the payload attribute's value.
 */
const nflog = (buf: Buffer, start: number, caplen: number, out: LinkResult): number => {
  if (caplen < 4) return LINK_SHORT
  const end = start + caplen
  const family = buf[start]!
  if (family !== 2 && family !== 10) return LINK_NON_IP
  let little = true
  for (let o = start + 4, n = 0; o + 4 <= end && n < 64; n++) {
    let length = little ? u16le(buf, o) : u16(buf, o)
    if (n === 0 && (length < 4 || o + length > end) && u16(buf, o) >= 4 && o + u16(buf, o) <= end) {
      little = false
      length = u16(buf, o)
    }
    if (length < 4) return LINK_SHORT
    if (((little ? u16le(buf, o + 2) : u16(buf, o + 2)) & 0x7fff) === NFULA_PAYLOAD) {
      // a snaplen may cut the payload: the packet is read as far as it goes
      if (o + 4 >= end) return LINK_SHORT
      out.netStart = o + 4
      out.version = family === 2 ? 4 : 6
      return LINK_OK
    }
    if (o + length > end) return LINK_SHORT
    o += (length + 3) & ~3
  }
  return LINK_NON_IP
}

/** Where the network header of a frame starts. */
export const findNetwork = (buf: Buffer, start: number, caplen: number, linkType: number, out: LinkResult): number => {
  const end = start + caplen
  out.vlan = -1
  out.version = 0
  switch (linkType) {
    case 1: {
      if (caplen < 14) return LINK_SHORT
      return ethertype(buf, u16(buf, start + 12), start + 14, end, out)
    }
    case 113: {
      if (caplen < 16) return LINK_SHORT
      return ethertype(buf, u16(buf, start + 14), start + 16, end, out)
    }
    case 276: {
      if (caplen < 20) return LINK_SHORT
      return ethertype(buf, u16(buf, start), start + 20, end, out)
    }
    case 12:
    case 14:
    case 101:
      out.netStart = start
      return caplen < 1 ? LINK_SHORT : LINK_OK
    case 228:
    case 229:
      out.netStart = start
      out.version = linkType === 228 ? 4 : 6
      return caplen < 1 ? LINK_SHORT : LINK_OK
    case 0:
    case 108: {
      if (caplen < 4) return LINK_SHORT
      let family = u32le(buf, start)
      if (family > 0xffff) family = u32(buf, start)
      out.netStart = start + 4
      if (family === 2) out.version = 4
      else if (AF_INET6.has(family)) out.version = 6
      // not an address family: a header whose last two bytes hold the EtherType (network order)
      else if (u16(buf, start + 2) === ETH_IPV4) out.version = 4
      else if (u16(buf, start + 2) === ETH_IPV6) out.version = 6
      else return LINK_NON_IP
      return LINK_OK
    }
    case 105:
      return ieee80211(buf, start, end, out)
    case 117:
      return pflog(buf, start, caplen, out)
    case 239:
      return nflog(buf, start, caplen, out)
    case 127: {
      // radiotap: the 802.11 frame follows its header
      const length = headerLength(buf, start, caplen)
      return length < 0 ? LINK_SHORT : ieee80211(buf, start + length, end, out)
    }
    case 192: {
      // PPI: its header names the link type of the frame after it (LE)
      const length = headerLength(buf, start, caplen)
      if (length < 0) return LINK_SHORT
      const inner = u32le(buf, start + 4)
      return inner === 192 ? LINK_UNSUPPORTED : findNetwork(buf, start + length, caplen - length, inner, out)
    }
    case 9:
    case 50:
      return ppp(buf, start, end, out)
    case 104: {
      if (caplen < 4) return LINK_SHORT
      return ethertype(buf, u16(buf, start + 2), start + 4, end, out)
    }
    default:
      return LINK_UNSUPPORTED
  }
}
