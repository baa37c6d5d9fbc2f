/**
 * Process measurement (GNU time and /proc polling), options, tool lookup and the report's
 * targets.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { locate, REFERENCE_TOOLS } from "../src/contenders.js"
import { GNU_TIME, measureCommand, parseGnuTime } from "../src/measure.js"
import { parseOptions } from "../src/options.js"
import { captureTable, evaluateTargets } from "../src/report.js"
import { failureLine } from "../src/suite.js"

const dir = mkdtempSync(join(tmpdir(), "hh-bench-measure-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// holds ~120 MB for half a second, then exits with status 3
const hog = ["-e", "const b = Buffer.alloc(120 * 2 ** 20, 1); setTimeout(() => process.exit(b[5] === 1 ? 3 : 0), 500)"]

describe("measureCommand", () => {
  const spec = { command: process.execPath, args: hog, stdoutPath: join(dir, "out"), stderrPath: join(dir, "err") }

  it.skipIf(!existsSync(GNU_TIME))("measures peak RSS, CPU and exit status through GNU time", async () => {
    const m = await measureCommand(spec, join(dir, "time.txt"), true)
    expect(m.method).toBe("gnu-time")
    expect(m.exitCode).toBe(3)
    expect(m.peakRssMb!).toBeGreaterThan(120)
    expect(m.wallS).toBeGreaterThanOrEqual(0.5)
    expect(m.cpuS).toBeDefined()
  })

  it("measures peak RSS by polling /proc when GNU time is not used", async () => {
    const m = await measureCommand(spec, join(dir, "unused.txt"), false)
    expect(m.method).toBe("proc-poll")
    expect(m.exitCode).toBe(3)
    expect(m.peakRssMb!).toBeGreaterThan(120)
  })

  it("parses a GNU time report", () => {
    const report = parseGnuTime("\tUser time (seconds): 1.25\n\tSystem time (seconds): 0.25\n\tMaximum resident set size (kbytes): 20480\n\tExit status: 0\n")
    expect(report).toEqual({ maxRssKb: 20480, cpuS: 1.5, exitCode: 0 })
  })
})

describe("tools, options and targets", () => {
  it("says a missing tool is not installed", () => {
    const missing = locate({ ...REFERENCE_TOOLS[0]!, id: "nope", binary: "hashhound-no-such-tool" })
    expect(missing).toMatchObject({ _tag: "Missing", reason: "not installed" })
  })

  it("parses options and rejects bad ones", () => {
    expect(parseOptions(["--size-gb", "2", "--runs", "1", "--tools", "hashhound,tshark"])).toMatchObject({ sizeGb: 2, runs: 1, tools: ["hashhound", "tshark"], packets: 500_000 })
    expect(parseOptions(["--runs", "zero"])).toBe("--runs needs a positive number")
    expect(parseOptions(["--only", "bogus"])).toMatch(/--only takes/)
  })

  it("judges the targets and shows missing tools in the table", () => {
    const results = [
      { tool: "hashhound", version: "x", wallS: 2, peakRssMb: 150 },
      { tool: "ndpiReader", version: "y", wallS: 1 },
      { tool: "tshark", version: "z", wallS: 30 },
      { tool: "argus", version: "", unavailable: "not installed" }
    ]
    const [ndpi, tshark, rss] = evaluateTargets(1_000_000, results, "hashhound", true)
    expect(ndpi?.verdict).toBe("fail")
    expect(tshark?.verdict).toBe("pass")
    expect(rss?.verdict).toBe("pass")
    expect(evaluateTargets(1_000_000, results, "hashhound", false)[2]?.verdict).toBe("not measured")
    const table = captureTable(1_000_000, results, "hashhound")
    expect(table).toMatch(/argus\s+not installed/)
    expect(table).toContain("500,000")
    expect(failureLine("at x\nError [ERR_MODULE_NOT_FOUND]: Cannot find\n\nNode.js v20")).toMatch(/^Error/)
  })
})
