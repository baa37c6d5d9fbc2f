/**
 * Containers and link types on hand-made captures: pcap headers, pcapng sections/interfaces/
 * blocks, gzip, detection by magic number, refusals and empty files.
 */
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readdirSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { describeUnread } from "../src/capture/format.js"
import { inspectCapture } from "../src/capture/open-capture.js"
import { collectCapture } from "./helpers/collect.js"
import { hasCommand } from "@hashhound/testkit"
import { type Rec, ether, ipv4, ipv6, nflog, nullLink, pcap, PcapngWriter, pflog, ppi, radiotap, sll, sll2, TCP_SYN, tcp, udp, wifi } from "./helpers/frames.js"
import { tempFile } from "./helpers/temp-files.js"
import { conversationLines, flowLines, tsharkConversations } from "./helpers/tshark-conversations.js"

const T0 = 1_700_000_000
const v4 = (sport: number) => ipv4("10.1.1.1", "10.2.2.2", 17, udp(sport, 53, Buffer.alloc(10)))
const v6 = (sport: number) => ipv6("2001:db8::1", "2001:db8::2", 17, udp(sport, 53, Buffer.alloc(10)))

const read = (bytes: Buffer, name = "x.pcap") => collectCapture(tempFile(bytes, name))

describe("classic pcap headers", () => {
  for (const littleEndian of [true, false]) {
    for (const nano of [false, true]) {
      it.effect(`${littleEndian ? "little" : "big"}-endian ${nano ? "ns" : "µs"} timestamps`, () =>
        Effect.gen(function* () {
          const { flows } = yield* read(pcap([{ t: T0 + 0.123456, frame: ether(v4(1)) }], { littleEndian, nano }))
          expect(flows.map((f) => f.first_seen_us)).toEqual([T0 * 1e6 + 123456])
        }))
    }
  }
})

describe("modified pcap (Kuznetsov's patched tcpdump, magic 0xa1b2cd34)", () => {
  /** the same records with the modified format's magic and 24-byte record headers (ifindex, protocol, type, pad) */
  const modified = (classic: Buffer, littleEndian: boolean): Buffer => {
    const u32 = (at: number) => (littleEndian ? classic.readUInt32LE(at) : classic.readUInt32BE(at))
    const head = Buffer.from(classic.subarray(0, 24))
    if (littleEndian) head.writeUInt32LE(0xa1b2cd34, 0)
    else head.writeUInt32BE(0xa1b2cd34, 0)
    const parts: Array<Buffer> = [head]
    for (let at = 24; at + 16 <= classic.length; at += 16 + u32(at + 8)) {
      parts.push(classic.subarray(at, at + 16), Buffer.from([0, 0, 0, 2, 8, 0, 0, 0]), classic.subarray(at + 16, at + 16 + u32(at + 8)))
    }
    return Buffer.concat(parts)
  }
  for (const littleEndian of [true, false]) {
    it.effect(`${littleEndian ? "little" : "big"}-endian: the same flows as classic pcap; a file cut in a record header says 24 bytes`, () =>
      Effect.gen(function* () {
        const records = [0, 1, 2].map((i) => ({ t: T0 + i, frame: ether(v4(100 + i)) }))
        const classic = yield* read(pcap(records, { littleEndian }))
        const bytes = modified(pcap(records, { littleEndian }), littleEndian)
        const mod = yield* read(bytes)
        expect(mod.flows.map((f) => [f.src_port, f.first_seen_us, f.fwd_bytes])).toEqual(classic.flows.map((f) => [f.src_port, f.first_seen_us, f.fwd_bytes]))
        expect(mod.findings).toEqual([])
        const cut = yield* read(bytes.subarray(0, bytes.length - (ether(v4(102)).length + 10)))
        expect(cut.flows).toHaveLength(2)
        expect(cut.findings.map((f) => f.message)).toEqual(["file ends inside a record header (14 of 24 bytes)"])
      }))
  }
})

