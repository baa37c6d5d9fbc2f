import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { constants, gunzipSync, gzipSync } from "node:zlib"
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

  it("a gzip'd capture cut short inside the first 64 KB unpacked (the detection window) meters what came out, as the same bytes unpacked do", () => {
    const packed = gzipSync(readFileSync(fixture("mining/peafowl-stratum.pcap")))
    const cut = packed.subarray(0, 8000)
    const unpacked = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH })
    expect(unpacked.length).toBeGreaterThan(10_000)
    expect(unpacked.length).toBeLessThan(65_536)
    writeFileSync(join(work, "cut.pcap.gz"), cut)
    writeFileSync(join(work, "cut-unpacked.pcap"), unpacked)
    const rows = (name: string): Array<string> => {
      const out = join(work, `${name}.csv`)
      const result = hashhound(["flows", join(work, name), "--out", out, "--format", "csv"], work)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain(`${name}: source.pcap`)
      expect(result.stderr).toMatch(new RegExp(`warn: ${name.replaceAll(".", "\\.")} truncated_file ×1`))
      // every column but flow_id and capture, which name the file
      return readFileSync(out, "utf8").trim().split("\n").slice(1).map((line) => line.split(",").slice(3).join(",")).sort()
    }
    const fromGzip = rows("cut.pcap.gz")
    expect(fromGzip.length).toBeGreaterThan(0)
    expect(fromGzip).toEqual(rows("cut-unpacked.pcap"))
  })

  it("refuses an --out that is a folder with exit 2, before reading any input", () => {
    const { code, stderr } = hashhound(["flows", join(work, "no-such-input.pcap"), "--out", work], work)
    expect(code).toBe(2)
    expect(stderr).toContain(`--out: ${work} is a folder; name the file to write`)
    expect(stderr).not.toContain("no-such-input")
  })

  it("fails with exit 1 when no input can be read", () => {
    const { code, stderr } = hashhound(["flows", fixture("formats/pcapplusplus/solaris.snoop"), "--out", join(work, "none.parquet")], work)
    expect(code).toBe(1)
    expect(stderr).toContain("no input is a capture or flow export")
  })
})
