/**
 * QC through the real CLI on real captures: `hashhound run` over the mining fixtures with every
 * dataset-local qc.* check and report.qc-html writes qc.html with inline SVG charts (the
 * pipeline's flow summary), prints the QC table, and exits by the fail findings: the cgminer
 * prober's SYN-only flows (zero-payload share 0.91) fail qc.volume's default 0.9, so exit 1; with
 * that threshold moved from fail to warn the same run (QC redone, flows kept) exits 0.
 */
import { describeFixtures, fixture } from "@hashhound/testkit"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { hashhound } from "./cli-support.js"

const work = mkdtempSync(join(tmpdir(), "hh-qc-run-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const pipeline = (volume: string): string =>
  [
    "name: qc-run",
    `output: ${join(work, "run")}`,
    "datasets:",
    "  mining:",
    "    source:",
    "      type: source.pcap",
    `      paths: ["${fixture("mining")}/*.pcap", "${fixture("mining")}/*.pcapng"]`,
    "    labels:",
    "      - { type: labeler.stratum }",
    "qc:",
    `  - ${volume}`,
    "  - { type: qc.timestamps }",
    "  - { type: qc.duplicates }",
    "  - { type: qc.schema }",
    "  - { type: qc.parse }",
    "  - { type: qc.labels }",
    "reports:",
    "  - { type: report.qc-html }",
    ""
  ].join("\n")

const qcDir = join(work, "run", "datasets", "mining", "qc")
const readJson = <A>(file: string): A => JSON.parse(readFileSync(join(qcDir, file), "utf8")) as A

interface DatasetQc {
  readonly status: string
  readonly totals: { readonly info: number; readonly warn: number; readonly fail: number }
}

/** The QC table's lines: from its header to the blank line after it. */
const qcTable = (stdout: string): ReadonlyArray<string> => {
  const lines = stdout.split("\n")
  const start = lines.findIndex((line) => /^dataset\s+check\s+fail\s+warn\s+info\s+status\s+worst finding$/.test(line))
  expect(start, stdout).toBeGreaterThanOrEqual(0)
  const end = lines.findIndex((line, at) => at > start && line.trim() === "")
  return lines.slice(start, end < 0 ? undefined : end)
}

const checkPage = (status: string): void => {
  const page = readFileSync(join(qcDir, "qc.html"), "utf8")
  expect(page).not.toContain("No flow summary")
  expect(page).not.toMatch(/<script/i)
  for (const chart of ["histogram of flow durations", "histogram of bytes per flow", "histogram of packets per flow", "flows per protocol", "flows per destination port", "labels per capture"]) {
    expect(page, chart).toMatch(new RegExp(`<figure class="chart" role="img" aria-label="${chart}"><svg`))
  }
  expect(page.match(/<svg/g)?.length).toBeGreaterThanOrEqual(7)
  expect(page).toContain(`<span class="badge ${status}">${status}</span>`)
  expect(page).toContain("<h3>Decided by</h3>")
}

describeFixtures("hashhound run with QC checks and the QC report (real captures)", () => {
  it("fails on the prober's zero-payload flows, then passes with that threshold as a warning", { timeout: 300_000 }, () => {
    const file = join(work, "pipeline.yaml")
    writeFileSync(file, pipeline("{ type: qc.volume }"))
    const failing = hashhound(["run", "--quiet", file], work)
    const failed = readJson<DatasetQc>("dataset.json")
    expect(failed.status).toBe("fail")
    expect(failed.totals.fail).toBe(1)
    expect(failing.code, failing.stderr).toBe(1)

    const table = qcTable(failing.stdout)
    expect(table).toContainEqual(
      expect.stringMatching(/^mining\s+qc\.volume\s+1\s+\d+\s+\d+\s+FAIL\s+qc\.volume: zero-payload share 0\.91\d* above fail threshold zero_payload_share_above=0\.9 \(capture nes…$/)
    )
    expect(table).toContainEqual(expect.stringMatching(new RegExp(`^mining\\s+\\(all\\)\\s+1\\s+${failed.totals.warn}\\s+${failed.totals.info}\\s+FAIL$`)))
    for (const check of ["qc.duplicates", "qc.timestamps", "qc.labels", "qc.parse"]) expect(table.some((line) => line.includes(` ${check} `)), check).toBe(true)
    expect(failing.stdout).toMatch(/^QC failed: QC check qc\.volume failed on dataset mining batch 0: .*\(capture nesfit-cgminer\.s0\.pcapng, batch 0\)/m)

    const summary = readJson<{ flows: number; captures: ReadonlyArray<{ capture: string }> }>("flow-summary.json")
    expect(failing.stdout).toMatch(new RegExp(`^mining\\s+\\d+\\s+0\\s+\\d+\\s+${summary.flows.toLocaleString("en-US")}\\s`, "m"))
    expect(summary.captures.map((c) => c.capture)).toContain("nesfit-cgminer.s0.pcapng")
    expect(readJson<{ format: string; flows: number }>("labels.json")).toMatchObject({ format: "hashhound.label-report/1", flows: summary.flows })
    checkPage("fail")

    // the same capture judged against a warn threshold only: QC is redone, the flows are kept
    writeFileSync(file, pipeline("{ type: qc.volume, warn: { zero_payload_share_above: 0.9 }, fail: { zero_payload_share_above: null } }"))
    const passing = hashhound(["run", "--quiet", file], work)
    const passed = readJson<DatasetQc>("dataset.json")
    expect(passed.totals.fail).toBe(0)
    expect(passing.code, passing.stderr).toBe(0)
    expect(passing.stdout).toMatch(/^mining\s+0\s+\d+\s+/m)
    const relaxed = qcTable(passing.stdout)
    expect(relaxed.some((line) => line.includes("FAIL"))).toBe(false)
    expect(relaxed).toContainEqual(expect.stringMatching(/^mining\s+qc\.volume\s+0\s+[1-9]\d*\s+\d+\s+warn\s+qc\.volume: zero-payload share 0\.91\d* above warn threshold/))
    expect(passing.stdout).toContain("run ok")
    expect(existsSync(join(qcDir, "qc.html"))).toBe(true)
    checkPage("warn")
  })
})
