/**
 * Test support for the hint tests: a minimal pcap/pcapng walker that yields each packet's
 * TCP/UDP payload with its 5-tuple, and `collectFlowHints`, which groups packets into
 * bidirectional flows and feeds one HintCollector per flow as a flow table would.
 *
 * Holds: pcap (µs/ns, either byte order) and pcapng (SHB/IDB/EPB/SPB) record walking;
 * Ethernet (+802.1Q/QinQ), Linux SLL and raw-IP link layers; IPv4 (first fragments only),
 * IPv6 (hop-by-hop/routing/destination-options skipped); TCP and UDP; GTP-U (UDP 2152)
 * decapsulation because one nDPI DTLS flow rides in it.
 * Does not hold: the project's real capture reader or flow table (other modules); this is
 * deliberately small and only as strict as the fixtures need.
 */
import { readFileSync } from "node:fs"
import { type AppHints, HintCollector } from "../../src/hints/index.js"

export interface PayloadPacket {
  readonly src: string
  readonly dst: string
  readonly protocol: number
  readonly srcPort: number
  readonly dstPort: number
  readonly syn: boolean
  readonly ack: boolean
  readonly data: Uint8Array
  readonly start: number
  readonly end: number
}

const ipv4Text = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`

/** RFC 5952 text (longest run of ≥2 zero groups compressed), as inet_ntop writes it. */
const ipv6Text = (b: Uint8Array, at: number): string => {
  const groups: Array<number> = []
  for (let k = 0; k < 8; k++) groups.push(((b[at + 2 * k] ?? 0) << 8) | (b[at + 2 * k + 1] ?? 0))
  let bestStart = -1
  let bestLength = 1
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++
      continue
    }
    let e = k
    while (e < 8 && groups[e] === 0) e++
    if (e - k > bestLength) (bestStart = k), (bestLength = e - k)
    k = e
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(":")
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`
}

/**
 * Rewrites an endpoint as this walker prints it: "[v6]:port" with the v6 address in RFC 5952
 * form (other tools compress a single zero group too), IPv4 unchanged.
 */
export const normalizeEndpoint = (text: string): string => {
  const m = /^\[([0-9a-fA-F:]+)\]:(\d+)$/.exec(text)
  if (m === null) return text
  const [head = "", tail] = (m[1] ?? "").split("::")
  const left = head === "" ? [] : head.split(":")
  const right = tail === undefined || tail === "" ? [] : tail.split(":")
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
  const bytes = new Uint8Array(16)
  groups.forEach((g, k) => {
    const v = parseInt(g, 16)
    bytes[2 * k] = v >> 8
    bytes[2 * k + 1] = v & 0xff
  })
  return `[${ipv6Text(bytes, 0)}]:${m[2]}`
}

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)

const transport = (
  b: Uint8Array,
  at: number,
  end: number,
  protocol: number,
  src: string,
  dst: string,
  out: Array<PayloadPacket>
): void => {
  if (protocol === 6 && at + 20 <= end) {
    const offset = ((b[at + 12] ?? 0) >> 4) * 4
    const flags = b[at + 13] ?? 0
    if (offset < 20 || at + offset > end) return
    out.push({ src, dst, protocol, srcPort: u16(b, at), dstPort: u16(b, at + 2), syn: (flags & 2) !== 0, ack: (flags & 16) !== 0, data: b, start: at + offset, end })
  } else if (protocol === 17 && at + 8 <= end) {
    const srcPort = u16(b, at)
    const dstPort = u16(b, at + 2)
    const udpEnd = Math.min(end, at + Math.max(8, u16(b, at + 4)))
    if ((srcPort === 2152 || dstPort === 2152) && gtpInner(b, at + 8, udpEnd, out)) return
    out.push({ src, dst, protocol, srcPort, dstPort, syn: false, ack: false, data: b, start: at + 8, end: udpEnd })
  }
}

