import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { hasCommand } from "@hashhound/testkit"
import fc from "fast-check"
import {
  foldChecksum,
  formatIpv4,
  formatIpv6,
  PacketBuilder,
  parseIpv4,
  parseIpv6,
  parseMac,
  PcapWriter,
  sumWords,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  writeSynOptions,
  writeTimestampOption
} from "../../src/writer/index.js"

const hasTshark = (): boolean => hasCommand("tshark")

const setEndpoints = (b: PacketBuilder): void => {
  b.srcMac.set(parseMac("02:00:00:00:00:01")!)
  b.dstMac.set(parseMac("02:00:00:00:00:02")!)
  b.src4 = parseIpv4("192.168.2.148")
  b.dst4 = parseIpv4("94.23.199.191")
  b.srcPort = 46838
  b.dstPort = 3333
}

describe("checksum", () => {
  it("matches the classic IPv4 header example", () => {
    const header = Buffer.from("450000730000400040110000c0a80001c0a800c7", "hex")
    expect(foldChecksum(sumWords(header, 0, header.length))).toBe(0xb861)
  })

  it("pads an odd trailing byte with zero", () => {
    expect(sumWords(Uint8Array.of(0x12, 0x34, 0x56), 0, 3)).toBe(0x1234 + 0x5600)
  })
})

describe("addresses", () => {
  it("parses and formats IPv4, IPv6 and MAC text", () => {
    expect(formatIpv4(parseIpv4("10.20.30.40"))).toBe("10.20.30.40")
    expect(Number.isNaN(parseIpv4("10.20.30"))).toBe(true)
    expect(Number.isNaN(parseIpv4("10.20.30.256"))).toBe(true)
    expect(Buffer.from(parseIpv6("2001:db8::1")!).toString("hex")).toBe("20010db8000000000000000000000001")
    expect(parseIpv6("1::2::3")).toBeUndefined()
    expect(formatIpv6(parseIpv6("2001:db8:0:0:1:0:0:1")!)).toBe("2001:db8::1:0:0:1")
    expect(formatIpv6(parseIpv6("2001:db8::")!)).toBe("2001:db8::")
    expect(formatIpv6(parseIpv6("2001:db8:1:2:3:4:0:5")!)).toBe("2001:db8:1:2:3:4:0:5")
    expect(parseMac("02:00:5e:10:00:zz")).toBeUndefined()
  })
})

describe("PacketBuilder", () => {
  it("writes an IPv4/TCP frame whose IP and TCP checksums verify", () => {
    const b = new PacketBuilder()
    setEndpoints(b)
    b.ttl = 64
    b.ipId = 0x7bba
    b.seq = 480374797
    b.flags = TCP_SYN
    b.window = 29200
    b.optionsLength = writeSynOptions(b.options, 0, "linux", 1460, 7, true, 480374797, 0)
    const length = b.buildTcp(null, 0, 0)
    expect(b.optionsLength).toBe(20)
    expect(length).toBe(14 + 20 + 40)
    const f = b.frame
    expect(f.readUInt16BE(12)).toBe(0x0800)
    expect(foldChecksum(sumWords(f, 14, 20))).toBe(0)
    // TCP checksum over pseudo header + segment verifies to zero
    const pseudo = Buffer.alloc(12)
    pseudo.writeUInt32BE(b.src4, 0)
    pseudo.writeUInt32BE(b.dst4, 4)
    pseudo[9] = 6
    pseudo.writeUInt16BE(40, 10)
    expect(foldChecksum(sumWords(f, 34, 40, sumWords(pseudo, 0, 12)))).toBe(0)
  })

  it("keeps TCP and UDP checksums valid for any payload (property)", () => {
    const b = new PacketBuilder()
    setEndpoints(b)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1600 }), fc.boolean(), fc.boolean(), (payload, udp, v6) => {
        b.ipVersion = v6 ? 6 : 4
        if (v6) {
          b.src6.set(parseIpv6("2001:db8::10")!)
          b.dst6.set(parseIpv6("2001:db8:1::53")!)
        }
        b.optionsLength = udp ? 0 : writeTimestampOption(b.options, 0, 1, 2)
        b.flags = TCP_ACK | TCP_PSH
        const length = udp ? b.buildUdp(payload, 0, payload.length) : b.buildTcp(payload, 0, payload.length)
        const l4 = v6 ? 54 : 34
        const l4Length = length - l4
        const pseudo = Buffer.alloc(v6 ? 40 : 12)
        if (v6) {
          pseudo.set(b.src6, 0)
          pseudo.set(b.dst6, 16)
          pseudo.writeUInt32BE(l4Length, 32)
          pseudo[39] = udp ? 17 : 6
        } else {
          pseudo.writeUInt32BE(b.src4, 0)
          pseudo.writeUInt32BE(b.dst4, 4)
          pseudo[9] = udp ? 17 : 6
          pseudo.writeUInt16BE(l4Length, 10)
        }
        const verify = foldChecksum(sumWords(b.frame, l4, l4Length, sumWords(pseudo, 0, pseudo.length)))
        expect(verify).toBe(0)
        if (!v6) expect(foldChecksum(sumWords(b.frame, 14, 20))).toBe(0)
        expect(Buffer.compare(b.frame.subarray(length - payload.length, length), Buffer.from(payload))).toBe(0)
      }),
      { numRuns: 200 }
    )
  })

  it("writes 802.1Q tags before the IP ethertype", () => {
    const b = new PacketBuilder()
    setEndpoints(b)
    b.vlanId = 42
    const length = b.buildUdp(Buffer.from("hello"), 0, 5)
    expect(b.frame.readUInt16BE(12)).toBe(0x8100)
    expect(b.frame.readUInt16BE(14)).toBe(42)
    expect(b.frame.readUInt16BE(16)).toBe(0x0800)
    expect(length).toBe(18 + 20 + 8 + 5)
  })
})

