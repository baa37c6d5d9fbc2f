/**
 * Flow meter behaviour on hand-made captures: TCP lifecycle and initiator, timeouts, statistics,
 * keys (VLAN, ICMP, protocol-only, extension headers), eviction, end-of-capture order, fragments
 * and snaplen truncation.
 */
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { collectCapture, type FlowRow } from "./helpers/collect.js"
import { ether, icmpEcho, ip6, ipv4, ipv6, pcap, PcapngWriter, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, tcp, udp, type Rec } from "./helpers/frames.js"
import { tempFile } from "./helpers/temp-files.js"

const C = "10.0.0.1"
const S = "192.0.2.7"
const T0 = 1_700_000_000

const c2s = (t: number, flags: number, payload = 0): Rec => ({
  t,
  frame: ether(ipv4(C, S, 6, tcp(40000, 443, flags, Buffer.alloc(payload, 0x41))))
})
const s2c = (t: number, flags: number, payload = 0): Rec => ({
  t,
  frame: ether(ipv4(S, C, 6, tcp(443, 40000, flags, Buffer.alloc(payload, 0x42), 29200)))
})

const run = (records: ReadonlyArray<Rec>, options = {}) => collectCapture(tempFile(pcap(records)), options)

const only = (flows: ReadonlyArray<FlowRow>): FlowRow => {
  expect(flows).toHaveLength(1)
  return flows[0]!
}

describe("flow meter: TCP lifecycle", () => {
  it.effect("a handshake, data and FIN from both sides make one flow ending with fin", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([
        c2s(T0, TCP_SYN),
        s2c(T0 + 0.01, TCP_SYN | TCP_ACK),
        c2s(T0 + 0.02, TCP_ACK),
        c2s(T0 + 0.03, TCP_PSH | TCP_ACK, 100),
        s2c(T0 + 0.05, TCP_PSH | TCP_ACK, 300),
        c2s(T0 + 0.06, TCP_FIN | TCP_ACK),
        s2c(T0 + 0.07, TCP_FIN | TCP_ACK),
        // the last ACK falls inside the linger and still belongs to the flow
        c2s(T0 + 0.08, TCP_ACK),
        // long after: a new connection on other ports
        { t: T0 + 10, frame: ether(ipv4(C, S, 6, tcp(40001, 443, TCP_SYN))) }
      ])
      expect(flows).toHaveLength(2)
      const f = flows[0]!
      expect(f.src_ip).toBe(C)
      expect(f.dst_ip).toBe(S)
      expect([f.src_port, f.dst_port, f.protocol, f.ip_version, f.vlan_id]).toEqual([40000, 443, 6, 4, null])
      expect([f.fwd_packets, f.bwd_packets]).toEqual([5, 3])
      expect(f.fwd_bytes).toBe(4 * 40 + 140)
      expect(f.bwd_bytes).toBe(2 * 40 + 340)
      expect([f.fwd_payload_bytes, f.bwd_payload_bytes]).toEqual([100, 300])
      expect([f.fwd_syn, f.fwd_ack, f.fwd_fin, f.fwd_psh, f.bwd_syn, f.bwd_ack, f.bwd_fin, f.bwd_rst]).toEqual([1, 4, 1, 1, 1, 3, 1, 0])
      expect([f.fwd_init_win, f.bwd_init_win]).toEqual([65535, 29200])
      expect(f.end_reason).toBe("fin")
      expect(f.first_seen_us).toBe(T0 * 1e6)
      expect(f.last_seen_us).toBe((T0 + 0.08) * 1e6)
      expect(f.duration_s).toBeCloseTo(0.08, 9)
      expect(flows[1]!.end_reason).toBe("eof")
      expect(flows[1]!.src_port).toBe(40001)
    }))

  it.effect("the SYN sender is the initiator even when the capture shows the SYN-ACK first", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([s2c(T0, TCP_SYN | TCP_ACK), c2s(T0 + 0.001, TCP_SYN), c2s(T0 + 0.002, TCP_ACK, 10)])
      const f = only(flows)
      expect([f.src_ip, f.src_port, f.fwd_packets, f.bwd_packets, f.fwd_syn, f.bwd_syn, f.bwd_ack]).toEqual([C, 40000, 2, 1, 1, 1, 1])
      expect(f.splt_len).toEqual([-40, 40, 50])
    }))

  it.effect("without a SYN the first packet's sender is the initiator", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([s2c(T0, TCP_ACK, 5), c2s(T0 + 1, TCP_ACK)])
      expect(only(flows).src_ip).toBe(S)
    }))

  it.effect("a RST ends the flow after the linger; packets inside the linger still count", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([c2s(T0, TCP_SYN), s2c(T0 + 0.1, TCP_RST | TCP_ACK), c2s(T0 + 0.5, TCP_ACK), c2s(T0 + 5, TCP_ACK)])
      expect(flows.map((f) => [f.end_reason, f.fwd_packets, f.bwd_packets])).toEqual([
        ["rst", 2, 1],
        ["eof", 1, 0]
      ])
    }))

  it.effect("a new SYN on a closing flow's ports starts a new flow (port reuse)", () =>
    Effect.gen(function* () {
      const { flows } = yield* run(
        [c2s(T0, TCP_SYN), s2c(T0 + 0.1, TCP_RST | TCP_ACK), c2s(T0 + 0.2, TCP_SYN), s2c(T0 + 0.3, TCP_SYN | TCP_ACK)],
        { tcpLingerS: 5 }
      )
      expect(flows.map((f) => [f.end_reason, f.fwd_packets, f.bwd_packets])).toEqual([
        ["rst", 1, 1],
        ["eof", 1, 1]
      ])
    }))

  it.effect("idle and active timeouts split flows and say so", () =>
    Effect.gen(function* () {
      const idle = yield* run([c2s(T0, TCP_ACK), c2s(T0 + 121, TCP_ACK), c2s(T0 + 122, TCP_ACK)])
      expect(idle.flows.map((f) => [f.end_reason, f.fwd_packets])).toEqual([
        ["idle", 1],
        ["eof", 2]
      ])
      const every10s = Array.from({ length: 200 }, (_, i) => c2s(T0 + i * 10, TCP_ACK))
      const active = yield* run(every10s, { activeTimeoutS: 1800 })
      expect(active.flows.map((f) => [f.end_reason, f.fwd_packets])).toEqual([
        ["active", 181],
        ["eof", 19]
      ])
      const tuned = yield* run([c2s(T0, TCP_ACK), c2s(T0 + 30, TCP_ACK)], { idleTimeoutS: 10 })
      expect(tuned.flows).toHaveLength(2)
    }))
})

