import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { constants, gunzipSync, gzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { captureNames } from "../src/commands/flows.js"
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

  it("inputs that share a file name are told apart by their path below the folder they share: unique flow_id, capture and findings", () => {
    const root = join(work, "same-names")
    mkdirSync(join(root, "a"), { recursive: true })
    mkdirSync(join(root, "b"), { recursive: true })
    const stratum = readFileSync(fixture("mining/peafowl-stratum.pcap"))
    // a/x.pcap is cut inside its last record, so it has a finding of its own
    writeFileSync(join(root, "a", "x.pcap"), stratum.subarray(0, stratum.length - 10))
    writeFileSync(join(root, "b", "x.pcap"), readFileSync(fixture("mining/peafowl-monero.pcap")))
    const out = join(work, "same-names.csv")
    const { code, stderr } = hashhound(["flows", root, fixture("mining/peafowl-ethereum-js-http.pcap"), "--out", out, "--format", "csv"], work)
    expect(code, stderr).toBe(0)
    const rows = readFileSync(out, "utf8").trim().split("\n").slice(1).map((line) => line.split(","))
    const ids = rows.map((cells) => cells[0])
    expect(new Set(ids).size).toBe(ids.length)
    const captures = [...new Set(rows.map((cells) => cells[2] ?? ""))].sort()
    // the one whose name no other input has keeps its file name
    expect(captures).toHaveLength(3)
    expect(captures).toContain("peafowl-ethereum-js-http.pcap")
    // the others are named from the folder all three inputs share (here the root: the fixture lies elsewhere)
    expect(captures.filter((name) => name.endsWith("same-names/a/x.pcap") || name.endsWith("same-names/b/x.pcap"))).toHaveLength(2)
    expect(ids.filter((id) => id?.startsWith("flows/") && id.includes("same-names/a/x.pcap/"))).not.toHaveLength(0)
    expect(stderr).toMatch(/warn: \S*same-names\/a\/x\.pcap truncated_file/)
    expect(stderr).not.toMatch(/warn: x\.pcap /)
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

describe("captureNames", () => {
  it("keeps file names, and names inputs that share one by their path below the folder all inputs share", () => {
    expect([...captureNames(["/d/run/a/x.pcap", "/d/run/b/x.pcap", "/d/run/b/y.pcap"]).values()]).toEqual(["a/x.pcap", "b/x.pcap", "y.pcap"])
    expect([...captureNames(["/d/one.pcap", "/e/two.pcap"]).values()]).toEqual(["one.pcap", "two.pcap"])
    expect([...captureNames(["/d/x.pcap", "/e/f/x.pcap"]).values()]).toEqual(["d/x.pcap", "e/f/x.pcap"])
    expect(captureNames([]).size).toBe(0)
  })
})
