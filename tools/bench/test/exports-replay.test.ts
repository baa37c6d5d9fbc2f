/**
 * Flow-export replication on the real exports: headers and trailers kept once, data rows
 * repeated, nfdump's summary dropped.
 */
import { expect, it } from "@effect/vitest"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { replicateExport, splitExport } from "../src/replicate-exports.js"

describeFixtures("flow-export replication", () => {
  const dir = mkdtempSync(join(tmpdir(), "hh-bench-exports-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("keeps a Zeek TSV log's header once and its #close at the end", () => {
    const parts = splitExport(readFileSync(fixture("flows/zeek/infectedPCAP-conn.log"), "utf8"), "zeek-tsv")
    expect(parts.header.every((l) => l.startsWith("#"))).toBe(true)
    expect(parts.trailer).toHaveLength(1)
    expect(parts.trailer[0]).toMatch(/^#close/)
    const out = replicateExport(fixture("flows/zeek/infectedPCAP-conn.log"), "zeek-tsv", join(dir, "conn.log"), 100)
    expect(out.rows).toBeGreaterThanOrEqual(100)
    expect(out.rows % parts.body.length).toBe(0)
    const lines = readFileSync(out.path, "utf8").trimEnd().split("\n")
    expect(lines).toHaveLength(parts.header.length + out.rows + 1)
    expect(lines.filter((l) => l.startsWith("#fields"))).toHaveLength(1)
    expect(lines[lines.length - 1]).toMatch(/^#close/)
  })

  it("drops nfdump's summary and repeats only its flow rows", () => {
    const parts = splitExport(readFileSync(fixture("flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv"), "utf8"), "nfdump-csv")
    expect(parts.body).toHaveLength(4593)
    expect(parts.header[0]).toMatch(/^ts,te,td/)
    const out = replicateExport(fixture("flows/nfdump/slips-test1-malicious.nfdump-1.7.1.csv"), "nfdump-csv", join(dir, "nf.csv"), 10_000)
    expect(out.rows).toBe(3 * 4593)
    expect(out.sourceRows).toBe(4593)
    const text = readFileSync(out.path, "utf8")
    expect(text).not.toContain("Summary")
    expect(text.trimEnd().split("\n")).toHaveLength(1 + out.rows)
  })
})