describe("flow meter: statistics", () => {
  it.effect("packet lengths and gaps use Welford with population std; early packets are capped", () =>
    Effect.gen(function* () {
      const sizes = [0, 60, 0, 140]
      const recs = [c2s(T0, TCP_ACK, sizes[0]), s2c(T0 + 0.5, TCP_ACK, sizes[1]), c2s(T0 + 1.5, TCP_ACK, sizes[2]), s2c(T0 + 4.5, TCP_ACK, sizes[3])]
      const { flows } = yield* run(recs, { spltPackets: 3 })
      const f = only(flows)
      const lens = [40, 100, 40, 180]
      const mean = lens.reduce((a, b) => a + b, 0) / 4
      const std = Math.sqrt(lens.reduce((a, b) => a + (b - mean) ** 2, 0) / 4)
      expect(f.pkt_len_mean).toBeCloseTo(mean, 9)
      expect(f.pkt_len_std).toBeCloseTo(std, 9)
      expect([f.pkt_len_min, f.pkt_len_max, f.fwd_pkt_len_mean, f.fwd_pkt_len_std, f.bwd_pkt_len_mean, f.bwd_pkt_len_std]).toEqual([40, 180, 40, 0, 140, 40])
      // gaps 0.5, 1, 3 (both); forward 1.5; backward 4
      expect(f.iat_mean_s).toBeCloseTo(1.5, 9)
      expect(f.iat_std_s).toBeCloseTo(Math.sqrt(((0.5 - 1.5) ** 2 + (1 - 1.5) ** 2 + (3 - 1.5) ** 2) / 3), 9)
      expect([f.iat_min_s, f.iat_max_s, f.fwd_iat_mean_s, f.fwd_iat_std_s, f.bwd_iat_mean_s]).toEqual([0.5, 3, 1.5, 0, 4])
      expect(f.splt_len).toEqual([40, -100, 40])
      expect(f.splt_iat_ms).toEqual([0, 500, 1000])
    }))

  it.effect("a one-packet flow has length stats and no gap stats", () =>
    Effect.gen(function* () {
      const f = only((yield* run([c2s(T0, TCP_SYN)])).flows)
      expect([f.fwd_pkt_len_std, f.fwd_iat_mean_s, f.bwd_pkt_len_mean, f.bwd_packets, f.bwd_init_win]).toEqual([0, null, null, 0, null])
    }))

  it.effect("byte_layer link counts the frame's original length instead of the IP length", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([c2s(T0, TCP_SYN)], { byteLayer: "link" })
      expect(only(flows).fwd_bytes).toBe(54)
    }))
})

