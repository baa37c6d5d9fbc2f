/**
 * Packets a capture holds twice (a mirror of both directions of a link): a packet that repeats
 * one of its flow and direction less than 1 ms earlier is counted in `duplicate_packet`, kept or
 * (`duplicates: drop`) dropped, and never given to the app-hint parsers. Hand-made captures, and
 * real ones merged with a copy of themselves 20 µs later (`editcap -t`, `mergecap`), which with
 * `drop` must give exactly the flows of the original, and resume from any checkpoint to the
 * rows, checkpoints and counts of an uninterrupted read.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, hasCommand } from "@hashhound/testkit"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { basename } from "node:path"
import { describe, expect } from "vitest"
import { batchesOf, collectCapture, digest, type FlowRow, rowsOf } from "./helpers/collect.js"
import { ether, ipv4, ipv6, pcap, PcapngWriter, TCP_ACK, TCP_PSH, TCP_SYN, tcp, udp, type Rec } from "./helpers/frames.js"
import { tempFile } from "./helpers/temp-files.js"
import { groupFlows } from "./hints/capture-walker.js"

const C = "10.0.0.1"
const S = "192.0.2.7"
const T0 = 1_700_000_000

/** An IPv4 TCP packet with IP ID `id`. */
const v4 = (up: boolean, flags: number, id: number, payload = Buffer.alloc(0)): Buffer =>
  ether(up ? ipv4(C, S, 6, tcp(40000, 443, flags, payload), { id }) : ipv4(S, C, 6, tcp(443, 40000, flags, payload), { id }))

const EXCHANGE: ReadonlyArray<Rec> = [
  { t: T0, frame: v4(true, TCP_SYN, 1) },
  { t: T0 + 0.01, frame: v4(false, TCP_SYN | TCP_ACK, 7) },
  { t: T0 + 0.02, frame: v4(true, TCP_ACK, 2) },
  { t: T0 + 0.03, frame: v4(true, TCP_PSH | TCP_ACK, 3, Buffer.alloc(100, 0x41)) },
  { t: T0 + 0.05, frame: v4(false, TCP_PSH | TCP_ACK, 8, Buffer.alloc(300, 0x42)) }
]

/** Every record twice, the copy `gap` seconds later. */
const twice = (records: ReadonlyArray<Rec>, gap = 0.00002): Array<Rec> => records.flatMap((r) => [r, { ...r, t: r.t + gap }])

/** tshark's filter for all but TCP resets and empty segments without an IP ID (see `mayBeCopy`) */
const OWN_REPEATS = "!(tcp.flags.reset == 1) && !(ip.id == 0 && tcp.len == 0) && !(ipv6 && tcp.len == 0)"


const duplicatesOf = (findings: ReadonlyArray<{ code: string; count?: number | undefined }>): number =>
  findings.find((f) => f.code === "duplicate_packet")?.count ?? 0

/** Every column but those that name the file. */
const content = (rows: ReadonlyArray<FlowRow>): Array<Record<string, unknown>> =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => key !== "capture" && key !== "flow_id")))

