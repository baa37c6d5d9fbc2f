/**
 * Tunnels: a packet inside GRE (and ERSPAN, PPTP), IP in IP, VXLAN, GENEVE or GTP-U is metered as
 * the packet it carries (`tunnels: inner`, the default), or as the tunnel (`outer`). Hand-made
 * captures hold a TCP exchange with a JSON-RPC request in each kind of tunnel; tshark, where
 * installed, must report the same inner conversations with the same frames and bytes. A tunnel
 * payload that is no tunnel, or whose inner packet does not decode, keeps the outer flow.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, hasCommand } from "@hashhound/testkit"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { collectCapture, type FlowRow } from "./helpers/collect.js"
import {
  erspan2,
  erspan3,
  ether,
  geneve,
  gre,
  gtpU,
  ipv4,
  ipv6,
  pcap,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  tcp,
  udp,
  vxlan,
  type Rec
} from "./helpers/frames.js"
import { tempFile } from "./helpers/temp-files.js"
import { conversationLines, flowLines, tsharkConversations } from "./helpers/tshark-conversations.js"

const C = "10.1.0.5"
const S = "203.0.113.9"
/** the tunnel's own endpoints */
const A = "198.51.100.1"
const B = "198.51.100.2"
const A6 = "2001:db8::1"
const B6 = "2001:db8::2"
const T0 = 1_700_000_000
const REQUEST = Buffer.from('{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]}\n')

/** One inner IPv4 packet of the exchange: client to server when `up`. */
interface Step {
  readonly up: boolean
  readonly flags: number
  readonly payload: Buffer
}
const EXCHANGE: ReadonlyArray<Step> = [
  { up: true, flags: TCP_SYN, payload: Buffer.alloc(0) },
  { up: false, flags: TCP_SYN | TCP_ACK, payload: Buffer.alloc(0) },
  { up: true, flags: TCP_ACK, payload: Buffer.alloc(0) },
  { up: true, flags: TCP_PSH | TCP_ACK, payload: REQUEST },
  { up: false, flags: TCP_PSH | TCP_ACK, payload: Buffer.alloc(80, 0x41) }
]
const innerPacket = (step: Step): Buffer =>
  step.up ? ipv4(C, S, 6, tcp(40000, 3333, step.flags, step.payload)) : ipv4(S, C, 6, tcp(3333, 40000, step.flags, step.payload))

/** How each kind of tunnel wraps an inner IPv4 packet into a whole Ethernet frame (`up`: A to B). */
const TUNNELS: ReadonlyArray<readonly [string, (inner: Buffer, up: boolean) => Buffer]> = [
  ["GRE, IPv4 inside", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x0800, p)))],
  ["GRE with checksum, key and sequence number, over IPv6", (p, up) => ether(ipv6(up ? A6 : B6, up ? B6 : A6, 47, gre(0x0800, p, { checksum: true, key: true, sequence: true })), 0x86dd)],
  ["GRE, bridged Ethernet inside", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x6558, ether(p))))],
  ["ERSPAN type I", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x88be, ether(p))))],
  ["ERSPAN type II", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x88be, erspan2(ether(p)), { sequence: true })))],
  ["ERSPAN type III with its platform subheader", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x22eb, erspan3(ether(p), true), { sequence: true })))],
  ["PPTP (enhanced GRE, PPP inside)", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x880b, Buffer.concat([Buffer.from([0xff, 0x03, 0x00, 0x21]), p]), { version: 1, key: true, sequence: true, ack: !up })))],
  ["IPv4 in IPv4", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 4, p))],
  ["IPv4 in IPv6", (p, up) => ether(ipv6(up ? A6 : B6, up ? B6 : A6, 4, p), 0x86dd)],
  ["VXLAN", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(up ? 51000 : 52000, 4789, vxlan(ether(p)))))],
  ["VXLAN on 8472 (Linux, flannel, Cilium)", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(up ? 51000 : 52000, 8472, vxlan(ether(p)))))],
  ["VXLAN, a VLAN tag inside", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(51000, 4789, vxlan(ether(p, 0x0800, [[0x8100, 7]])))))],
  ["GENEVE with options, Ethernet inside", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(40100, 6081, geneve(0x6558, ether(p), 8))))],
  ["GENEVE, IPv4 inside", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(40100, 6081, geneve(0x0800, p))))],
  ["GTP-U", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(2152, 2152, gtpU(p))))],
  ["GTP-U with an extension header", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(2152, 2152, gtpU(p, { extension: true }))))],
  ["GTP-U with a sequence number", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 17, udp(2152, 2152, gtpU(p, { sequence: true }))))],
  ["VXLAN inside GRE", (p, up) => ether(ipv4(up ? A : B, up ? B : A, 47, gre(0x0800, ipv4("10.9.0.1", "10.9.0.2", 17, udp(51000, 4789, vxlan(ether(p)))))))]
]

