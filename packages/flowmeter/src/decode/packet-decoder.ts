/**
 * Frame → flow-relevant fields: addresses, ports, protocol, lengths, TCP flags and window,
 * fragment identity, and where the transport payload lies.
 *
 * Holds: `Decoded` (one reusable object per meter) and `decodeFrame` for IPv4 (options,
 * fragments), IPv6 (hop-by-hop, routing, fragment, destination options, AH, mobility and shim6
 * headers), TCP, UDP, SCTP (ports), ICMP/ICMPv6 (no ports) and any other protocol
 * (protocol-only). Lengths come from the IP header, so a snaplen-cut frame still counts its
 * full size; `truncated` says so. Asked to, it looks inside tunnels (see `tunnel.ts`) and decodes
 * the innermost packet it can, keeping the outer one when the inner does not decode. Nothing is
 * allocated per packet.
 * Does not hold: the link layer (see `link.ts`) or anything about flows.
 */
import { findNetwork, LINK_NON_IP, LINK_OK, LINK_UNSUPPORTED, type LinkResult } from "./link.js"
import { innerNetwork } from "./tunnel.js"
import { u16, u32 } from "../hints/wire-fields.js"

export const DECODE_OK = 0
export const DECODE_UNSUPPORTED_LINK = 1
export const DECODE_NON_IP = 2
export const DECODE_MALFORMED = 3

export const FRAG_NONE = 0
/** offset 0 with more fragments to come: ports are here */
export const FRAG_FIRST = 1
/** offset > 0: no transport header */
export const FRAG_LATER = 2

export class Decoded implements LinkResult {
  netStart = 0
  version = 0
  vlan = -1
  /** big-endian address words; IPv4 uses word 0 only */
  readonly src = new Uint32Array(4)
  readonly dst = new Uint32Array(4)
  protocol = 0
  hasPorts = false
  srcPort = 0
  dstPort = 0
  /** IP total length from the header (what byte counts use) */
  ipLen = 0
  /** transport payload length from the header lengths */
  payloadLen = 0
  /** captured payload bytes [payloadStart, payloadEnd) in the buffer */
  payloadStart = 0
  payloadEnd = 0
  /** the TCP, UDP or ICMP checksum, 0 when not captured (it tells a repeated packet from a new one) */
  checksum = 0
  /** TCP flags byte, -1 when no TCP header was captured */
  tcpFlags = -1
  tcpWindow = -1
  fragment = FRAG_NONE
  fragId = 0
  /** protocol named where the fragmentation happened (IPv4 header, IPv6 fragment header) */
  fragProto = 0
  /** the frame was cut (snaplen) before the end of the IP packet */
  truncated = false
  /** tunnel layers looked inside: the fields above are the innermost packet's */
  tunnels = 0
}

/** tunnels inside tunnels are followed this deep at most */
export const MAX_TUNNEL_DEPTH = 4

const TCP = 6
const UDP = 17
const SCTP = 132
const GRE = 47
const IPIP = 4
const IPV6_IN_IP = 41
const ICMP = 1
const ICMP6 = 58

/** Transport fields from `t` (l4Len bytes by the header, captured up to capEnd). */
const transport = (buf: Buffer, t: number, l4Len: number, capEnd: number, d: Decoded): void => {
  const proto = d.protocol
  d.hasPorts = false
  d.srcPort = 0
  d.dstPort = 0
  d.tcpFlags = -1
  d.tcpWindow = -1
  d.checksum = 0
  let header: number
  if (proto === TCP || proto === UDP || proto === SCTP) {
    if (t + 4 <= capEnd) {
      d.hasPorts = true
      d.srcPort = u16(buf, t)
      d.dstPort = u16(buf, t + 2)
    } else d.truncated = true
    if (proto === TCP) {
      header = 20
      if (t + 13 <= capEnd) header = Math.max(20, (buf[t + 12]! >> 4) * 4)
      if (t + 14 <= capEnd) d.tcpFlags = buf[t + 13]!
      if (t + 16 <= capEnd) d.tcpWindow = u16(buf, t + 14)
      if (t + 18 <= capEnd) d.checksum = u16(buf, t + 16)
    } else {
      header = proto === UDP ? 8 : 12
      if (proto === UDP && t + 8 <= capEnd) d.checksum = u16(buf, t + 6)
    }
  } else if (proto === ICMP || proto === ICMP6) {
    header = 8
    if (t + 4 <= capEnd) d.checksum = u16(buf, t + 2)
  } else header = 0
  d.payloadLen = Math.max(0, l4Len - header)
  const start = Math.min(t + header, capEnd)
  d.payloadStart = start
  d.payloadEnd = Math.max(start, Math.min(capEnd, t + l4Len))
}