/** GTPv1-U with a T-PDU: decapsulate the inner IP packet. */
const gtpInner = (b: Uint8Array, at: number, end: number, out: Array<PayloadPacket>): boolean => {
  const flags = b[at] ?? 0
  if (flags >> 5 !== 1 || b[at + 1] !== 0xff) return false
  let inner = at + 8
  if ((flags & 0x07) !== 0) {
    inner += 4
    let next = b[inner - 1] ?? 0
    while ((flags & 0x04) !== 0 && next !== 0 && inner < end) {
      const length = (b[inner] ?? 0) * 4
      if (length === 0) return false
      inner += length
      next = b[inner - 1] ?? 0
    }
  }
  return ip(b, inner, end, out)
}

const ip = (b: Uint8Array, at: number, end: number, out: Array<PayloadPacket>): boolean => {
  const version = (b[at] ?? 0) >> 4
  if (version === 4 && at + 20 <= end) {
    const ihl = ((b[at] ?? 0) & 0x0f) * 4
    const ipEnd = Math.min(end, at + u16(b, at + 2))
    if ((u16(b, at + 6) & 0x1fff) !== 0) return true // a non-first fragment carries no transport header
    transport(b, at + ihl, ipEnd, b[at + 9] ?? 0, ipv4Text(b, at + 12), ipv4Text(b, at + 16), out)
    return true
  }
  if (version === 6 && at + 40 <= end) {
    const ipEnd = Math.min(end, at + 40 + u16(b, at + 4))
    let next = b[at + 6] ?? 0
    let h = at + 40
    while ((next === 0 || next === 43 || next === 60 || next === 44) && h + 8 <= ipEnd) {
      if (next === 44 && (u16(b, h + 2) & 0xfff8) !== 0) return true
      const length = next === 44 ? 8 : ((b[h + 1] ?? 0) + 1) * 8
      next = b[h] ?? 0
      h += length
    }
    transport(b, h, ipEnd, next, ipv6Text(b, at + 8), ipv6Text(b, at + 24), out)
    return true
  }
  return false
}

const link = (linkType: number, b: Uint8Array, at: number, end: number, out: Array<PayloadPacket>): void => {
  if (linkType === 1) {
    let type = u16(b, at + 12)
    let h = at + 14
    while ((type === 0x8100 || type === 0x88a8) && h + 4 <= end) {
      type = u16(b, h + 2)
      h += 4
    }
    if (type === 0x0800 || type === 0x86dd) ip(b, h, end, out)
  } else if (linkType === 113) {
    const type = u16(b, at + 14)
    if (type === 0x0800 || type === 0x86dd) ip(b, at + 16, end, out)
  } else if (linkType === 101 || linkType === 228 || linkType === 229 || linkType === 12) {
    ip(b, at, end, out)
  }
}