const recordsOf = (wrap: (inner: Buffer, up: boolean) => Buffer): Array<Rec> =>
  EXCHANGE.map((step, i) => ({ t: T0 + i * 0.01, frame: wrap(innerPacket(step), step.up) }))

const innerBytes = (up: boolean): number => EXCHANGE.filter((s) => s.up === up).reduce((sum, s) => sum + innerPacket(s).length, 0)

const captureOf = (records: ReadonlyArray<Rec>): string => tempFile(pcap(records))

const tunnelledCount = (findings: ReadonlyArray<{ code: string; count?: number | undefined }>): number =>
  findings.find((f) => f.code === "tunnelled")?.count ?? 0

describe("tunnels: the packet inside is metered (tunnels: inner, the default)", () => {
  for (const [name, wrap] of TUNNELS) {
    it.effect(`${name}: one flow of the inner TCP connection, its counts, flags and hints`, () =>
      Effect.gen(function* () {
        const { flows, findings } = yield* collectCapture(captureOf(recordsOf(wrap)))
        expect(flows).toHaveLength(1)
        const f = flows[0]!
        expect([f.src_ip, f.src_port, f.dst_ip, f.dst_port, f.protocol]).toEqual([C, 40000, S, 3333, 6])
        expect([f.fwd_packets, f.bwd_packets]).toEqual([3, 2])
        // bytes at the IP layer are the inner packet's
        expect([f.fwd_bytes, f.bwd_bytes]).toEqual([innerBytes(true), innerBytes(false)])
        expect([f["fwd_payload_bytes"], f["bwd_payload_bytes"]]).toEqual([REQUEST.length, 80])
        expect([f["fwd_syn"], f["bwd_syn"]]).toEqual([1, 1])
        expect(f["jsonrpc_methods"]).toBe("mining.subscribe")
        expect(f["vlan_id"]).toBe(name.includes("VLAN tag") ? 7 : null)
        expect(tunnelledCount(findings)).toBe(EXCHANGE.length)
      }))
  }

  it.effect("with byte_layer link, bytes are the whole frames, tunnel headers included", () =>
    Effect.gen(function* () {
      const wrap = TUNNELS.find(([name]) => name === "VXLAN")![1]
      const records = recordsOf(wrap)
      const { flows } = yield* collectCapture(captureOf(records), { byteLayer: "link" })
      const frames = (up: boolean) => records.filter((_, i) => EXCHANGE[i]!.up === up).reduce((sum, r) => sum + r.frame.length, 0)
      expect([flows[0]!.fwd_bytes, flows[0]!.bwd_bytes]).toEqual([frames(true), frames(false)])
    }))

  it.effect("inner IPv4 fragments inside VXLAN join their first fragment's flow", () =>
    Effect.gen(function* () {
      const wrap = TUNNELS.find(([name]) => name === "VXLAN")![1]
      const body = tcp(40000, 3333, TCP_PSH | TCP_ACK, Buffer.alloc(64, 0x42))
      const first = ipv4(C, S, 6, body.subarray(0, 32), { id: 9, moreFragments: true, totalLength: 52 })
      const second = ipv4(C, S, 6, body.subarray(32), { id: 9, fragOffset: 4 })
      const { flows } = yield* collectCapture(captureOf([{ t: T0, frame: wrap(first, true) }, { t: T0 + 0.001, frame: wrap(second, true) }]))
      expect(flows.map((f) => [f.src_port, f.dst_port, f.fwd_packets])).toEqual([[40000, 3333, 2]])
    }))
})