const ipv4 = (buf: Buffer, o: number, end: number, d: Decoded): number => {
  if (o + 20 > end) return DECODE_MALFORMED
  const ihl = (buf[o]! & 0x0f) * 4
  if (ihl < 20 || o + ihl > end) return DECODE_MALFORMED
  let total = u16(buf, o + 2)
  if (total === 0) total = end - o // segmentation offload writes 0
  if (total < ihl) return DECODE_MALFORMED
  d.ipLen = total
  d.truncated = o + total > end
  const capEnd = Math.min(end, o + total)
  d.protocol = buf[o + 9]!
  d.src[0] = u32(buf, o + 12)
  d.dst[0] = u32(buf, o + 16)
  d.src[1] = d.src[2] = d.src[3] = 0
  d.dst[1] = d.dst[2] = d.dst[3] = 0
  const ff = u16(buf, o + 6)
  const fragOffset = ff & 0x1fff
  d.fragId = u16(buf, o + 4)
  d.fragProto = d.protocol
  if (fragOffset !== 0) {
    d.fragment = FRAG_LATER
    d.hasPorts = false
    d.srcPort = d.dstPort = 0
    d.tcpFlags = d.tcpWindow = -1
    d.checksum = 0
    d.payloadLen = total - ihl
    d.payloadStart = d.payloadEnd = capEnd
    return DECODE_OK
  }
  d.fragment = (ff & 0x2000) !== 0 ? FRAG_FIRST : FRAG_NONE
  transport(buf, o + ihl, total - ihl, capEnd, d)
  return DECODE_OK
}

/**
 * A routing header with segments left names the packet's final destination, which replaces the
 * header's (the next hop): type 0 (RFC 2460) its last address, type 2 (Mobile IPv6) its one
 * address, type 4 (segment routing) segment list [0]. Zeek and Wireshark key connections the same
 * way, so both directions of a routed exchange meet in one flow.
 */
const finalDestination = (buf: Buffer, t: number, capEnd: number, d: Decoded): void => {
  const words = buf[t + 1]!
  if (t + 4 > capEnd || buf[t + 3]! === 0 || words < 2) return
  const type = buf[t + 2]!
  const at = type === 0 ? t + 8 + 16 * ((words >> 1) - 1) : type === 2 || type === 4 ? t + 8 : -1
  if (at < 0 || (type === 2 && words !== 2) || at + 16 > capEnd) return
  for (let i = 0; i < 4; i++) d.dst[i] = u32(buf, at + 4 * i)
}

const ipv6 = (buf: Buffer, o: number, end: number, d: Decoded): number => {
  if (o + 40 > end) return DECODE_MALFORMED
  const plen = u16(buf, o + 4)
  const total = plen === 0 ? end - o : 40 + plen
  d.ipLen = total
  d.truncated = o + total > end
  const capEnd = Math.min(end, o + total)
  for (let i = 0; i < 4; i++) {
    d.src[i] = u32(buf, o + 8 + 4 * i)
    d.dst[i] = u32(buf, o + 24 + 4 * i)
  }
  let nh = buf[o + 6]!
  let t = o + 40
  d.fragment = FRAG_NONE
  d.fragId = 0
  for (let n = 0; n < 16; n++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
      if (t + 2 > capEnd) break
      if (nh === 43) finalDestination(buf, t, capEnd, d)
      const next = buf[t]!
      t += (buf[t + 1]! + 1) * 8
      nh = next
      continue
    }
    if (nh === 51) {
      if (t + 2 > capEnd) break
      const next = buf[t]!
      t += (buf[t + 1]! + 2) * 4
      nh = next
      continue
    }
    if (nh === 44) {
      if (t + 8 > capEnd) break
      const next = buf[t]!
      const offFlags = u16(buf, t + 2)
      d.fragId = u32(buf, t + 4)
      d.fragProto = next
      t += 8
      nh = next
      if (offFlags >> 3 !== 0) {
        d.fragment = FRAG_LATER
        d.protocol = nh
        d.hasPorts = false
        d.srcPort = d.dstPort = 0
        d.tcpFlags = d.tcpWindow = -1
        d.checksum = 0
        d.payloadLen = Math.max(0, total - (t - o))
        d.payloadStart = d.payloadEnd = capEnd
        return DECODE_OK
      }
      if ((offFlags & 1) !== 0) d.fragment = FRAG_FIRST
      continue
    }
    break
  }
  d.protocol = nh
  if (t > o + total) {
    // extension headers claim more than the packet holds
    d.hasPorts = false
    d.srcPort = d.dstPort = 0
    d.tcpFlags = d.tcpWindow = -1
    d.checksum = 0
    d.payloadLen = 0
    d.payloadStart = d.payloadEnd = capEnd
    return DECODE_OK
  }
  transport(buf, t, total - (t - o), capEnd, d)
  return DECODE_OK
}