describe("packets seen twice", () => {
  it.effect("kept (the default): counted, and the flow has every copy; dropped: the flow of the capture without them", () =>
    Effect.gen(function* () {
      const clean = yield* collectCapture(tempFile(pcap(EXCHANGE)))
      const kept = yield* collectCapture(tempFile(pcap(twice(EXCHANGE))))
      expect(kept.flows.map((f) => [f.fwd_packets, f.bwd_packets])).toEqual([[6, 4]])
      expect(duplicatesOf(kept.findings)).toBe(5)
      expect(duplicatesOf(clean.findings)).toBe(0)
      const dropped = yield* collectCapture(tempFile(pcap(twice(EXCHANGE))), { duplicates: "drop" })
      expect(duplicatesOf(dropped.findings)).toBe(5)
      expect(content(dropped.flows)).toEqual(content(clean.flows))
    }))

  it.effect("not copies: a retransmission 300 ms later, a packet with another IPv4 ID, a copy more than 1 ms later", () =>
    Effect.gen(function* () {
      const { flows, findings } = yield* collectCapture(
        tempFile(
          pcap([
            ...EXCHANGE,
            { t: T0 + 0.33, frame: v4(false, TCP_PSH | TCP_ACK, 8, Buffer.alloc(300, 0x42)) }, // same bytes, 280 ms on
            { t: T0 + 0.4, frame: v4(true, TCP_ACK, 4) },
            { t: T0 + 0.40001, frame: v4(true, TCP_ACK, 5) }, // the same ACK with the next IP ID
            { t: T0 + 0.402, frame: v4(true, TCP_ACK, 5) } // a copy, 2 ms later
          ])
        )
      )
      expect(flows.map((f) => [f.fwd_packets, f.bwd_packets])).toEqual([[6, 3]])
      expect(duplicatesOf(findings)).toBe(0)
    }))

  it.effect("not copies: same-length datagrams a sending host captured with IP ID 0 and an unfilled checksum, 100 µs apart", () =>
    Effect.gen(function* () {
      // checksum offload: the capture shows the same partial checksum for every datagram of a length
      const datagram = (fill: number) => {
        const frame = ether(ipv4(C, S, 17, udp(50000, 443, Buffer.alloc(1200, fill)), { id: 0 }))
        frame.writeUInt16BE(0x1c46, 14 + 20 + 6)
        return frame
      }
      const { flows, findings } = yield* collectCapture(tempFile(pcap([0, 1, 2].map((k) => ({ t: T0 + k * 0.0001, frame: datagram(k) })))))
      expect(flows.map((f) => f.fwd_packets)).toEqual([3])
      expect(duplicatesOf(findings)).toBe(0)
    }))

  it.effect("not copies: the identical resets a host sends for each late segment, and empty segments without an IP ID", () =>
    Effect.gen(function* () {
      const { flows, findings } = yield* collectCapture(
        tempFile(
          pcap([
            ...EXCHANGE,
            { t: T0 + 0.06, frame: v4(true, 0x04, 0) },
            { t: T0 + 0.06001, frame: v4(true, 0x04, 0) },
            { t: T0 + 0.07, frame: v4(false, TCP_ACK, 0) },
            { t: T0 + 0.07001, frame: v4(false, TCP_ACK, 0) },
            { t: T0 + 0.08, frame: ether(ipv6("2001:db8::1", "2001:db8::2", 6, tcp(40001, 443, TCP_ACK)), 0x86dd) },
            { t: T0 + 0.08001, frame: ether(ipv6("2001:db8::1", "2001:db8::2", 6, tcp(40001, 443, TCP_ACK)), 0x86dd) }
          ])
        ),
        { duplicates: "drop" }
      )
      expect(flows.map((f) => [f.fwd_packets, f.bwd_packets])).toEqual([
        [5, 4],
        [2, 0]
      ])
      expect(duplicatesOf(findings)).toBe(0)
    }))

  it.effect("a dropped copy still counts as a packet read: simple packet blocks without a time are all reported", () =>
    Effect.gen(function* () {
      const datagram = ether(ipv4(C, S, 17, udp(5353, 53, Buffer.from("query"))))
      const ng = new PcapngWriter().shb().idb(1).epb(0, BigInt(T0) * 1_000_000n, datagram).spb(datagram).spb(datagram).finish()
      const { flows, findings } = yield* collectCapture(tempFile(ng, "x.pcapng"), { duplicates: "drop" })
      expect(flows.map((f) => f.fwd_packets)).toEqual([1])
      expect(findings.map((f) => [f.code, f.count]).sort()).toEqual([
        ["duplicate_packet", 2],
        ["no_timestamp", 2]
      ])
    }))

  it.effect("IPv6 and UDP: a copy within 1 ms is one, a later datagram with the same bytes is not", () =>
    Effect.gen(function* () {
      const datagram = ether(ipv6("2001:db8::1", "2001:db8::2", 17, udp(5353, 53, Buffer.from("query"))), 0x86dd)
      const { flows, findings } = yield* collectCapture(
        tempFile(
          pcap([
            { t: T0, frame: datagram },
            { t: T0 + 0.0001, frame: datagram },
            { t: T0 + 1, frame: datagram }
          ])
        ),
        { duplicates: "drop" }
      )
      expect(flows.map((f) => f.fwd_packets)).toEqual([2])
      expect(duplicatesOf(findings)).toBe(1)
    }))
})

describe("packets seen twice, across a checkpoint", () => {
  it.effect("a checkpoint between an original and its copy carries the original's signature", () =>
    Effect.gen(function* () {
      const udpTo = (port: number) => ether(ipv4(C, S, 17, udp(port, 53, Buffer.from("q"))))
      // the first flow's idle deadline falls between A and its copy: B ends it, and its batch (one
      // flow per batch) is checkpointed after A was seen and before A's copy comes
      const records: Array<Rec> = [
        { t: T0, frame: udpTo(1) },
        { t: T0 + 0.99999, frame: udpTo(2) }, // A
        { t: T0 + 1.000005, frame: udpTo(3) }, // B
        { t: T0 + 1.00001, frame: udpTo(2) } // A's copy, 20 µs on
      ]
      const path = tempFile(pcap(records))
      for (const duplicates of ["keep", "drop"] as const) {
        const options = { duplicates, idleTimeoutS: 1, batchFlows: 1, checkpoints: true }
        const full = yield* collectCapture(path, options)
        const batches = batchesOf(full.events)
        expect(duplicatesOf(full.findings), duplicates).toBe(1)
        const resumed = (yield* collectCapture(path, options, { nextBatch: 1, checkpoint: batches[0]!.checkpoint! })).events
        expect(rowsOf(batchesOf(resumed)), duplicates).toEqual(rowsOf(batches.slice(1)))
        expect(duplicatesOf(resumed.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))), duplicates).toBe(1)
      }
    }))
})