describe("tunnels: outer, or no tunnel after all", () => {
  it.effect("tunnels: outer meters the tunnel itself, one flow per tunnel, and reports nothing tunnelled", () =>
    Effect.gen(function* () {
      const expected: Record<string, readonly [number, number | null, number | null]> = {
        "GRE, IPv4 inside": [47, null, null],
        "IPv4 in IPv4": [4, null, null],
        VXLAN: [17, 51000, 4789],
        "GTP-U": [17, 2152, 2152]
      }
      for (const [name, wrap] of TUNNELS.filter(([n]) => expected[n] !== undefined)) {
        const { flows, findings } = yield* collectCapture(captureOf(recordsOf(wrap)), { tunnels: "outer" })
        expect(flows.map((f) => [f.protocol, f.src_port, f.dst_port]), name).toEqual(name === "VXLAN" ? [[17, 51000, 4789], [17, 52000, 4789]] : [expected[name]])
        expect(flows.reduce((sum, f) => sum + f.fwd_packets + f.bwd_packets, 0), name).toBe(EXCHANGE.length)
        expect(tunnelledCount(findings), name).toBe(0)
      }
    }))

  it.effect("a payload that is no tunnel, or whose inner packet does not decode, keeps its outer flow, whole", () =>
    Effect.gen(function* () {
      const inner = innerPacket(EXCHANGE[3]!)
      const cut = Buffer.from(inner.subarray(0, 12)) // shorter than an IPv4 header
      const badVersion = Buffer.from(inner)
      badVersion[0] = 0x55
      const cases: ReadonlyArray<readonly [string, Buffer, readonly [number, number | null, number | null]]> = [
        ["VXLAN without its I flag", ether(ipv4(A, B, 17, udp(51000, 4789, vxlan(ether(inner), 42, 0x00)))), [17, 51000, 4789]],
        ["a GTP-U echo request (not a G-PDU)", ether(ipv4(A, B, 17, udp(2152, 2152, gtpU(Buffer.alloc(4), { type: 1 })))), [17, 2152, 2152]],
        ["GRE carrying PPP LCP", ether(ipv4(A, B, 47, gre(0x880b, Buffer.from([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]), { version: 1, key: true }))), [47, null, null]],
        ["GRE with a routing field (RFC 1701)", ether(ipv4(A, B, 47, Buffer.concat([Buffer.from([0x40, 0x00, 0x08, 0x00]), inner]))), [47, null, null]],
        ["GRE whose inner IPv4 header is cut", ether(ipv4(A, B, 47, gre(0x0800, cut))), [47, null, null]],
        ["IP in IP whose inner version is 5", ether(ipv4(A, B, 4, badVersion)), [4, null, null]],
        ["GTP-U carrying neither IPv4 nor IPv6", ether(ipv4(A, B, 17, udp(2152, 2152, gtpU(badVersion)))), [17, 2152, 2152]],
        ["GENEVE of an unknown protocol type", ether(ipv4(A, B, 17, udp(40100, 6081, geneve(0x1234, inner)))), [17, 40100, 6081]],
        ["a DNS reply from port 2152", ether(ipv4(A, B, 17, udp(2152, 53, Buffer.from("0001818000010001", "hex")))), [17, 2152, 53]]
      ]
      for (const [name, frame, [protocol, sport, dport]] of cases) {
        const { flows, findings } = yield* collectCapture(captureOf([{ t: T0, frame }]))
        expect(flows.map((f) => [f.src_ip, f.dst_ip, f["ip_version"], f.protocol, f.src_port, f.dst_port, f.fwd_packets]), name).toEqual([[A, B, 4, protocol, sport, dport, 1]])
        // the outer packet's own length, not a half-decoded inner one's
        expect(flows[0]!.fwd_bytes, name).toBe(frame.length - 14)
        expect(tunnelledCount(findings), name).toBe(0)
      }
    }))

  it.effect("a fragmented tunnel packet stays in the outer flow (its inner packet is not whole)", () =>
    Effect.gen(function* () {
      const payload = gre(0x0800, innerPacket(EXCHANGE[3]!))
      const first = ipv4(A, B, 47, payload.subarray(0, 48), { id: 5, moreFragments: true, totalLength: 68 })
      const second = ipv4(A, B, 47, payload.subarray(48), { id: 5, fragOffset: 6 })
      const { flows } = yield* collectCapture(captureOf([{ t: T0, frame: ether(first) }, { t: T0 + 0.001, frame: ether(second) }]))
      expect(flows.map((f) => [f.protocol, f.fwd_packets])).toEqual([[47, 2]])
    }))

  it.effect(`tunnels nested deeper than four are metered at the fourth`, () =>
    Effect.gen(function* () {
      let packet = innerPacket(EXCHANGE[0]!)
      for (let i = 0; i < 6; i++) packet = ipv4(`10.200.${i}.1`, `10.200.${i}.2`, 4, packet)
      const { flows, findings } = yield* collectCapture(captureOf([{ t: T0, frame: ether(packet) }]))
      // six IP-in-IP layers around the TCP packet: four removed, the fifth (10.200.1.x) is what is metered
      expect(flows.map((f) => [f.src_ip, f.dst_ip, f.protocol])).toEqual([["10.200.1.1", "10.200.1.2", 4]])
      expect(tunnelledCount(findings)).toBe(1)
    }))
})

