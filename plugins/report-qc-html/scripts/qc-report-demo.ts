/**
 * Dev script (not part of the plugin, not a test): the screenshot kept at docs/qc-report.png,
 * taken of a real run's QC report.
 *
 * It runs `hashhound demo --out <run-folder>` (the whole pipeline; with ../shared/fixtures
 * present the demo adds the `real` dataset: the mining and normal captures read by source.pcap,
 * labelled by labeler.stratum and labeler.scenario, every qc.* check, the six built-in feature
 * groups, report.qc-html) unless that folder already holds the report, then opens
 * `datasets/<dataset>/qc/qc.html` offline in headless Chromium and photographs the whole page:
 * status, flow charts, captures, labels, the features section (availability matrix across the
 * run's datasets and the scatter matrix), application hints and the findings table. It stops
 * with an error when the page logs a console error or asks for anything over the network.
 *
 *   node --import tsx plugins/report-qc-html/scripts/qc-report-demo.ts [run-folder] [png] [dataset]
 *
 * Defaults: /tmp/hh-qc-demo, docs/qc-report.png, real. It drives the CLI and a browser: that is
 * why it is a script beside the plugin and not part of it.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { chromium } from "playwright-core"

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, "../../..")
const runDir = resolve(process.argv[2] ?? "/tmp/hh-qc-demo")
const png = resolve(process.argv[3] ?? join(repo, "docs/qc-report.png"))
const dataset = process.argv[4] ?? "real"
const page = join(runDir, "datasets", dataset, "qc", "qc.html")
/** Taller pages are cut here (the findings table is the tail). */
const MAX_HEIGHT_PX = 7000

if (!existsSync(page)) {
  const demo = spawnSync(process.execPath, [join(repo, "packages/cli/bin/hashhound.mjs"), "demo", "--out", runDir], { stdio: "inherit" })
  if (demo.status !== 0) throw new Error(`hashhound demo exited with ${demo.status}`)
  if (!existsSync(page)) throw new Error(`${page} was not written: does the run have a dataset "${dataset}" (the demo has "real" only when ../shared/fixtures is there)?`)
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
})
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, offline: true })
  const tab = await context.newPage()
  const problems: Array<string> = []
  tab.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`)
  })
  tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
  tab.on("request", (request) => {
    if (!request.url().startsWith("file:")) problems.push(`request: ${request.url()}`)
  })
  await tab.goto(pathToFileURL(page).href, { waitUntil: "load" })
  if (problems.length > 0) throw new Error(`the report is not clean offline:\n${problems.join("\n")}`)
  const height = await tab.evaluate(() => document.body.scrollHeight)
  mkdirSync(dirname(png), { recursive: true })
  await tab.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, MAX_HEIGHT_PX) } })
  console.log(`screenshot: ${png} (${Math.round(statSync(png).size / 1024)} kB; page ${page}, ${height}px high${height > MAX_HEIGHT_PX ? `, cut at ${MAX_HEIGHT_PX}px` : ""})`)
} finally {
  await browser.close()
}
