/**
 * The frame decoder on hostile frames of every link type it reads: a link header (random bytes,
 * or each link type's own with random parts: EtherType chains, 802.11 frame control, PPI and
 * radiotap lengths, NULL families, PFLOG lengths, NFLOG attributes), then an IP packet, a tunnel packet (GRE, ERSPAN, PPTP, IP in
 * IP, VXLAN, GENEVE, GTP-U, one inside another) or random bytes, a few bytes changed, cut
 * anywhere and placed inside a larger buffer, decoded with tunnels opened or not. It never throws,
 * and what it reports stays inside the captured bytes. HASHHOUND_FUZZ_RUNS raises the case count.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SUPPORTED_LINK_TYPES } from "../src/decode/link.js"
import { Decoded, DECODE_MALFORMED, DECODE_OK, decodeFrame, MAX_TUNNEL_DEPTH } from "../src/decode/packet-decoder.js"
import { erspan2, erspan3, ether, geneve, gre, gtpU, ipv4, ipv6, nflog, pflog, ppi, radiotap, tcp, TCP_SYN, udp, vxlan, wifi } from "./helpers/frames.js"

const RUNS = Math.max(3000, Number(process.env["HASHHOUND_FUZZ_RUNS"] ?? 0))

/** an 802.11 header sized for its flags (or a few bytes off), then LLC/SNAP */
const wifiHead = fc
  .record({
    type: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 3 })),
    subtype: fc.integer({ min: 0, max: 15 }),
    flags: fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x83, 0x41), fc.integer({ min: 0, max: 255 })),
    sizeOffset: fc.oneof(fc.constant(0), fc.integer({ min: -4, max: 4 })),
    ethertype: fc.constantFrom(0x0800, 0x86dd)
  })
  .map(({ subtype, flags, ...o }) => [...wifi(subtype, flags, Buffer.alloc(0), o)])
const etherHead = fc
  .array(fc.constantFrom(0x8100, 0x88a8, 0x8847, 0x8864, 0x0800, 0x86dd, 0x0806), { minLength: 1, maxLength: 4 })
  .map((types) => [...new Array<number>(12).fill(0xaa), ...types.flatMap((type) => [type >> 8, type & 0xff, 0, 1])].slice(0, -2))
/** a PPI or radiotap length, often right (8) and sometimes not */
const prefixLength = fc.oneof(fc.constant(8), fc.integer({ min: 0, max: 40 }))

/** a link type with a header that reaches past its first checks: each link type's own, or random bytes */
type Linked = readonly [number, ReadonlyArray<number>]
const linked: fc.Arbitrary<Linked> = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom(...SUPPORTED_LINK_TYPES), fc.integer({ min: 0, max: 300 })), fc.uint8Array({ maxLength: 40 }).map((b) => [...b])),
  etherHead.map((head): Linked => [1, head]),
  wifiHead.map((head): Linked => [105, head]),
  fc.tuple(prefixLength, wifiHead).map(([length, frame]): Linked => [127, [...radiotap(Buffer.from(frame), length)]]),
  fc
    .tuple(prefixLength, fc.oneof(etherHead.map((e): Linked => [1, e]), wifiHead.map((w): Linked => [105, w]), fc.constant<Linked>([192, []])))
    .map(([length, [inner, frame]]): Linked => [192, [...ppi(inner, Buffer.from(frame), length)]]),
  fc.tuple(fc.constantFrom(0, 108), fc.constantFrom([2, 0, 0, 0], [0, 0, 0, 2], [30, 0, 0, 0], [0x0f, 0, 8, 0], [0, 0, 0x86, 0xdd], [7, 7, 7, 7])),
  // PFLOG: its length byte and address family
  fc
    .tuple(fc.oneof(fc.constant(61), fc.integer({ min: 0, max: 255 })), fc.constantFrom(2, 24, 28, 7))
    .map(([length, family]): Linked => [117, [...pflog(family, Buffer.alloc(0), length)].slice(0, Math.max(4, (length + 3) & ~3))]),
  // NFLOG: attributes in either byte order, the last one a payload whose value (the packet) follows
  fc
    .tuple(fc.constantFrom(2, 10, 7), fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 12 })), { maxLength: 3 }), fc.boolean())
    .map(([family, attributes, little]): Linked => {
      const head = nflog(family, [...attributes.map(([type, value]) => [type, Buffer.from(value)] as const), [9, Buffer.alloc(0)]], little)
      return [239, [...head]]
    })
)