describe("link types", () => {
  it.effect("SLL, SLL2, raw IP (101, 12, 228, 229), NULL and LOOP in both byte orders", () =>
    Effect.gen(function* () {
      const cases: Array<[number, Buffer, number]> = [
        [113, sll(v4(1)), 4],
        [113, sll(v6(2), 0x86dd), 6],
        [276, sll2(v4(3)), 4],
        [101, v6(4), 6],
        [12, v4(5), 4],
        [228, v4(6), 4],
        [229, v6(7), 6],
        [0, nullLink(v4(8), 2, true), 4],
        [0, nullLink(v6(9), 30, true), 6],
        [0, nullLink(v6(10), 24, false), 6],
        [108, nullLink(v4(11), 2, false), 4],
        [108, nullLink(v6(12), 28, true), 6]
      ]
      for (const [linkType, frame, version] of cases) {
        const { flows } = yield* read(pcap([{ t: T0, frame }], { linkType }))
        expect(flows.map((f) => [f.ip_version, f.protocol, f.dst_port]), `link type ${linkType}`).toEqual([[version, 17, 53]])
      }
    }))

  it.effect("a NULL header that is no address family but ends in the IPv4/IPv6 EtherType is read as Wireshark reads it", () =>
    Effect.gen(function* () {
      const cases: Array<[Buffer, number]> = [
        [nullLink(v4(1), 0x0f000800, false), 4],
        [nullLink(v6(3), 0x000086dd, false), 6]
      ]
      for (const [frame, version] of cases) {
        const { flows } = yield* read(pcap([{ t: T0, frame }], { linkType: 0 }))
        expect(flows.map((f) => f.ip_version)).toEqual([version])
      }
      // ARP's EtherType is not IP; 1000 is neither a family nor an EtherType; 0x0800 in the first two bytes is not where it goes
      for (const [family, littleEndian] of [[0x0f000806, false], [1000, false], [0x0f000800, true]] as const) {
        const { flows, findings } = yield* read(pcap([{ t: T0, frame: nullLink(v4(4), family, littleEndian) }], { linkType: 0 }))
        expect([flows.length, findings.map((f) => f.code)]).toEqual([0, ["non_ip"]])
      }
    }))

  it.effect("802.11 data frames (105, radiotap 127, PPI): LLC/SNAP to IP; management, empty and protected frames are not IP", () =>
    Effect.gen(function* () {
      const plain = yield* read(
        pcap(
          [
            { t: T0, frame: wifi(0, 0x02, v4(1)) }, // data, from the access point
            { t: T0, frame: wifi(8, 0x01, v4(2)) }, // QoS data, to the access point
            { t: T0, frame: wifi(8, 0x83, v4(3)) }, // QoS data with four addresses and HT control
            { t: T0, frame: wifi(4, 0x01, Buffer.alloc(0)) }, // null data
            { t: T0, frame: wifi(0, 0x41, v4(5)) }, // protected
            { t: T0, frame: wifi(8, 0x00, v4(6), { type: 0 }) } // a management frame
          ],
          { linkType: 105 }
        )
      )
      expect(plain.flows.map((f) => f.src_port).sort()).toEqual([1, 2, 3])
      expect(plain.findings.map((f) => [f.code, f.count])).toEqual([["non_ip", 3]])
      const tapped = yield* read(pcap([{ t: T0, frame: radiotap(wifi(8, 0x01, v4(7))) }], { linkType: 127 }))
      expect(tapped.flows.map((f) => [f.src_port, f.fwd_bytes])).toEqual([[7, 20 + 8 + 10]])
      const wrapped = yield* read(pcap([{ t: T0, frame: ppi(105, wifi(0, 0x02, v4(8))) }], { linkType: 192 }))
      expect(wrapped.flows.map((f) => f.src_port)).toEqual([8])
    }))

  it.effect("PPI (192): the header is skipped and the frame read by the link type it names", () =>
    Effect.gen(function* () {
      const { flows, findings } = yield* read(
        pcap(
          [
            { t: T0, frame: ppi(1, ether(v4(1))) },
            { t: T0, frame: ppi(113, sll(v6(2), 0x86dd), 32) },
            { t: T0, frame: ppi(147, Buffer.alloc(40)) },
            { t: T0, frame: ppi(192, ppi(1, ether(v4(3)))) },
            { t: T0, frame: ppi(1, Buffer.alloc(0), 60) }
          ],
          { linkType: 192 }
        )
      )
      expect(flows.map((f) => [f.ip_version, f.src_port])).toEqual([
        [4, 1],
        [6, 2]
      ])
      // a user link type inside and PPI inside PPI are not decoded; a header longer than the frame is malformed
      expect(findings.map((f) => [f.code, f.count])).toEqual([
        ["skipped_link_type", 2],
        ["malformed_packet", 1]
      ])
    }))

  it.effect("PFLOG (117): the packet after the header's own length, rounded up to 4; the address family gives the version", () =>
    Effect.gen(function* () {
      const path = tempFile(
        pcap(
          [
            { t: T0, frame: pflog(2, v4(1)) },
            { t: T0, frame: pflog(24, v6(2)) }, // OpenBSD's AF_INET6
            { t: T0, frame: pflog(28, v6(3), 100) }, // FreeBSD's, with a longer header
            { t: T0, frame: pflog(7, v4(4)) }, // no IP family
            { t: T0, frame: pflog(2, Buffer.alloc(0), 200).subarray(0, 60) } // a header longer than the frame
          ],
          { linkType: 117 }
        )
      )
      const { flows, findings } = yield* collectCapture(path)
      expect(flows.map((f) => [f.ip_version, f.src_port])).toEqual([
        [4, 1],
        [6, 2],
        [6, 3]
      ])
      expect(findings.map((f) => [f.code, f.count])).toEqual([
        ["non_ip", 1],
        ["malformed_packet", 1]
      ])
    }))

  it.effect("NFLOG (239): the packet is the payload attribute's value, attributes in either byte order", () =>
    Effect.gen(function* () {
      const hdr: readonly [number, Buffer] = [1, Buffer.from([0x08, 0x00, 3, 0])] // NFULA_PACKET_HDR
      const prefix: readonly [number, Buffer] = [10, Buffer.from("drop\0")] // NFULA_PREFIX, padded
      const cut = nflog(2, [hdr, [9, v4(4)]])
      const path = tempFile(
        pcap(
          [
            { t: T0, frame: nflog(2, [hdr, prefix, [9, v4(1)]]) },
            { t: T0, frame: nflog(10, [hdr, [9, v6(2)]], false) },
            { t: T0, frame: nflog(2, [hdr, prefix]) }, // no payload: nothing to meter
            { t: T0, frame: nflog(2, [[1, Buffer.alloc(0)], [9, v4(9)]]).fill(0, 4, 6) }, // an attribute of length 0
            { t: T0, frame: cut, caplen: cut.length - 10 } // snaplen cut inside the packet
          ],
          { linkType: 239 }
        )
      )
      const { flows, findings } = yield* collectCapture(path)
      expect([...flows].sort((x, y) => (x.src_port ?? 0) - (y.src_port ?? 0)).map((f) => [f.ip_version, f.src_port, f.fwd_bytes])).toEqual([
        [4, 1, 38],
        [6, 2, 58],
        [4, 4, 38]
      ])
      expect(findings.map((f) => [f.code, f.count])).toEqual([
        ["non_ip", 1],
        ["malformed_packet", 1],
        ["truncated_packet", 1]
      ])
    }))

  const tshark = hasCommand("tshark")
  it.effect.skipIf(!tshark)(
    `PFLOG and NFLOG flows are tshark's conversations, frames and bytes${tshark ? "" : " [skipped: tshark is not installed (Debian: tshark)]"}`,
    () =>
      Effect.gen(function* () {
        const exchange = (wrap: (packet: Buffer) => Buffer): Array<Rec> => [
          { t: T0, frame: wrap(ipv4("10.1.1.1", "10.2.2.2", 6, tcp(40000, 3333, TCP_SYN))) },
          { t: T0 + 0.01, frame: wrap(ipv4("10.2.2.2", "10.1.1.1", 6, tcp(3333, 40000, 0x12))) },
          { t: T0 + 0.02, frame: wrap(ipv6("2001:db8::1", "2001:db8::2", 17, udp(5353, 53, Buffer.alloc(30)))) }
        ]
        const family = (packet: Buffer) => (packet[0]! >> 4 === 4 ? 2 : 0)
        const captures = [
          pcap(exchange((p) => pflog(family(p) || 24, p)), { linkType: 117 }),
          pcap(exchange((p) => nflog(family(p) || 10, [[1, Buffer.alloc(4)], [9, p]])), { linkType: 239 })
        ]
        for (const bytes of captures) {
          const path = tempFile(bytes)
          const { flows } = yield* collectCapture(path, { byteLayer: "link" })
          expect(flows).toHaveLength(2)
          expect(flowLines(flows)).toEqual(conversationLines(tsharkConversations(path)))
        }
      })
  )

  it.effect("frames of unsupported link types are skipped with one finding per link type", () =>
    Effect.gen(function* () {
      const ng = new PcapngWriter()
        .shb()
        .idb(1)
        .idb(147)
        .idb(163)
        .epb(0, BigInt(T0) * 1_000_000n, ether(v4(1)))
        .epb(1, BigInt(T0) * 1_000_000n, Buffer.alloc(30))
        .epb(1, BigInt(T0) * 1_000_000n, Buffer.alloc(30))
        .epb(2, BigInt(T0) * 1_000_000n, Buffer.alloc(30))
        .finish()
      const { flows, findings } = yield* read(ng, "x.pcapng")
      expect(flows).toHaveLength(1)
      // one finding per link type, in link-type order: 147 (named by number) twice, then 163 (AVS) once
      expect(findings.filter((f) => f.code === "skipped_link_type").map((f) => [f.count, f.message.includes("147")])).toEqual([
        [2, true],
        [1, false]
      ])
    }))
})

