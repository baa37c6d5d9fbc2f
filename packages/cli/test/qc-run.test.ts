/**
 * QC through the real CLI on real captures: `hashhound run` over the mining fixtures with every
 * dataset-local qc.* check and report.qc-html writes qc.html with inline SVG charts (the
 * pipeline's flow summary), prints the QC table, and exits by the fail findings: the cgminer
 * prober's SYN-only flows (zero-payload share 0.91) fail qc.volume's default 0.9, so exit 1, and
 * only that dataset's features are skipped (the office captures beside it get theirs); with
 * that threshold moved from fail to warn the same run (QC redone, flows kept) exits 0. The
 * report of the real run opens offline in headless Chromium (when installed) with no console
 * error and no request, and holds no URL at all. A capture ingested twice under two names fails
 * qc.duplicates, the message naming the check, both names and the threshold.
 */
import { describeFixtures, fixture, hasChromium, launchChromium, openOffline } from "@hashhound/testkit"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
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
    "  office:",
    "    source:",
    "      type: source.pcap",
    `      paths: ["${fixture("normal")}/ndpi-443-firefox.pcap", "${fixture("normal")}/infectedPCAP-infected.pcap"]`,
    "    labels:",
    "      - { type: labeler.scenario, default: benign }",
    "qc:",
    `  - ${volume}`,
    "  - { type: qc.timestamps }",
    "  - { type: qc.duplicates }",
    "  - { type: qc.schema }",
    "  - { type: qc.parse }",
    "  - { type: qc.labels }",
    "features: [features.volume]",
    "reports:",
    "  - { type: report.qc-html }",
    ""
  ].join("\n")

/** Stored feature parts of a dataset (none when its features were skipped). */
const featureParts = (dataset: string): ReadonlyArray<string> => {
  const dir = join(work, "run", "datasets", dataset, "features", "features.volume")
  return existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(".parquet")) : []
}

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
  // self-contained and offline: no URL (not even SVG namespace names), nothing that loads one
  expect(page).not.toMatch(/https?:\/\//i)
  expect(page).not.toMatch(/<(?:script|link|img|iframe)\b|\b(?:src|href)\s*=|url\(/i)
}

/** The real report in headless Chromium, offline: no console error, no request, every chart drawn. */
const openInChromium = async (): Promise<string> => {
  const browser = await launchChromium()
  try {
    const visit = await openOffline(browser, join(qcDir, "qc.html"), { bypassCSP: false, hover: ["table.findings tbody tr"] })
    expect(visit.errors).toEqual([])
    expect(visit.requests).toEqual([])
    expect(visit.dialogs).toEqual([])
    expect(visit.facts.scripts).toBe(0)
    expect(visit.facts.charts).toBeGreaterThanOrEqual(7)
    expect(visit.facts.missing).toBe(0)
    return visit.facts.text
  } finally {
    await browser.close()
  }
}

describeFixtures("hashhound run with QC checks and the QC report (real captures)", () => {
  it("fails on the prober's zero-payload flows, then passes with that threshold as a warning", { timeout: 300_000 }, async () => {
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
    // a fail stops that dataset's downstream stages only
    expect(featureParts("mining")).toEqual([])
    expect(featureParts("office").length).toBeGreaterThan(0)
    if (hasChromium()) {
      const text = await openInChromium()
      expect(text).toContain("Why QC failed")
      expect(text).toContain("zero_payload_share_above=0.9")
    }

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
    expect(featureParts("mining").length).toBeGreaterThan(0)
  })

  it("the same capture ingested twice under two names fails qc.duplicates, naming both and the threshold", { timeout: 300_000 }, () => {
    const inputs = join(work, "twice")
    mkdirSync(inputs, { recursive: true })
    for (const name of ["stratum-monday.pcap", "stratum-tuesday.pcap"]) copyFileSync(fixture("mining/peafowl-stratum.pcap"), join(inputs, name))
    copyFileSync(fixture("mining/peafowl-monero.pcap"), join(inputs, "monero.pcap"))
    const file = join(work, "twice.yaml")
    writeFileSync(
      file,
      [
        "name: qc-twice",
        `output: ${join(work, "twice-run")}`,
        "datasets:",
        "  twice:",
        `    source: { type: source.pcap, paths: ["${inputs}/*.pcap"] }`,
        "qc:",
        "  - { type: qc.duplicates }",
        ""
      ].join("\n")
    )
    const result = hashhound(["run", "--quiet", file], work)
    expect(result.code, result.stderr).toBe(1)
    expect(result.stdout).toMatch(
      /^QC failed: QC check qc\.duplicates failed on dataset twice: qc\.duplicates: captures ingested twice 1 above fail threshold identical_captures_above=0 \(dataset\) \((?:twice\/)?stratum-monday\.pcap = (?:twice\/)?stratum-tuesday\.pcap \(same content hash\)\)/m
    )
    expect(qcTable(result.stdout)).toContainEqual(expect.stringMatching(/^twice\s+qc\.duplicates\s+[1-9]\d*\s+\d+\s+\d+\s+FAIL\s/))
  })
})
