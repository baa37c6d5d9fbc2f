import { describeFixtures, fixture, projectFixture } from "@hashhound/testkit"
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { constants, gunzipSync, gzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { captureNames } from "../src/commands/flows.js"
import { BIN, hashhound } from "./cli-support.js"

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
    expect(stderr).toMatch(/skipped: .*solaris\.snoop: not a capture or flow export that hashhound reads: it looks like a Solaris snoop capture .*editcap -F pcap/)
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

  it("capture metering flags: --byte-layer link counts bytes as tshark does, the timeouts split flows, an export is left as it is", () => {
    const rowsOf = (path: string) =>
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    const infected = fixture("normal/infectedPCAP-infected.pcap")
    const byLayer = (layer: string) => {
      const out = join(work, `layer-${layer}.jsonl`)
      expect(hashhound(["flows", infected, "--out", out, "--byte-layer", layer], work).code).toBe(0)
      const flow = rowsOf(out).find((row) => row["src_port"] === 1061)!
      return [flow["fwd_packets"], flow["fwd_bytes"], flow["bwd_packets"], flow["bwd_bytes"]]
    }
    // tshark -z conv,tcp: 192.168.23.129:1061 <-> 59.53.91.102:80, 8 frames 1243 bytes out, 8 frames 2846 bytes back
    expect(byLayer("link")).toEqual([8, 1243, 8, 2846])
    // IP bytes: less each frame's 14-byte Ethernet header and the padding of frames under 60 bytes (30 and 20 bytes here)
    expect(byLayer("ip")).toEqual([8, 1243 - 8 * 14 - 30, 8, 2846 - 8 * 14 - 20])

    // one Monero connection over 1,154 s whose longest pause is 60 s
    const monero = fixture("mining/peafowl-monero.pcap")
    const count = (flags: ReadonlyArray<string>) => {
      const out = join(work, "timeouts.jsonl")
      const { code } = hashhound(["flows", monero, "--out", out, ...flags], work)
      expect(code).toBe(0)
      return rowsOf(out).map((row) => row["end_reason"])
    }
    expect(count([])).toEqual(["eof"])
    expect(count(["--idle-timeout", "30"]).filter((reason) => reason === "idle").length).toBeGreaterThan(5)
    expect(count(["--active-timeout", "600"])).toEqual(["active", "eof"])

    const zeek = hashhound(["flows", fixture("flows/zeek/infectedPCAP-conn.log"), "--out", join(work, "zeek.jsonl"), "--idle-timeout", "30"], work)
    expect(zeek.code).toBe(0)
    expect(zeek.stderr).toContain("--idle-timeout not applied: source.zeek-conn takes its flows as the exporter made them")
    expect(rowsOf(join(work, "zeek.jsonl"))).toHaveLength(15)
  })

  it("--tunnels: the ping inside GrePackets.cap's PPTP tunnel is its own flow (inner, the default), or part of the GRE flow (outer)", () => {
    const capture = fixture("formats/pcapplusplus/GrePackets.cap")
    const protocols = (flags: ReadonlyArray<string>) => {
      const out = join(work, "tunnels.jsonl")
      const { code, stderr } = hashhound(["flows", capture, "--out", out, ...flags], work)
      expect(code, stderr).toBe(0)
      const rows = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { protocol: number })
      return { protocols: rows.map((row) => row.protocol).sort((a, b) => a - b), stderr }
    }
    const inner = protocols([])
    expect(inner.protocols).toEqual([1, 6, 47])
    expect(inner.stderr).toMatch(/info: GrePackets\.cap tunnelled ×2: .*metered as the packet inside/)
    expect(protocols(["--tunnels", "inner"]).protocols).toEqual(inner.protocols)
    const outer = protocols(["--tunnels", "outer"])
    expect(outer.protocols).toEqual([6, 47])
    expect(outer.stderr).not.toContain("tunnelled")
  })

  it("refuses a timeout that is not a positive number of seconds, or an unknown byte layer, tunnel or duplicates choice, with exit 2 before reading", () => {
    const out = join(work, "refused.csv")
    const CHOICES: Readonly<Record<string, RegExp>> = { "--byte-layer": /ip, link/, "--tunnels": /inner, outer/, "--duplicates": /keep, drop/ }
    for (const [flag, value] of [["--idle-timeout", "0"], ["--active-timeout", "0"], ["--byte-layer", "frame"], ["--tunnels", "both"], ["--duplicates", "merge"]] as const) {
      const { code, stderr } = hashhound(["flows", fixture("mining/peafowl-monero.pcap"), "--out", out, flag, value], work)
      expect(code, flag).toBe(2)
      expect(stderr, flag).toMatch(CHOICES[flag] ?? /is not a positive number of seconds/)
      expect(existsSync(out), flag).toBe(false)
    }
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

describe("hashhound flows --sequence", () => {
  const rows = (args: ReadonlyArray<string>, name: string) => {
    const out = join(work, `${name}.jsonl`)
    const { code, stderr } = hashhound(["flows", ...args, "--out", out], work)
    expect(code, stderr).toBe(0)
    const flows = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    return { flows, stderr }
  }
  /** a flow without the columns that name its file */
  const measured = (flow: Record<string, unknown>) => {
    const { flow_id: _id, capture: _capture, ...rest } = flow
    return rest
  }

  it("meters a rotating capture's pieces as one capture: the flows of the whole file, named after the first piece", () => {
    const whole = rows([projectFixture("flowmeter/stratum-session.pcap")], "whole")
    const joined = rows([projectFixture("flowmeter/rotated"), "--sequence"], "joined")
    expect(joined.stderr).toContain("stratum.pcap.gz and 2 more file(s): source.pcap")
    expect(joined.flows.map(measured)).toEqual(whole.flows.map(measured))
    expect(new Set(joined.flows.map((flow) => flow["capture"]))).toEqual(new Set(["stratum.pcap.gz"]))
    // without it each piece is a capture: the Stratum session falls apart into three flows
    const apart = rows([projectFixture("flowmeter/rotated")], "apart")
    expect(apart.flows.filter((flow) => flow["protocol"] === 6)).toHaveLength(3)
    expect(joined.flows.filter((flow) => flow["protocol"] === 6)).toHaveLength(1)
  })
})

describe("hashhound flows on a folder that holds more than captures", () => {
  it("converts the capture and skips each other file, saying what it looks like (a gzip file by what it unpacks to)", () => {
    const folder = join(work, "mixed-folder")
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, "session.pcap"), readFileSync(projectFixture("flowmeter/stratum-session.pcap")))
    writeFileSync(join(folder, "app.log.gz"), gzipSync(Buffer.from("2026-12-08 started\n2026-12-08 stopped\n")))
    writeFileSync(join(folder, "old.pcap.zst"), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0, 0]))
    writeFileSync(join(folder, "killed.pcap"), Buffer.alloc(0))
    const out = join(work, "mixed-folder.csv")
    const { code, stderr } = hashhound(["flows", folder, "--out", out, "--format", "csv"], work)
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/skipped: .*app\.log\.gz: not a capture or flow export that hashhound reads: it looks like gzip-compressed text/)
    expect(stderr).toMatch(/skipped: .*old\.pcap\.zst: .*it looks like zstd-compressed data: not supported \(decompress it first/)
    expect(stderr).toMatch(/skipped: .*killed\.pcap: .*it looks like an empty file/)
    expect(stderr).toContain("3 input(s) skipped")
    expect(stderr).toContain("session.pcap: source.pcap")
    // the capture's three flows (as when it is converted alone)
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(1 + 3)
  })
})