describe("pcapng", () => {
  it.effect("a time that µs since the epoch cannot hold takes the previous packet's time and is reported", () =>
    Effect.gen(function* () {
      const ng = new PcapngWriter()
        .shb()
        .idb(1)
        .epb(0, BigInt(T0) * 1_000_000n, ether(v4(1)))
        // another datagram of the same flow (a byte-identical one at the same time would be a copy)
        .epb(0, 2n ** 64n - 1n, ether(ipv4("10.1.1.1", "10.2.2.2", 17, udp(1, 53, Buffer.alloc(10, 7)))))
        .epb(0, BigInt(T0 + 1) * 1_000_000n, ether(v4(2)))
        .finish()
      const { flows, findings } = yield* read(ng, "x.pcapng")
      expect(flows.map((f) => [f.src_port, f.fwd_packets, f.first_seen_us, f.last_seen_us])).toEqual([
        [1, 2, T0 * 1e6, T0 * 1e6],
        [2, 1, (T0 + 1) * 1e6, (T0 + 1) * 1e6]
      ])
      expect(findings.map((f) => [f.code, f.severity, f.count])).toEqual([["bad_timestamp", "warn", 1]])
    }))

  it.effect("sections of both byte orders, interfaces with their own tsresol/tsoffset, EPB/SPB/PB, unknown blocks skipped", () =>
    Effect.gen(function* () {
      const ng = new PcapngWriter(true)
        .shb(true)
        .idb(1, { tsresol: 9 }) // ns
        .idb(113, { tsresol: 3, tsoffset: 100 }) // ms, +100 s
        .other(0x0bad0bad, Buffer.alloc(20, 7))
        .epb(0, BigInt(T0) * 1_000_000_000n + 123_456_789n, ether(v4(1)))
        .epb(1, BigInt(T0) * 1000n + 5n, sll(v4(2)))
        .shb(false)
        .idb(101, { tsresol: 0x80 | 20 }) // 2^-20 s
        .epb(0, BigInt(T0) << 20n, v6(3))
        .pb(0, (BigInt(T0) << 20n) + (1n << 19n), v6(4))
        .spb(v6(5))
        .finish()
      const { flows } = yield* read(ng, "x.pcapng")
      // the simple packet block has no timestamp: it takes the latest time seen (the +100 s interface)
      expect(flows.map((f) => [f.src_port, f.first_seen_us])).toEqual([
        [3, T0 * 1e6],
        [1, T0 * 1e6 + 123456],
        [4, T0 * 1e6 + 500000],
        [2, (T0 + 100) * 1e6 + 5000],
        [5, (T0 + 100) * 1e6 + 5000]
      ])
  }))
})

