/**
 * Damaged input: garbage, impossible lengths, files and gzip streams cut short, pcapng framing
 * errors, and a fast-check fuzz over truncated and mutated real captures (HASHHOUND_FUZZ_RUNS,
 * HASHHOUND_FUZZ_SEED).
 */
import { it } from "@effect/vitest"
import { PluginError } from "@hashhound/core"
import { describeFixtures, fixture, hasFixtures } from "@hashhound/testkit"
import { Duration, Effect } from "effect"
import fc from "fast-check"
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { collectCapture } from "./helpers/collect.js"
import { ether, ipv4, pcap, PcapngWriter, udp, type Rec } from "./helpers/frames.js"
import { tempFile } from "./helpers/temp-files.js"

const T0 = 1_700_000_000
const rec = (i: number): Rec => ({ t: T0 + i, frame: ether(ipv4("10.0.0.1", "10.0.0.2", 17, udp(1000 + i, 53, Buffer.alloc(20)))) })
const RECORD = 16 + rec(0).frame.length
const hundred = (): Buffer => pcap(Array.from({ length: 100 }, (_, i) => rec(i)))
const offsetOf = (i: number): number => 24 + i * RECORD
const ports = (flows: ReadonlyArray<{ src_port: number | null }>): Array<number> => flows.map((f) => f.src_port! - 1000)

describe("damaged classic pcap", () => {
  it.effect("garbage between records: every flow is kept, the damage is reported where it is", () =>
    Effect.gen(function* () {
      const clean = hundred()
      const at = offsetOf(40)
      const garbage = Buffer.from(Array.from({ length: 37 }, (_, i) => (i * 97 + 13) & 0xff))
      const bytes = Buffer.concat([clean.subarray(0, at), garbage, clean.subarray(at)])
      const { flows, findings } = yield* collectCapture(tempFile(bytes))
      expect(ports(flows)).toEqual(Array.from({ length: 100 }, (_, i) => i))
      const damage = findings.filter((f) => f.code === "corrupt_record")
      expect(damage).toHaveLength(1)
      expect(damage[0]!.offset).toBe(at)
      expect(damage[0]!.message).toMatch(new RegExp(`resynchronised at offset ${at + 37} after skipping 37 bytes`))
      expect(damage[0]!.capture).toBeDefined()
    }))

  it.effect("an impossible record length: flows before it are kept, reading resumes at the next good record", () =>
    Effect.gen(function* () {
      const bytes = hundred()
      bytes.writeUInt32LE(0x7fffffff, offsetOf(50) + 8)
      const { flows, findings } = yield* collectCapture(tempFile(bytes))
      expect(ports(flows)).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 50))
      expect(findings.map((f) => [f.code, f.offset])).toEqual([["corrupt_record", offsetOf(50)]])
    }))

  it.effect("a file cut short inside a record keeps everything before and the cut packet as far as it goes", () =>
    Effect.gen(function* () {
      const bytes = hundred().subarray(0, offsetOf(70) + 16 + 40)
      const { flows, findings } = yield* collectCapture(tempFile(bytes))
      expect(ports(flows)).toEqual(Array.from({ length: 71 }, (_, i) => i))
      expect(findings.map((f) => [f.code, f.offset])).toEqual([
        ["truncated_file", offsetOf(70)],
        ["truncated_packet", undefined]
      ])
      const cutHeader = yield* collectCapture(tempFile(hundred().subarray(0, offsetOf(10) + 5)))
      expect(cutHeader.flows).toHaveLength(10)
      expect(cutHeader.findings.map((f) => f.code)).toEqual(["truncated_file"])
    }))

  it.effect("garbage to the end of the file: flows before it are kept, one finding", () =>
    Effect.gen(function* () {
      const bytes = Buffer.concat([hundred().subarray(0, offsetOf(30)), Buffer.alloc(5000, 0xee)])
      const { flows, findings } = yield* collectCapture(tempFile(bytes))
      expect(flows).toHaveLength(30)
      expect(findings.map((f) => f.code)).toEqual(["corrupt_record"])
      expect(findings[0]!.message).toMatch(/skipped to the end/)
    }))

  it.effect("a gzip stream cut short keeps what was decompressed and reports it", () =>
    Effect.gen(function* () {
      const big = pcap(Array.from({ length: 3000 }, (_, i) => rec(i)))
      const gz = gzipSync(big, { level: 1 })
      const { flows, findings } = yield* collectCapture(tempFile(gz.subarray(0, Math.floor(gz.length / 2)), "cut.pcap.gz"))
      expect(flows.length).toBeGreaterThan(100)
      expect(flows.length).toBeLessThan(3000)
      expect(findings.some((f) => f.code === "truncated_file")).toBe(true)
    }))
})