/** Every TCP/UDP packet of a pcap or pcapng file, in file order (empty payloads included). */
export const readPayloadPackets = (path: string): Array<PayloadPacket> => {
  const file = new Uint8Array(readFileSync(path))
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const out: Array<PayloadPacket> = []
  const magic = view.getUint32(0, false)
  if (magic === 0x0a0d0d0a) {
    let little = true
    const linkTypes: Array<number> = []
    let at = 0
    while (at + 12 <= file.length) {
      if (view.getUint32(at, false) === 0x0a0d0d0a) {
        little = view.getUint32(at + 8, true) === 0x1a2b3c4d
        linkTypes.length = 0
      }
      const type = view.getUint32(at, little)
      const length = view.getUint32(at + 4, little)
      if (length < 12 || at + length > file.length) break
      if (type === 1) linkTypes.push(view.getUint16(at + 8, little))
      else if (type === 6) {
        const captured = view.getUint32(at + 20, little)
        const linkType = linkTypes[view.getUint32(at + 8, little)] ?? -1
        link(linkType, file, at + 28, Math.min(at + 28 + captured, at + length - 4), out)
      } else if (type === 3) {
        const original = view.getUint32(at + 8, little)
        link(linkTypes[0] ?? -1, file, at + 12, Math.min(at + 12 + original, at + length - 4), out)
      }
      at += length
    }
    return out
  }
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${path}: not a pcap or pcapng file`)
  const linkType = view.getUint32(20, little) & 0x0fffffff
  let at = 24
  while (at + 16 <= file.length) {
    const captured = view.getUint32(at + 8, little)
    const start = at + 16
    const end = Math.min(start + captured, file.length)
    link(linkType, file, start, end, out)
    at = start + captured
  }
  return out
}

export interface FlowPayload {
  readonly forward: boolean
  readonly data: Uint8Array
  readonly start: number
  readonly end: number
  /** this packet's own ports */
  readonly srcPort: number
  readonly dstPort: number
}

export interface FlowPackets {
  /** "TCP src:port dst:port" with the initiator first (IPv6 in brackets) */
  readonly key: string
  readonly protocol: number
  readonly src: string
  readonly srcPort: number
  readonly dst: string
  readonly dstPort: number
  /** the flow's packets with a non-empty payload, in capture order */
  readonly payloads: Array<FlowPayload>
}

const endpoint = (ip: string, port: number): string => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`)

/** The unordered flow identity used to look a flow up from either direction. */
export const flowLookupKey = (protocol: number, a: string, b: string): string =>
  `${protocol === 6 ? "TCP" : "UDP"} ${[a, b].sort().join(" ")}`

/** Groups a capture's TCP/UDP packets into bidirectional flows (initiator: first sender, or the SYN sender). */
export const groupFlows = (path: string): Map<string, FlowPackets> => {
  const flows = new Map<string, FlowPackets>()
  for (const p of readPayloadPackets(path)) {
    const key = flowLookupKey(p.protocol, endpoint(p.src, p.srcPort), endpoint(p.dst, p.dstPort))
    let flow = flows.get(key)
    if (flow === undefined) {
      const reversed = p.syn && p.ack
      const src = reversed ? p.dst : p.src
      const srcPort = reversed ? p.dstPort : p.srcPort
      const dst = reversed ? p.src : p.dst
      const dstPort = reversed ? p.srcPort : p.dstPort
      flow = { key: `${p.protocol === 6 ? "TCP" : "UDP"} ${endpoint(src, srcPort)} ${endpoint(dst, dstPort)}`, protocol: p.protocol, src, srcPort, dst, dstPort, payloads: [] }
      flows.set(key, flow)
    }
    if (p.end <= p.start) continue
    const forward = p.src === flow.src && p.srcPort === flow.srcPort
    flow.payloads.push({ forward, data: p.data, start: p.start, end: p.end, srcPort: p.srcPort, dstPort: p.dstPort })
  }
  return flows
}

export interface FlowHints extends FlowPackets {
  /** payload packets fed before the collector said it had enough (or the budget ended) */
  readonly fed: number
  readonly hints: AppHints
}

/** Feeds one flow's payload packets to a fresh HintCollector until it has enough or `budget` packets were fed. */
export const feedFlow = (flow: FlowPackets, budget = Number.POSITIVE_INFINITY): FlowHints => {
  const collector = new HintCollector()
  let fed = 0
  for (const p of flow.payloads) {
    if (fed >= budget) break
    fed++
    if (!collector.feed(p.data, p.start, p.end, p.forward, flow.protocol, p.srcPort, p.dstPort)) break
  }
  return { ...flow, fed, hints: collector.result() }
}

/** Every flow of a capture with its hints, keyed by `flowLookupKey`. */
export const collectFlowHints = (path: string, budget = Number.POSITIVE_INFINITY): Map<string, FlowHints> => {
  const out = new Map<string, FlowHints>()
  for (const [key, flow] of groupFlows(path)) out.set(key, feedFlow(flow, budget))
  return out
}
