/**
 * Every real capture in ../shared/fixtures reads without error with capinfos' packet count
 * (PROVENANCE.md table); refusals, empty files, pcapng-test-generator block counts, link types
 * and fragments on real files.
 */
import { it } from "@effect/vitest"
import { describeFixtures, fixture, fixturesDir, hasFixtures } from "@hashhound/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import { collectCapture, readCounted } from "./helpers/collect.js"

/** `| \`path\` | bytes | container | link type | packets |` rows of PROVENANCE.md's per-file table */
const provenanceTable = (): Array<{ path: string; container: string; packets: string }> =>
  readFileSync(`${fixturesDir()}/PROVENANCE.md`, "utf8")
    .split("\n")
    .flatMap((line) => {
      const m = /^\| `([^`]+)` \| [\d,]+ \| ([^|]*) \| [^|]* \| ([^|]*) \|$/.exec(line)
      return m === null ? [] : [{ path: m[1]!, container: m[2]!.trim(), packets: m[3]!.trim() }]
    })

describeFixtures("real captures: every format and link type", () => {
  const rows = hasFixtures() ? provenanceTable() : [] // the body runs at collection even when skipped
  const captures = rows.filter((r) => /^(pcap|pcapng)/.test(r.container))

  it("the provenance table lists the captures", () => {
    expect(captures.length).toBeGreaterThan(100)
  })

  it.effect("every pcap/pcapng fixture reads without error and yields capinfos' packet count", () =>
    Effect.gen(function* () {
      for (const row of captures) {
        const result = yield* readCounted(fixture(row.path))
        const expected = /^\d+$/.test(row.packets) ? Number(row.packets) : undefined
        if (expected !== undefined) expect(result.packetsRead, row.path).toBe(expected)
        const packets = result.flows.reduce((n, f) => n + f.fwd_packets + f.bwd_packets, 0)
        expect(packets, row.path).toBeLessThanOrEqual(result.packetsRead)
      }
    }))

  it.effect("a file cut short in a record (nDPI fuzz-2021-10-13.pcap) ends normally with damage findings", () =>
    Effect.gen(function* () {
      const { findings } = yield* collectCapture(fixture("formats/ndpi/fuzz-2021-10-13.pcap"))
      expect(findings.filter((f) => f.code === "corrupt_record").length).toBeGreaterThan(0)
      expect(findings.every((f) => f.source === "source.pcap" && f.capture !== undefined)).toBe(true)
    }))

  it.effect("the snoop and zstd files are refused with a clear InputError", () =>
    Effect.gen(function* () {
      const snoop = yield* Effect.flip(collectCapture(fixture("formats/pcapplusplus/solaris.snoop")))
      expect(snoop._tag).toBe("InputError")
      expect(snoop.message).toMatch(/snoop/)
      const zst = yield* Effect.flip(collectCapture(fixture("formats/pcapplusplus/pcapng-example.pcapng.zst")))
      expect(zst._tag).toBe("InputError")
      expect(zst.message).toMatch(/zstd-compressed/)
    }))

  it.effect("empty captures give zero flows", () =>
    Effect.gen(function* () {
      for (const path of ["formats/tcpdump/empty.pcap", "formats/tcpdump/empty.pcapng"]) {
        const { flows, findings } = yield* collectCapture(fixture(path))
        expect(flows, path).toEqual([])
        expect(findings, path).toEqual([])
      }
    }))

  it.effect("pcapng-test-generator: packet blocks counted as each file's .txt lists them", () =>
    Effect.gen(function* () {
      const files = rows.filter((r) => r.path.startsWith("formats/pcapng-test-generator/") && r.path.endsWith(".pcapng"))
      expect(files).toHaveLength(42)
      for (const { path } of files) {
        const txt = readFileSync(fixture(path.replace(/\.pcapng$/, ".txt")), "utf8")
        const count = (block: string) => Number(new RegExp(`\\t${block}: (\\d+)`).exec(txt)?.[1] ?? 0)
        const { packetsRead } = yield* readCounted(fixture(path))
        expect(packetsRead, path).toBe(count("EPB") + count("SPB") + count("PB"))
      }
    }))

  it.effect("link types: VLAN/QinQ, SLL, SLL2, raw, NULL (one frame with an EtherType), PPI and netlink (skipped)", () =>
    Effect.gen(function* () {
      const vlan = yield* collectCapture(fixture("formats/tcpdump/ldp-common-session.pcap"))
      expect(vlan.flows.some((f) => f.vlan_id !== null)).toBe(true)
      const sll2 = yield* collectCapture(fixture("formats/pcapplusplus/sll2.pcap"))
      expect(sll2.flows.map((f) => [f.protocol, f.fwd_packets + f.bwd_packets])).toEqual([[6, 3]])
      // PPI headers in front of Ethernet frames: SOME/IP service discovery, unicast and multicast
      const ppi = yield* collectCapture(fixture("formats/ndpi/someip_sd_sample.pcap"))
      expect(ppi.findings).toEqual([])
      expect(ppi.flows.map((f) => [f.src_ip, f.dst_ip, f.dst_port, f.fwd_packets, f.bwd_packets])).toEqual([
        ["192.168.88.73", "235.2.3.5", 30490, 2, 0],
        ["192.168.88.77", "192.168.88.73", 30490, 2, 2]
      ])
      // frame 3 of null_loopback.pcap has the header 0f 00 08 00: no address family, EtherType IPv4 (as Wireshark reads it)
      const loop = yield* collectCapture(fixture("formats/pcapplusplus/null_loopback.pcap"))
      expect(loop.findings.map((f) => f.code)).toEqual([])
      expect(loop.flows.some((f) => f.src_ip === "10.0.0.138" && f.src_port === 53)).toBe(true)
      const netlink = yield* collectCapture(fixture("formats/pcapplusplus/microsecs_big_endian.pcap"))
      expect(netlink.findings.map((f) => [f.code, f.count])).toEqual([["skipped_link_type", 13]])
      const many = yield* readCounted(fixture("formats/pcapplusplus/many_interfaces-1.pcapng"))
      expect(many.flows.reduce((n, f) => n + f.fwd_packets + f.bwd_packets, 0)).toBe(64)
    }))

  it.effect("IPv4 and IPv6 fragments join their first fragment's flow", () =>
    Effect.gen(function* () {
      const afs = yield* collectCapture(fixture("formats/tcpdump/afs.pcap"))
      expect(afs.findings.filter((f) => f.code === "orphan_fragment")).toEqual([])
      expect(afs.flows.reduce((n, f) => n + f.fwd_packets + f.bwd_packets, 0)).toBe(601)
      // frag_with_padding.pcap: the first fragment is captured last; every fragment still joins it
      const reordered = yield* collectCapture(fixture("formats/pcapplusplus/frag_with_padding.pcap"))
      expect(reordered.flows.map((f) => [f.protocol, f.fwd_packets, f.dst_port])).toEqual([[17, 8, reordered.flows[0]!.dst_port]])
      expect(reordered.flows[0]!.fwd_bytes).toBe(6 * 1500 + 541 + 28)
      const v6 = yield* collectCapture(fixture("formats/pcapplusplus/ip6_fragments.pcap"))
      expect(v6.flows.reduce((n, f) => n + f.fwd_packets + f.bwd_packets, 0)).toBe(36)
      expect(v6.findings).toEqual([])
    }))
})