describe("damaged pcapng", () => {
  const section = (w: PcapngWriter, from: number, to: number): PcapngWriter => {
    for (let i = from; i < to; i++) w.epb(0, BigInt(T0 + i) * 1_000_000n, rec(i).frame)
    return w
  }

  it.effect("garbage between blocks and a block whose trailing length disagrees: resynchronised, flows kept", () =>
    Effect.gen(function* () {
      const w = section(new PcapngWriter().shb().idb(1), 0, 10)
      w.raw(Buffer.alloc(23, 0x5a))
      section(w, 10, 20)
      const bytes = w.finish()
      const { flows, findings } = yield* collectCapture(tempFile(bytes, "g.pcapng"))
      expect(ports(flows)).toEqual(Array.from({ length: 20 }, (_, i) => i))
      expect(findings.map((f) => f.code)).toEqual(["corrupt_record"])
      // now break one EPB's trailing length: that block is lost, the rest is read
      const w2 = section(new PcapngWriter().shb().idb(1), 0, 20).finish()
      const blockLen = w2.readUInt32LE(28 + 20 + 4)
      const fifth = 28 + 20 + 4 * blockLen
      w2.writeUInt32LE(12345, fifth + blockLen - 4)
      const broken = yield* collectCapture(tempFile(w2, "t.pcapng"))
      expect(ports(broken.flows)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 4))
      expect(broken.findings.map((f) => [f.code, f.offset])).toEqual([["corrupt_record", fifth]])
    }))

  it.effect("a packet block naming an interface no IDB describes is skipped and reported", () =>
    Effect.gen(function* () {
      const w = new PcapngWriter().shb().idb(1).epb(3, BigInt(T0) * 1_000_000n, rec(0).frame)
      section(w, 1, 3)
      const { flows, findings } = yield* collectCapture(tempFile(w.finish(), "i.pcapng"))
      expect(ports(flows)).toEqual([1, 2])
      expect(findings.map((f) => f.code)).toEqual(["unknown_interface"])
    }))

  it.effect("cut short inside a block", () =>
    Effect.gen(function* () {
      const bytes = section(new PcapngWriter().shb().idb(1), 0, 10).finish()
      const { flows, findings } = yield* collectCapture(tempFile(bytes.subarray(0, bytes.length - 30), "c.pcapng"))
      expect(flows).toHaveLength(10)
      expect(findings.map((f) => f.code)).toEqual(["truncated_file", "truncated_packet"])
    }))
})

const FUZZ_RUNS = Number(process.env["HASHHOUND_FUZZ_RUNS"] ?? 300)
/** A case takes about 5 ms on a 2-core machine; the limit grows with the runs asked for. */
const FUZZ_TIMEOUT_MS = 120_000 + FUZZ_RUNS * 20
const FUZZ_INPUTS = [
  "mining/peafowl-monero.pcap",
  "formats/ndpi/dtls.pcap",
  "formats/pcapplusplus/many_interfaces-1.pcapng",
  "formats/pcapplusplus/ip6_fragments.pcap",
  "formats/tcpdump/quic_handshake.pcap",
  "formats/tcpdump/mptcp-v1.pcap",
  "formats/pcapng-test-generator/output_be/advanced/test102.pcapng",
  // PPI in front of Ethernet, and IPv6 routing headers whose final destination keys the flow
  "formats/ndpi/someip_sd_sample.pcap",
  "formats/tcpdump/ipv6-routing-header.pcap",
  // PPTP's GRE with IP and PPP control frames inside (dtls.pcap above has GTP-U)
  "formats/pcapplusplus/GrePackets.cap"
]

describeFixtures(`fuzz: truncated and mutated real captures (${FUZZ_RUNS} runs; HASHHOUND_FUZZ_RUNS for more)`, () => {
  // the body runs while tests are collected even when the group is skipped: read only when present
  const inputs = hasFixtures() ? FUZZ_INPUTS.map((path) => readFileSync(fixture(path))) : [Buffer.alloc(0)]
  const gz = gzipSync(inputs[0]!)

  const mutation = fc.record({
    input: fc.nat({ max: inputs.length }),
    cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
    splice: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ maxLength: 64 })), { nil: undefined })
  })

  it.effect("never crashes, hangs or fails with anything but a clean InputError", () =>
    Effect.gen(function* () {
      const cases = fc.sample(mutation, { numRuns: FUZZ_RUNS, seed: Number(process.env["HASHHOUND_FUZZ_SEED"] ?? 20240601) })
      let refused = 0
      let damaged = 0
      for (const m of cases) {
        const source = m.input === inputs.length ? gz : inputs[m.input]!
        let bytes = Buffer.from(source)
        for (const [where, value] of m.flips) bytes[Math.floor(where * bytes.length)] = value
        if (m.splice !== undefined) {
          const at = Math.floor(m.splice[0] * bytes.length)
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.splice[1]), bytes.subarray(at)])
        }
        if (m.cut !== undefined) bytes = bytes.subarray(0, Math.floor(m.cut * bytes.length))
        const outcome = yield* collectCapture(tempFile(bytes, "fuzz.bin"), { batchFlows: 16 }).pipe(
          Effect.timeoutFail({
            duration: Duration.seconds(10),
            onTimeout: () => new PluginError({ pluginId: "source.pcap", stage: "reading", reason: `hang: ${JSON.stringify(m)}` })
          }),
          Effect.either
        )
        if (outcome._tag === "Left") {
          expect(outcome.left._tag, JSON.stringify(m)).toBe("InputError")
          refused++
        } else {
          const { flows, findings } = outcome.right
          if (findings.some((f) => f.severity === "warn")) damaged++
          for (const f of flows) expect(f.fwd_packets + f.bwd_packets).toBeGreaterThan(0)
        }
      }
      expect(refused + damaged).toBeGreaterThan(0)
    }), FUZZ_TIMEOUT_MS)
})
