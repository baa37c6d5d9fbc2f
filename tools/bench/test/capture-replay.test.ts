/**
 * The capture builder on real fixtures: frames read from pcap and pcapng, replayed round after
 * round into a valid classic pcap whose later rounds have distinct but checksum-valid addresses.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixture, describeFixtures } from "@hashhound/testkit"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { buildTemplate, ipHeaderOf, readCapturePackets } from "../src/fixture-packets.js"
import { remapAddress, writeReplicatedCapture } from "../src/replicate-capture.js"

const onesSum = (bytes: Uint8Array, from: number, to: number): number => {
  let sum = 0
  for (let i = from; i < to; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

describe("remapAddress", () => {
  it("keeps the ones' complement sum of an address and maps distinct addresses apart", () => {
    const seen = new Set<string>()
    for (const addr of [[192, 168, 1, 100], [10, 0, 0, 1], [255, 255, 255, 255], [0, 0, 0, 0], [101, 201, 36, 55]]) {
      const buf = Uint8Array.from(addr)
      const before = onesSum(buf, 0, 4)
      remapAddress(buf, 0, 7)
      const after = onesSum(buf, 0, 4)
      // 0x0000 and 0xffff are both zero in ones' complement
      expect(after % 0xffff).toBe(before % 0xffff)
      seen.add(buf.join("."))
    }
    expect(seen.size).toBe(5)
    expect(seen.has("0.0.0.0") && seen.has("255.255.255.255")).toBe(true)
    const same = Uint8Array.from([192, 168, 1, 100])
    remapAddress(same, 0, 0)
    expect([...same]).toEqual([192, 168, 1, 100])
  })
})

describeFixtures("capture replay on real fixtures", () => {
  const dir = mkdtempSync(join(tmpdir(), "hh-bench-test-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("reads every frame of a classic pcap and of a pcapng", () => {
    const pcap = readCapturePackets(fixture("mining/peafowl-stratum.pcap"))
    expect(pcap.frames).toHaveLength(319)
    expect(pcap.skipped).toBe(0)
    const ng = readCapturePackets(fixture("mining/nesfit-eth-eu1.nanopool.org.pcapng"))
    expect(ng.frames).toHaveLength(209)
    for (let i = 1; i < ng.timesUs.length; i++) expect(ng.timesUs[i]!).toBeGreaterThanOrEqual(ng.timesUs[i - 1]!)
    expect(ng.timesUs[0]!).toBeGreaterThan(1e15)
    expect(ipHeaderOf(pcap.frames[0]!)).toEqual({ offset: 14, version: 4 })
  })

  it("replays rounds into a pcap that reads back frame for frame, later rounds remapped", () => {
    const sources = [readCapturePackets(fixture("mining/peafowl-monero.pcap")), readCapturePackets(fixture("normal/infectedPCAP-infected.pcap"))]
    const template = buildTemplate(sources)
    expect(template.packets).toBe(145 + 303)
    const out = join(dir, "replay.pcap")
    const result = writeReplicatedCapture(out, template, { minPackets: 1000 })
    expect(result.rounds).toBe(3)
    expect(result.packets).toBe(3 * 448)
    const back = readCapturePackets(out)
    expect(back.frames).toHaveLength(result.packets)
    expect(24 + template.roundFileBytes * 3).toBe(result.bytes)
    for (let i = 1; i < back.timesUs.length; i++) expect(back.timesUs[i]!).toBeGreaterThanOrEqual(back.timesUs[i - 1]!)
    // round 0 is byte-identical to the sources
    expect(Buffer.compare(back.frames[0]!, sources[0]!.frames[0]!)).toBe(0)
    // round 1: same frame, other addresses, IPv4 header checksum still valid
    const original = sources[0]!.frames[0]!
    const replayed = back.frames[448]!
    const ip = ipHeaderOf(replayed).offset
    expect(replayed.subarray(ip + 12, ip + 20).equals(original.subarray(ip + 12, ip + 20))).toBe(false)
    expect(replayed.subarray(ip + 20).equals(original.subarray(ip + 20))).toBe(true)
    expect(onesSum(replayed, ip, ip + 20)).toBe(onesSum(original, ip, ip + 20))
  })
})
