/**
 * The small captures the project keeps in `test-fixtures/flowmeter/` (used by the source.pcap
 * golden cases and contract suite), built here byte for byte so they can be checked and
 * rewritten (`HASHHOUND_UPDATE_GOLDEN=1`).
 *
 * Holds: `PROJECT_CAPTURES` (file name → bytes).
 * Does not hold: third-party captures (those stay in ../shared/fixtures).
 */
import { gzipSync } from "node:zlib"
import { splitCapture } from "@hashhound/testkit"
import { ether, icmpEcho, ipv4, ipv6, pcap, PcapngWriter, sll, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcp, udp, type Rec } from "./frames.js"

const T0 = 1_700_000_000
const C = "192.168.1.10"
const S = "203.0.113.5"

const dnsQuery = (): Buffer =>
  Buffer.concat([
    Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
    Buffer.from([4, ...Buffer.from("pool"), 7, ...Buffer.from("example"), 3, ...Buffer.from("org"), 0]),
    Buffer.from([0, 1, 0, 1])
  ])

const stratum = (id: number, method: string): Buffer => Buffer.from(`{"id":${id},"method":"${method}","params":[]}\n`)

/** A stratum-like TCP session with handshake and FIN, a DNS exchange and a ping. */
const handshake = (): Buffer => {
  const c = (t: number, flags: number, payload: Buffer = Buffer.alloc(0)): Rec => ({ t: T0 + t, frame: ether(ipv4(C, S, 6, tcp(50123, 3333, flags, payload, 64240))) })
  const s = (t: number, flags: number, payload: Buffer = Buffer.alloc(0)): Rec => ({ t: T0 + t, frame: ether(ipv4(S, C, 6, tcp(3333, 50123, flags, payload, 65160))) })
  return pcap([
    { t: T0, frame: ether(ipv4(C, "192.168.1.1", 17, udp(40000, 53, dnsQuery()))) },
    { t: T0 + 0.02, frame: ether(ipv4("192.168.1.1", C, 17, udp(53, 40000, dnsQuery()))) },
    c(0.1, TCP_SYN),
    s(0.15, TCP_SYN | TCP_ACK),
    c(0.16, TCP_ACK),
    c(0.2, TCP_PSH | TCP_ACK, stratum(1, "mining.subscribe")),
    s(0.25, TCP_PSH | TCP_ACK, Buffer.from('{"id":1,"result":[],"error":null}\n')),
    c(0.3, TCP_PSH | TCP_ACK, stratum(2, "mining.authorize")),
    s(5.3, TCP_PSH | TCP_ACK, Buffer.from('{"id":null,"method":"mining.notify","params":[]}\n')),
    c(9.4, TCP_PSH | TCP_ACK, stratum(3, "mining.submit")),
    c(10, TCP_FIN | TCP_ACK),
    s(10.05, TCP_FIN | TCP_ACK),
    c(10.06, TCP_ACK),
    { t: T0 + 11, frame: ether(ipv4(C, S, 1, icmpEcho(Buffer.alloc(32)))) },
    { t: T0 + 11.03, frame: ether(ipv4(S, C, 1, icmpEcho(Buffer.alloc(32)))) }
  ])
}

/** Forty UDP flows with 29 bytes of garbage between record 20 and 21. */
const damaged = (): Buffer => {
  const recs = Array.from({ length: 40 }, (_, i) => ({ t: T0 + i, frame: ether(ipv4("10.9.0.1", "10.9.0.2", 17, udp(2000 + i, 9999, Buffer.alloc(16, i)))) }))
  const clean = pcap(recs)
  const at = 24 + 20 * (16 + recs[0]!.frame.length)
  return Buffer.concat([clean.subarray(0, at), Buffer.from("garbage-between-records-here!"), clean.subarray(at)])
}

/** Two pcapng sections (little- then big-endian), Ethernet + SLL with ns and ms resolution, gzip'd. */
const sections = (): Buffer => {
  const v6 = ipv6("2001:db8::10", "2001:db8::20", 17, udp(5353, 5353, dnsQuery()))
  const ng = new PcapngWriter(true)
    .shb(true)
    .idb(1, { tsresol: 9 })
    .idb(113, { tsresol: 3 })
    .epb(0, BigInt(T0) * 1_000_000_000n + 1n, ether(ipv4(C, S, 6, tcp(40000, 443, TCP_SYN))))
    .epb(1, BigInt(T0) * 1000n + 2n, sll(ipv4(S, C, 6, tcp(443, 40000, TCP_SYN | TCP_ACK))))
    .shb(false)
    .idb(1)
    .epb(0, BigInt(T0 + 1) * 1_000_000n, ether(v6, 0x86dd))
    .finish()
  return gzipSync(ng, { level: 9 })
}

/**
 * The stratum session cut as a rotating capture cuts it (tcpdump -C with -z gzip: the finished
 * pieces gzip'd, the last one still plain): between the SYN and the SYN-ACK, and after the
 * `mining.authorize`.
 */
const rotated = (piece: number) => (): Buffer => {
  const pieces = splitCapture(handshake(), [3, 8])
  return piece < 2 ? gzipSync(pieces[piece]!) : pieces[piece]!
}

export const PROJECT_CAPTURES: ReadonlyArray<readonly [string, () => Buffer]> = [
  ["stratum-session.pcap", handshake],
  ["garbage-between-records.pcap", damaged],
  ["two-sections.pcapng.gz", sections],
  ["rotated/stratum.pcap.gz", rotated(0)],
  ["rotated/stratum.pcap1.gz", rotated(1)],
  ["rotated/stratum.pcap2", rotated(2)]
]