/** The IP packet at `o`; `hinted` is the version the layer below named (0: none). */
const network = (buf: Buffer, o: number, end: number, hinted: number, d: Decoded): number => {
  if (o >= end) return DECODE_MALFORMED
  const nibble = buf[o]! >> 4
  let version = hinted === 0 ? nibble : hinted
  if (version !== nibble) {
    // the link layer said one version, the header says another: trust a valid header
    if (nibble === 4 || nibble === 6) version = nibble
    else return DECODE_MALFORMED
  }
  d.version = version
  if (version === 4) return ipv4(buf, o, end, d)
  if (version === 6) return ipv6(buf, o, end, d)
  return hinted === 0 ? DECODE_NON_IP : DECODE_MALFORMED
}

/**
 * Replace a decoded tunnel packet by the packet inside it, as deep as tunnels go. A fragment
 * stays as it is (its tunnel payload is not whole), and so does a packet whose inner packet
 * does not decode: the outer one is decoded again and kept.
 */
const decapsulate = (buf: Buffer, frameEnd: number, d: Decoded): void => {
  let outerStart = d.netStart
  let outerVersion = d.version
  let outerEnd = frameEnd
  for (let depth = 0; depth < MAX_TUNNEL_DEPTH && d.fragment === FRAG_NONE; depth++) {
    const vlan = d.vlan
    const end = d.payloadEnd
    const found = innerNetwork(buf, d.protocol, d.srcPort, d.dstPort, d.payloadStart, end, d)
    if (found && network(buf, d.netStart, end, d.version, d) === DECODE_OK) {
      d.tunnels++
      outerStart = d.netStart
      outerVersion = d.version
      outerEnd = end
      continue
    }
    d.netStart = outerStart
    d.vlan = vlan
    d.version = outerVersion
    // the inner header may have been read into `d` in part: read the outer one again
    if (found) network(buf, outerStart, outerEnd, outerVersion, d)
    return
  }
}

/**
 * Decode one frame into `d`; the result says whether it is an IP packet the meter can use.
 * With `tunnels`, a tunnel packet is decoded as the packet it carries (`d.tunnels` counts the
 * layers removed).
 */
export const decodeFrame = (buf: Buffer, start: number, caplen: number, linkType: number, d: Decoded, tunnels = false): number => {
  d.tunnels = 0
  const link = findNetwork(buf, start, caplen, linkType, d)
  if (link !== LINK_OK) {
    if (link === LINK_UNSUPPORTED) return DECODE_UNSUPPORTED_LINK
    if (link === LINK_NON_IP) return DECODE_NON_IP
    return DECODE_MALFORMED
  }
  const end = start + caplen
  const status = network(buf, d.netStart, end, d.version, d)
  // only UDP, GRE and IP in IP can carry a tunnel this decoder opens: TCP and the rest go on at once
  if (status === DECODE_OK && tunnels && (d.protocol === UDP || d.protocol === GRE || d.protocol === IPIP || d.protocol === IPV6_IN_IP)) decapsulate(buf, end, d)
  return status
}