describe("flow meter: keys", () => {
  it.effect("VLANs separate flows; the outermost tag of a QinQ frame is kept", () =>
    Effect.gen(function* () {
      const pkt = ipv4(C, S, 17, udp(5000, 53, Buffer.alloc(12)))
      const { flows } = yield* run([
        { t: T0, frame: ether(pkt, 0x0800, [[0x8100, 10]]) },
        { t: T0 + 1, frame: ether(pkt, 0x0800, [[0x8100, 20]]) },
        { t: T0 + 2, frame: ether(pkt, 0x0800, [[0x88a8, 300], [0x8100, 7]]) },
        { t: T0 + 3, frame: ether(pkt) }
      ])
      expect(flows.map((f) => f.vlan_id)).toEqual([10, 20, 300, null])
    }))

  it.effect("ICMP has no ports; other protocols make protocol-only flows", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([
        { t: T0, frame: ether(ipv4(C, S, 1, icmpEcho(Buffer.alloc(56)))) },
        { t: T0 + 1, frame: ether(ipv4(S, C, 1, icmpEcho(Buffer.alloc(56)))) },
        { t: T0 + 2, frame: ether(ipv4(C, S, 47, Buffer.alloc(24))) },
        { t: T0 + 3, frame: ether(ipv6("2001:db8::1", "2001:db8::2", 58, icmpEcho(Buffer.alloc(8))), 0x86dd) }
      ])
      expect(flows.map((f) => [f.protocol, f.src_port, f.dst_port, f.fwd_packets, f.bwd_packets, f.fwd_payload_bytes])).toEqual([
        [1, null, null, 1, 1, 56],
        [47, null, null, 1, 0, 24],
        [58, null, null, 1, 0, 8]
      ])
      expect(flows[2]!.src_ip).toBe("2001:db8::1")
      expect(flows[0]!.fwd_syn).toBeNull()
    }))

  it.effect("IPv4 options and IPv6 extension headers are walked to the transport ports", () =>
    Effect.gen(function* () {
      const { flows } = yield* run([
        { t: T0, frame: ether(ipv4(C, S, 6, tcp(1234, 80, TCP_SYN), { options: 8 })) },
        {
          t: T0 + 1,
          frame: ether(
            ipv6("2001:db8::1", "2001:db8::2", 6, tcp(1234, 80, TCP_SYN), [
              [0, Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])],
              [60, Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])],
              [51, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]
            ]),
            0x86dd
          )
        }
      ])
      expect(flows.map((f) => [f.ip_version, f.src_port, f.dst_port, f.fwd_bytes, f.fwd_payload_bytes])).toEqual([
        [4, 1234, 80, 48, 0],
        [6, 1234, 80, 40 + 28 + 20, 0]
      ])
    }))

  it.effect("an IPv6 routing header with segments left keys the flow on the final destination, so replies join it", () =>
    Effect.gen(function* () {
      const A = "2001:db8::a"
      const HOP = "2001:db8::1"
      const FINAL = "2001:db8::f"
      const routing = (type: number, addresses: ReadonlyArray<string>, left: number): Buffer => {
        const b = Buffer.alloc(8 + 16 * addresses.length)
        b[1] = addresses.length * 2
        b[2] = type
        b[3] = left
        addresses.forEach((address, i) => ip6(address).copy(b, 8 + 16 * i))
        return b
      }
      const out = (sport: number, rh: Buffer): Rec => ({ t: T0, frame: ether(ipv6(A, HOP, 17, udp(sport, 53), [[43, rh]]), 0x86dd) })
      const back = (sport: number): Rec => ({ t: T0 + 1, frame: ether(ipv6(FINAL, A, 17, udp(53, sport)), 0x86dd) })
      const { flows } = yield* run([
        // type 0: the last address; type 2 (Mobile IPv6): its one address; type 4 (segment routing): segment list [0]
        out(1, routing(0, ["2001:db8::2", FINAL], 2)),
        back(1),
        out(2, routing(2, [FINAL], 1)),
        back(2),
        out(3, routing(4, [FINAL, "2001:db8::2"], 1)),
        back(3),
        // no segments left: the header's destination is the final one
        out(4, routing(0, [FINAL], 0))
      ])
      const byPort = [...flows].sort((x, y) => (x.src_port ?? 0) - (y.src_port ?? 0))
      expect(byPort.map((f) => [f.src_port, f.dst_ip, f.fwd_packets, f.bwd_packets])).toEqual([
        [1, FINAL, 1, 1],
        [2, FINAL, 1, 1],
        [3, FINAL, 1, 1],
        [4, HOP, 1, 0]
      ])
    }))

  it.effect("max_flows evicts the least recently seen flow and reports it", () =>
    Effect.gen(function* () {
      const u = (t: number, sport: number): Rec => ({ t, frame: ether(ipv4(C, S, 17, udp(sport, 53))) })
      const { flows, findings } = yield* run([u(T0, 1), u(T0 + 1, 2), u(T0 + 2, 1), u(T0 + 3, 3)], { maxFlows: 2 })
      expect(flows.map((f) => [f.src_port, f.end_reason, f.fwd_packets])).toEqual([
        [2, "evicted", 1],
        [1, "eof", 2],
        [3, "eof", 1]
      ])
      expect(findings.find((f) => f.code === "evicted")?.count).toBe(1)
    }))

  it.effect("every simple packet block without a time is counted, whatever its frame: IP, ARP or a malformed IP header", () =>
    Effect.gen(function* () {
      const datagram = ether(ipv4(C, S, 17, udp(5353, 53, Buffer.from("query"))))
      const answer = ether(ipv4(S, C, 17, udp(53, 5353, Buffer.from("answer"))))
      const arp = ether(Buffer.alloc(28, 1), 0x0806)
      const malformed = ether(Buffer.from([0x45, 0, 0, 10, 0, 0, 0, 0, 64, 17, 0, 0]))
      const ng = new PcapngWriter().shb().idb(1).epb(0, BigInt(T0) * 1_000_000n, datagram).spb(answer).spb(arp).spb(malformed).finish()
      const { flows, findings } = yield* collectCapture(tempFile(ng, "spb.pcapng"))
      expect(flows.map((f) => [f.fwd_packets, f.bwd_packets])).toEqual([[1, 1]])
      expect(findings.map((f) => [f.code, f.count]).sort()).toEqual([
        ["malformed_packet", 1],
        ["no_timestamp", 3],
        ["non_ip", 1]
      ])
    }))

  it.effect("flows still open at the end come out by first_seen, then key, in batches of batch_flows", () =>
    Effect.gen(function* () {
      const recs = Array.from({ length: 25 }, (_, i) => ({ t: T0 + (i % 5), frame: ether(ipv4(C, S, 17, udp(1000 + (24 - i), 53))) }))
      const { flows, events } = yield* run(recs, { batchFlows: 10 })
      const batches = events.flatMap((e) => (e._tag === "Batch" ? [[e.index, e.batch.numRows]] : []))
      expect(batches).toEqual([
        [0, 10],
        [1, 10],
        [2, 5]
      ])
      const order = flows.map((f) => [Number(f.first_seen_us), f.src_port])
      const sorted = [...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
      expect(order).toEqual(sorted)
    }))
})