describe("PcapWriter", () => {
  it("writes a little-endian pcap with µs and ns stamps and truncates at snaplen", () => {
    const dir = mkdtempSync(join(tmpdir(), "hh-writer-"))
    try {
      const b = new PacketBuilder()
      setEndpoints(b)
      const payload = Buffer.alloc(1000, 0x61)
      for (const precision of ["us", "ns"] as const) {
        const path = join(dir, `t-${precision}.pcap`)
        const w = PcapWriter.open(path, { precision, snaplen: 200, bufferBytes: 1 })
        const length = b.buildTcp(payload, 0, payload.length)
        w.writeAt(1_700_000_000, 1_500_000.25, b.frame, length)
        w.writeAt(1_700_000_000, 2_000_000, b.frame, 60)
        w.close()
        w.close()
        const file = readFileSync(path)
        expect(file.readUInt32LE(0)).toBe(precision === "us" ? 0xa1b2c3d4 : 0xa1b23c4d)
        expect(file.readUInt32LE(16)).toBe(200)
        expect(file.readUInt32LE(20)).toBe(1)
        expect(file.readUInt32LE(24)).toBe(1_700_000_001)
        expect(file.readUInt32LE(28)).toBe(precision === "us" ? 500_000 : 500_000_250)
        expect(file.readUInt32LE(32)).toBe(200)
        expect(file.readUInt32LE(36)).toBe(length)
        const second = 24 + 16 + 200
        expect(file.readUInt32LE(second)).toBe(1_700_000_002)
        expect(file.readUInt32LE(second + 4)).toBe(0)
        expect(file.length).toBe(second + 16 + 60)
        expect(w.bytes).toBe(file.length)
        expect(w.packets).toBe(2)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.skipIf(!hasTshark())("produces frames tshark decodes with valid checksums", () => {
    const dir = mkdtempSync(join(tmpdir(), "hh-writer-"))
    try {
      const path = join(dir, "t.pcap")
      const w = PcapWriter.open(path, { precision: "ns" })
      const b = new PacketBuilder()
      setEndpoints(b)
      for (let i = 0; i < 20; i++) {
        b.ipVersion = i % 2 === 0 ? 4 : 6
        b.src6.set(parseIpv6("2001:db8::10")!)
        b.dst6.set(parseIpv6("2001:db8:1::53")!)
        const payload = Buffer.alloc(i * 37 + 1, i)
        b.optionsLength = writeTimestampOption(b.options, 0, 1000 + i, 77)
        b.seq = i * 5000
        b.flags = TCP_ACK | TCP_PSH
        const length = i % 3 === 0 ? b.buildUdp(payload, 0, payload.length) : b.buildTcp(payload, 0, payload.length)
        w.writeAt(1_700_000_000, i * 1000.5, b.frame, length)
      }
      w.close()
      const bad = execFileSync(
        "tshark",
        ["-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
          "-Y", "_ws.malformed || ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
      )
      expect(bad.trim()).toBe("")
      const count = execFileSync("tshark", ["-r", path, "-T", "fields", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      expect(count.trim().split("\n")).toHaveLength(20)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
