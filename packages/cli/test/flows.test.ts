import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, it } from "vitest"
import { hashhound } from "./cli-support.js"

const work = mkdtempSync(join(tmpdir(), "hh-flows-"))

describeFixtures("hashhound flows on real inputs", () => {
  it("converts a capture and a Zeek log in one go, detecting each format from its content", () => {
    const out = join(work, "mixed.jsonl")
    const { code, stderr } = hashhound(
      ["flows", fixture("mining/peafowl-stratum.pcap"), fixture("flows/zeek/infectedPCAP-conn.log"), "--out", out],
      work
    )
    expect(code).toBe(0)
    expect(stderr).toContain("peafowl-stratum.pcap: source.pcap")
    expect(stderr).toContain("infectedPCAP-conn.log: source.zeek-conn")
    const rows = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    const stratum = rows.filter((row) => row["capture"] === "peafowl-stratum.pcap" && row["dst_port"] === 3333)
    expect(stratum).toHaveLength(2)
    for (const flow of stratum) {
      expect(flow["protocol"]).toBe(6)
      expect(String(flow["jsonrpc_methods"])).toContain("mining.subscribe")
    }
    // 15 connections in the Zeek log (checked against the pcap in the flowmeter tests)
    expect(rows.filter((row) => row["capture"] === "infectedPCAP-conn.log")).toHaveLength(15)
  })

  it("skips inputs that are not captures or exports, says so, and converts the rest", () => {
    const out = join(work, "some.csv")
    const { code, stderr } = hashhound(
      ["flows", fixture("formats/pcapplusplus/solaris.snoop"), fixture("mining/peafowl-monero.pcap"), "--out", out, "--format", "csv"],
      work
    )
    expect(code).toBe(0)
    expect(stderr).toMatch(/skipped: .*solaris\.snoop: not a capture or flow export/)
    const lines = readFileSync(out, "utf8").trim().split("\n")
    expect(lines[0]!.split(",")).toEqual(expect.arrayContaining(["flow_id", "src_ip", "dst_port", "fwd_packets", "splt_len"]))
    expect(lines.length).toBeGreaterThan(1)
  })

  it("fails with exit 1 when no input can be read", () => {
    const { code, stderr } = hashhound(["flows", fixture("formats/pcapplusplus/solaris.snoop"), "--out", join(work, "none.parquet")], work)
    expect(code).toBe(1)
    expect(stderr).toContain("no input is a capture or flow export")
  })
})