describeFixtures("packets seen twice in real captures", () => {
  it.effect("a ClientHello split over two segments, each seen twice, still gives its SNI and JA4", () =>
    Effect.gen(function* () {
      const flow = groupFlows(fixture("formats/ndpi/sites.pcapng")).get("TCP 124.237.225.21:443 192.168.88.171:55280")!
      const p = flow.payloads.find((x) => x.forward)!
      const hello = Buffer.from(p.data.subarray(p.start, p.end))
      const segment = (part: Buffer, id: number): Buffer => ether(ipv4(C, S, 6, tcp(40000, 443, TCP_PSH | TCP_ACK, part), { id }))
      const records: Array<Rec> = [
        { t: T0, frame: v4(true, TCP_SYN, 1) },
        { t: T0 + 0.01, frame: v4(false, TCP_SYN | TCP_ACK, 7) },
        { t: T0 + 0.02, frame: segment(hello.subarray(0, 200), 2) },
        { t: T0 + 0.021, frame: segment(hello.subarray(200), 3) }
      ]
      const { flows } = yield* collectCapture(tempFile(pcap(twice(records))))
      expect([flows[0]!["tls_sni"], flows[0]!["tls_ja4"]]).toEqual(["msg.qy.net", "t13d3113h2_e8f1e7e78f70_1b3407e2c936"])
    }))

  const tools = hasCommand("tshark") && hasCommand("editcap") && hasCommand("mergecap")
  for (const capture of ["mining/peafowl-monero.pcap", "normal/infectedPCAP-infected.pcap"]) {
    it.effect.skipIf(!tools)(
      `${capture} merged with itself 20 µs later: drop gives the original's flows, keep counts every copy${tools ? "" : " [skipped: tshark, editcap and mergecap are not installed (Debian: tshark)]"}`,
      () =>
        Effect.gen(function* () {
          // without the packets a host itself sends twice alike, which are never taken for copies
          const original = tempFile(new Uint8Array(0), `own-${basename(capture)}`)
          execFileSync("tshark", ["-n", "-r", fixture(capture), "-Y", OWN_REPEATS, "-F", "pcap", "-w", original], { stdio: ["ignore", "ignore", "pipe"] })
          const later = tempFile(new Uint8Array(0), `later-${basename(capture)}`)
          const doubled = tempFile(new Uint8Array(0), `doubled-${basename(capture)}`)
          execFileSync("editcap", ["-t", "0.00002", original, later], { stdio: ["ignore", "ignore", "pipe"] })
          execFileSync("mergecap", ["-F", "pcap", "-w", doubled, original, later], { stdio: ["ignore", "ignore", "pipe"] })
          const clean = yield* collectCapture(original)
          expect(duplicatesOf(clean.findings)).toBe(0)
          const dropped = yield* collectCapture(doubled, { duplicates: "drop" })
          expect(content(dropped.flows)).toEqual(content(clean.flows))
          const packets = clean.flows.reduce((sum, f) => sum + f.fwd_packets + f.bwd_packets, 0)
          expect(duplicatesOf(dropped.findings)).toBe(packets)
          const kept = yield* collectCapture(doubled)
          expect(kept.flows.reduce((sum, f) => sum + f.fwd_packets + f.bwd_packets, 0)).toBe(2 * packets)
          // the filter's recent signatures travel in the checkpoints: a resumed read counts the same copies
          for (const duplicates of ["keep", "drop"] as const) {
            const options = { duplicates, idleTimeoutS: 1, batchFlows: 3, checkpoints: true }
            const batches = batchesOf((yield* collectCapture(doubled, options)).events)
            expect(batches.length, duplicates).toBeGreaterThan(2)
            const full = yield* collectCapture(doubled, options)
            for (const k of [0, Math.floor(batches.length / 2)]) {
              const resumed = (yield* collectCapture(doubled, options, { nextBatch: k + 1, checkpoint: batches[k]!.checkpoint! })).events
              expect(rowsOf(batchesOf(resumed)), `${duplicates} from ${k}`).toEqual(rowsOf(batches.slice(k + 1)))
              expect(batchesOf(resumed).map((b) => digest(b.checkpoint)), `${duplicates} from ${k}`).toEqual(batches.slice(k + 1).map((b) => digest(b.checkpoint)))
              expect(duplicatesOf(resumed.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))), `${duplicates} from ${k}`).toBe(duplicatesOf(full.findings))
            }
          }
        })
    )
  }
})