describe("containers", () => {
  it.effect("gzip-compressed captures read like the plain ones", () =>
    Effect.gen(function* () {
      const plain = pcap(Array.from({ length: 50 }, (_, i) => ({ t: T0 + i, frame: ether(v4(1000 + i)) })))
      const a = yield* read(plain)
      const b = yield* read(gzipSync(plain), "x.pcap.gz")
      expect(b.flows).toEqual(a.flows)
      expect(a.flows).toHaveLength(50)
    }))

  it.live.skipIf(!existsSync("/proc/self/fd"))("a gzip capture's files are closed once read or inspected (a folder of many must not run out of descriptors)", () =>
    Effect.gen(function* () {
      // long enough that the inspection (64 bytes) and the reader's first window stop well before its end
      const plain = pcap(Array.from({ length: 40_000 }, (_, i) => ({ t: T0 + i, frame: ether(v4(1000 + (i % 500))) })))
      const paths = Array.from({ length: 20 }, (_, i) => tempFile(gzipSync(plain), `many-${i}.pcap.gz`))
      const open = (): number => readdirSync("/proc/self/fd").length
      const before = open()
      for (const path of paths) yield* Effect.promise(() => inspectCapture(path))
      expect((yield* collectCapture(paths[0]!)).flows).toHaveLength(40_000)
      yield* Effect.sleep("50 millis")
      expect(open()).toBeLessThan(before + 5)
    }))

  it.effect("format comes from the magic number, not the name", () =>
    Effect.gen(function* () {
      const ng = new PcapngWriter().shb().idb(1).epb(0, BigInt(T0) * 1_000_000n, ether(v4(9))).finish()
      expect((yield* read(ng, "looks-like.pcap")).flows).toHaveLength(1)
      expect((yield* read(pcap([{ t: T0, frame: ether(v4(9)) }]), "looks-like.pcapng")).flows).toHaveLength(1)
    }))

  it.effect("anything else is refused with InputError and a clear reason", () =>
    Effect.gen(function* () {
      const text = yield* Effect.flip(read(Buffer.from("ts,src,dst\n1,2,3\n"), "x.pcap"))
      expect(text._tag).toBe("InputError")
      expect(text.message).toMatch(/not a pcap or pcapng capture.*text/)
      const zstd = yield* Effect.flip(read(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]), "x.pcap.zst"))
      expect(zstd.message).toMatch(/zstd/)
      const gzText = yield* Effect.flip(read(gzipSync(Buffer.from("hello world")), "x.gz"))
      expect(gzText.message).toMatch(/inside gzip/)
      const missing = yield* Effect.flip(collectCapture("/nonexistent/capture.pcap"))
      expect(missing._tag).toBe("InputError")
    }))

  it.effect("an empty file gives zero flows and says so", () =>
    Effect.gen(function* () {
      const { flows, findings } = yield* read(Buffer.alloc(0))
      expect(flows).toEqual([])
      expect(findings.map((f) => f.code)).toEqual(["empty_capture"])
      const short = yield* read(pcap([]).subarray(0, 10))
      expect(short.findings.map((f) => f.code)).toEqual(["truncated_file"])
    }))
})