describe("tunnels against tshark", () => {
  const tshark = hasCommand("tshark")
  it.effect.skipIf(!tshark)(
    `tshark reports each inner TCP conversation with our frames and link-layer bytes${tshark ? "" : " [skipped: tshark is not installed (Debian: tshark)]"}`,
    () =>
      Effect.gen(function* () {
        // every kind of tunnel in one capture, each with its own client port
        const records: Array<Rec> = []
        TUNNELS.forEach(([, wrap], k) => {
          EXCHANGE.forEach((step, i) => {
            const port = 41000 + k
            const inner = step.up ? ipv4(C, S, 6, tcp(port, 3333, step.flags, step.payload)) : ipv4(S, C, 6, tcp(3333, port, step.flags, step.payload))
            records.push({ t: T0 + k + i * 0.01, frame: wrap(inner, step.up) })
          })
        })
        const path = captureOf(records)
        const { flows } = yield* collectCapture(path, { byteLayer: "link" })
        expect(flows).toHaveLength(TUNNELS.length)
        // tshark also reports the UDP tunnels' own conversations (4789, 6081, 2152): only the inner ones compare
        const inner = tsharkConversations(path, ["-d", "udp.port==8472,vxlan"]).filter((c) => c.protocol === 6)
        expect(conversationLines(inner)).toEqual(flowLines(flows))
      })
  )
})

describeFixtures("tunnels in the shared fixtures", () => {
  it.effect("GrePackets.cap: the ping inside PPTP's GRE is its own ICMP flow; the PPP control frames stay in the GRE flow", () =>
    Effect.gen(function* () {
      const capture = fixture("formats/pcapplusplus/GrePackets.cap")
      const inner = yield* collectCapture(capture)
      const key = (f: FlowRow) => `${f.protocol} ${f.src_ip} ${f.dst_ip} ${f.fwd_packets}/${f.bwd_packets}`
      const icmp = inner.flows.filter((f) => f.protocol === 1).map(key)
      expect(icmp).toEqual(["1 17.1.1.122 40.0.0.2 1/1"])
      const outer = yield* collectCapture(capture, { tunnels: "outer" })
      expect(outer.flows.filter((f) => f.protocol === 1)).toEqual([])
      const packets = (flows: ReadonlyArray<FlowRow>) => flows.reduce((sum, f) => sum + f.fwd_packets + f.bwd_packets, 0)
      expect(packets(inner.flows)).toBe(packets(outer.flows))
      expect(tunnelledCount(inner.findings)).toBe(2)
    }))
})