describe("flow meter: fragments and truncation", () => {
  const payload = Buffer.alloc(3000, 0x33)
  const whole = udp(7000, 7001, payload)
  const fragments = (id: number): Array<Buffer> => [
    ipv4(C, S, 17, whole.subarray(0, 1480), { id, moreFragments: true, fragOffset: 0 }),
    ipv4(C, S, 17, whole.subarray(1480, 2960), { id, moreFragments: true, fragOffset: 185 }),
    ipv4(C, S, 17, whole.subarray(2960), { id, fragOffset: 370 })
  ]

  it.effect("later fragments belong to their first fragment's flow, in or out of order; orphans are counted", () =>
    Effect.gen(function* () {
      const [a, b, c] = fragments(77)
      const [d, e, f] = fragments(78)
      const [, g] = fragments(79)
      const { flows, findings } = yield* run([
        { t: T0, frame: ether(a!) },
        { t: T0 + 0.001, frame: ether(b!) },
        { t: T0 + 0.002, frame: ether(c!) },
        // second datagram arrives last fragment first
        { t: T0 + 1, frame: ether(f!) },
        { t: T0 + 1.001, frame: ether(e!) },
        { t: T0 + 1.002, frame: ether(d!) },
        // a fragment whose first fragment never comes
        { t: T0 + 2, frame: ether(g!) }
      ])
      const flow = only(flows)
      expect([flow.src_port, flow.dst_port, flow.fwd_packets]).toEqual([7000, 7001, 6])
      expect(flow.fwd_bytes).toBe(2 * (3008 + 3 * 20))
      expect(flow.fwd_payload_bytes).toBe(2 * 3000)
      expect(findings.find((x) => x.code === "orphan_fragment")?.count).toBe(1)
    }))

  it.effect("snaplen-cut packets count at their IP length and are reported", () =>
    Effect.gen(function* () {
      const frame = ether(ipv4(C, S, 6, tcp(40000, 443, TCP_ACK, Buffer.alloc(1000))))
      const { flows, findings } = yield* collectCapture(tempFile(pcap([{ t: T0, frame, caplen: 60 }], { snaplen: 60 })))
      const f = only(flows)
      expect([f.fwd_bytes, f.fwd_payload_bytes, f.src_port]).toEqual([1040, 1000, 40000])
      expect(findings.find((x) => x.code === "truncated_packet")?.count).toBe(1)
    }))
})
