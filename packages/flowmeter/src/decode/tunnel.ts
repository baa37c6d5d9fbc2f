/**
 * Tunnels: where the packet carried inside a tunnel starts.
 *
 * Holds: `innerNetwork`, which looks at a decoded outer packet's transport payload and, when it
 * is a tunnel this module knows, writes where the inner packet's network header starts (and its
 * IP version where the tunnel names it) into the LinkResult the link layer uses:
 * - GRE (IP protocol 47), version 0 with IPv4, IPv6, Ethernet (transparent bridging) or ERSPAN
 *   types I, II and III inside, and version 1 (PPTP's enhanced GRE) carrying PPP;
 * - IP in IP: IPv4 (protocol 4) and IPv6 (41) inside either;
 * - over UDP, by port (either side): VXLAN (4789, and 8472, the Linux kernel's default that
 *   flannel and Cilium use), GENEVE (6081) and GTP-U (2152), each only when its header is well
 *   formed (VXLAN's I flag, GENEVE version 0, GTP version 1 G-PDU).
 * It reads only captured bytes and allocates nothing.
 * Does not hold: decoding the inner packet (`packet-decoder.ts` decodes it as any packet, and
 * keeps the outer one when the inner does not decode), fragments of a tunnel packet (they need
 * reassembly; the meter keeps them in the outer flow), or keying on a tunnel id (VNI, TEID).
 */
import { ethertype, LINK_OK, ppp, type LinkResult } from "./link.js"
import { u16 } from "../hints/wire-fields.js"

const GRE = 47
const IPIP = 4
const IPV6_IN_IP = 41
const UDP = 17

const VXLAN_PORT = 4789
const VXLAN_LINUX_PORT = 8472
const GENEVE_PORT = 6081
const GTP_U_PORT = 2152

const ETH_BRIDGED = 0x6558
const ETH_IPV4 = 0x0800
const ETH_IPV6 = 0x86dd
const ERSPAN_1_2 = 0x88be
const ERSPAN_3 = 0x22eb
const PPP_GRE = 0x880b

/** An Ethernet frame at `o` (inside a tunnel). */
const ethernet = (buf: Buffer, o: number, end: number, out: LinkResult): boolean =>
  o + 14 <= end && ethertype(buf, u16(buf, o + 12), o + 14, end, out) === LINK_OK

/** An IP packet at `o`, of `version` (0: the version nibble says). */
const ip = (o: number, end: number, version: number, out: LinkResult): boolean => {
  if (o >= end) return false
  out.netStart = o
  out.version = version
  return true
}

/** By EtherType-style protocol number: IPv4, IPv6 or a bridged Ethernet frame at `o`. */
const byProtocol = (buf: Buffer, protocol: number, o: number, end: number, out: LinkResult): boolean => {
  if (protocol === ETH_IPV4) return ip(o, end, 4, out)
  if (protocol === ETH_IPV6) return ip(o, end, 6, out)
  if (protocol === ETH_BRIDGED) return ethernet(buf, o, end, out)
  return false
}

const gre = (buf: Buffer, p: number, end: number, out: LinkResult): boolean => {
  if (p + 4 > end) return false
  const flags = u16(buf, p)
  const version = flags & 0x7
  const protocol = u16(buf, p + 2)
  // checksum, key and sequence number each add 4 bytes; the routing bit (RFC 1701) is not read
  if ((flags & 0x4000) !== 0) return false
  let o = p + 4 + ((flags & 0x8000) !== 0 ? 4 : 0) + ((flags & 0x2000) !== 0 ? 4 : 0) + ((flags & 0x1000) !== 0 ? 4 : 0)
  if (version === 1) {
    // PPTP (RFC 2637): key always present, an acknowledgement number when A is set, PPP inside
    if (protocol !== PPP_GRE || (flags & 0x2000) === 0) return false
    if ((flags & 0x0080) !== 0) o += 4
    return o < end && ppp(buf, o, end, out) === LINK_OK
  }
  if (version !== 0) return false
  if (protocol === ERSPAN_1_2) {
    // type II carries a sequence number and an 8-byte ERSPAN header; type I neither
    if ((flags & 0x1000) !== 0) o += 8
    return ethernet(buf, o, end, out)
  }
  if (protocol === ERSPAN_3) {
    // a 12-byte header, and an 8-byte platform subheader when its O flag (last bit) is set
    if (o + 12 > end) return false
    const subheader = (buf[o + 11]! & 0x01) !== 0
    return ethernet(buf, o + 12 + (subheader ? 8 : 0), end, out)
  }
  return byProtocol(buf, protocol, o, end, out)
}

const vxlan = (buf: Buffer, p: number, end: number, out: LinkResult): boolean =>
  p + 8 <= end && (buf[p]! & 0x08) !== 0 && ethernet(buf, p + 8, end, out)

const geneve = (buf: Buffer, p: number, end: number, out: LinkResult): boolean => {
  if (p + 8 > end || buf[p]! >> 6 !== 0) return false
  const options = (buf[p]! & 0x3f) * 4
  return byProtocol(buf, u16(buf, p + 2), p + 8 + options, end, out)
}

/** GTP-U version 1, G-PDU (message type 255): the optional fields and extension headers skipped. */
const gtpU = (buf: Buffer, p: number, end: number, out: LinkResult): boolean => {
  if (p + 8 > end) return false
  const flags = buf[p]!
  if (flags >> 5 !== 1 || (flags & 0x10) === 0 || buf[p + 1] !== 0xff) return false
  let o = p + 8
  if ((flags & 0x07) !== 0) {
    if (o + 4 > end) return false
    let next = buf[o + 3]!
    o += 4
    // extension headers: a length in 4-byte units, the next type in the last byte
    for (let n = 0; next !== 0; n++) {
      if (n === 16 || o + 1 > end) return false
      const length = buf[o]! * 4
      if (length === 0 || o + length > end) return false
      next = buf[o + length - 1]!
      o += length
    }
  }
  return ip(o, end, 0, out)
}

/**
 * Where the inner packet of a tunnel starts, given the outer packet's IP protocol, ports (0 when
 * it has none) and captured transport payload [`p`, `end`); `out` takes it. False when the payload is no
 * tunnel this module reads; `out` may then hold partial values, which the caller restores.
 */
export const innerNetwork = (buf: Buffer, protocol: number, srcPort: number, dstPort: number, p: number, end: number, out: LinkResult): boolean => {
  if (protocol === UDP) {
    if (dstPort === VXLAN_PORT || srcPort === VXLAN_PORT || dstPort === VXLAN_LINUX_PORT || srcPort === VXLAN_LINUX_PORT) return vxlan(buf, p, end, out)
    if (dstPort === GENEVE_PORT || srcPort === GENEVE_PORT) return geneve(buf, p, end, out)
    if (dstPort === GTP_U_PORT || srcPort === GTP_U_PORT) return gtpU(buf, p, end, out)
    return false
  }
  if (protocol === GRE) return gre(buf, p, end, out)
  if (protocol === IPIP) return ip(p, end, 4, out)
  if (protocol === IPV6_IN_IP) return ip(p, end, 6, out)
  return false
}