const plainPacket = fc.oneof(
  fc.constant(ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 2, Buffer.alloc(8)))),
  fc.constant(ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, TCP_SYN))),
  fc.constant(ipv6("2001:db8::1", "2001:db8::2", 17, udp(1, 2), [[43, Buffer.from([0, 2, 0, 1, 0, 0, 0, 0, ...new Array<number>(16).fill(7)])]])),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b))
)

/** each kind of tunnel, around an inner IP packet */
const TUNNEL_WRAPS: ReadonlyArray<(inner: Buffer) => Buffer> = [
  (p) => ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x0800, p, { key: true })),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x6558, ether(p))),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x88be, erspan2(ether(p)), { sequence: true })),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x22eb, erspan3(ether(p), true))),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x880b, Buffer.concat([Buffer.from([0xff, 0x03, 0, 0x21]), p]), { version: 1, key: true, ack: true })),
  (p) => ipv6("2001:db8::1", "2001:db8::2", 4, p),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 41, p),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 17, udp(5000, 4789, vxlan(ether(p)))),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 17, udp(5000, 6081, geneve(0x6558, ether(p), 4))),
  (p) => ipv4("192.0.2.1", "192.0.2.2", 17, udp(2152, 2152, gtpU(p, { extension: true })))
]
const tunnelPacket = fc
  .tuple(fc.array(fc.constantFrom(...TUNNEL_WRAPS), { minLength: 1, maxLength: 3 }), plainPacket)
  .map(([wraps, inner]) => wraps.reduce((packet, wrap) => wrap(packet), inner))

const network = fc.oneof(plainPacket, tunnelPacket)

const frames = fc.record({
  link: linked,
  body: network,
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  // half the frames whole, the others cut anywhere
  cut: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  before: fc.integer({ min: 0, max: 16 }),
  tunnels: fc.boolean()
})

describe("frame decoder on hostile frames", () => {
  it(`never throws and reports only bytes inside the capture (${RUNS} cases)`, () => {
    const d = new Decoded()
    fc.assert(
      fc.property(frames, ({ link: [linkType, head], body, flips, cut, before, tunnels }) => {
        const frame = Buffer.concat([Buffer.from(head), body])
        for (const [at, value] of flips) if (frame.length > 0) frame[at % frame.length] = value
        const caplen = Math.floor(cut * frame.length)
        // the frame sits between other bytes, as in a read buffer, followed by the rest of itself:
        // reading past caplen would find plausible bytes there, so nothing past it may be used
        const buf = Buffer.concat([Buffer.alloc(before, 0x45), frame, Buffer.alloc(64, 0x45)])
        const status = decodeFrame(buf, before, caplen, linkType, d, tunnels)
        expect(status >= DECODE_OK && status <= DECODE_MALFORMED).toBe(true)
        if (status !== DECODE_OK) return
        const end = before + caplen
        expect(d.netStart).toBeGreaterThanOrEqual(before)
        expect(d.netStart).toBeLessThan(end)
        expect(d.payloadStart).toBeLessThanOrEqual(d.payloadEnd)
        expect(d.payloadEnd).toBeLessThanOrEqual(end)
        expect(d.ipLen).toBeGreaterThanOrEqual(0)
        expect(d.version === 4 || d.version === 6).toBe(true)
        expect(d.tunnels).toBeLessThanOrEqual(tunnels ? MAX_TUNNEL_DEPTH : 0)
      }),
      { numRuns: RUNS }
    )
  })
})