describe("hashhound flows when the output is also an input", () => {
  it("refuses an --out that names an input (exit 2, the capture left intact)", () => {
    const capture = join(work, "own-output.pcap")
    const bytes = readFileSync(projectFixture("flowmeter/stratum-session.pcap"))
    writeFileSync(capture, bytes)
    const { code, stderr } = hashhound(["flows", capture, "--out", capture, "--format", "csv"], work)
    expect(code).toBe(2)
    expect(stderr).toContain(`--out: ${capture} is the input ${capture}: writing it would replace it; name another file`)
    expect(readFileSync(capture).equals(bytes)).toBe(true)
  })

  it("leaves the output out of a folder that holds it: a second run reads the capture alone", () => {
    const folder = join(work, "writes-into")
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, "session.pcap"), readFileSync(projectFixture("flowmeter/stratum-session.pcap")))
    const out = join(folder, "flows.csv")
    const first = hashhound(["flows", folder, "--out", out], work)
    expect(first.code, first.stderr).toBe(0)
    const second = hashhound(["flows", folder, "--out", out], work)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`left out: ${out}, the file this run writes`)
    expect(second.stderr).not.toContain("skipped")
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(1 + 3)
  })
})

describe("hashhound flows to a stream", () => {
  it("--out - writes the export to stdout, the same bytes as a file; a device such as /dev/null is written to, never replaced", () => {
    const capture = projectFixture("flowmeter/stratum-session.pcap")
    const file = join(work, "streamed-reference.csv")
    expect(hashhound(["flows", capture, "--out", file], work).code).toBe(0)
    const streamed = hashhound(["flows", capture, "--out", "-", "--format", "csv"], work)
    expect(streamed.code, streamed.stderr).toBe(0)
    expect(streamed.stdout).toBe(readFileSync(file, "utf8"))
    expect(streamed.stderr).toContain("3 flows from 1 input(s) → stdout")
    const devNull = hashhound(["flows", capture, "--out", "/dev/null", "--format", "csv"], work)
    expect(devNull.code, devNull.stderr).toBe(0)
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true)
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

describe.skipIf(!existsSync("/proc/self/maps"))("hashhound flows and DuckDB", () => {
  /** `flows` with a probe that says at exit whether DuckDB's native library was ever mapped into the process. */
  const probed = (format: string) => {
    const probe = join(work, "duckdb-probe.cjs")
    writeFileSync(
      probe,
      `process.on("exit", () => process.stderr.write(require("node:fs").readFileSync("/proc/self/maps", "utf8").includes("duckdb") ? "probe: duckdb mapped\\n" : "probe: no duckdb\\n"))\n`
    )
    const out = join(work, `probed.${format}`)
    const result = spawnSync(process.execPath, ["--require", probe, BIN, "flows", projectFixture("flowmeter/stratum-session.pcap"), "--out", out], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 120_000
    })
    return { code: result.status, stderr: result.stderr, size: existsSync(out) ? readFileSync(out).length : 0 }
  }

  it("Parquet, CSV and JSONL exports of one schema never load DuckDB (hashhound's own writers)", () => {
    for (const format of ["parquet", "csv", "jsonl"]) {
      const written = probed(format)
      expect(written.code, format).toBe(0)
      expect(written.size, format).toBeGreaterThan(0)
      expect(written.stderr, format).toContain("3 flows")
      expect(written.stderr, format).toContain("probe: no duckdb")
    }
  })
})