describe("describeUnread", () => {
  const bytes = (...values: Array<number>) => Uint8Array.from(values)
  const none = new Uint8Array(0)

  it("names what a file no source reads looks like", () => {
    expect(describeUnread(none, none)).toBe("an empty file")
    expect(describeUnread(bytes(0x28, 0xb5, 0x2f, 0xfd, 0), none)).toMatch(/^zstd-compressed data: not supported \(decompress it first, e\.g\. `zstd -d`\)/)
    expect(describeUnread(Buffer.from("snoop\0\0\0\0\0\0\x02"), none)).toMatch(/^a Solaris snoop capture .*editcap -F pcap/)
    expect(describeUnread(Buffer.from("BZh91AY&SY"), none)).toBe("bzip2-compressed data (decompress it first)")
    expect(describeUnread(Buffer.from("ts,src,dst\n"), none)).toBe("text")
    expect(describeUnread(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1), none)).toBe("binary data starting with 0x7f454c46")
  })

  it("a gzip file by what it unpacks to", () => {
    const gz = gzipSync(Buffer.from("hello"))
    expect(describeUnread(gz, Buffer.from("hello"))).toBe("gzip-compressed text")
    expect(describeUnread(gz, none)).toBe("an empty gzip stream")
    expect(describeUnread(gz, gzipSync(Buffer.from("x")))).toBe("gzip-compressed gzip data (decompress the outer layer first)")
  })
})
