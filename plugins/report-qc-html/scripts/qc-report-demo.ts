/**
 * Dev script (not part of the plugin, not a test): a real pipeline run over real third-party
 * captures, its QC report, and the screenshot kept at docs/qc-report.png.
 *
 * It runs the pipeline (source.pcap on the mining and normal captures of ../shared/fixtures,
 * labeler.stratum / labeler.ioc / labeler.scenario, every qc.* check, the six built-in feature
 * groups, report.qc-html; the QC stage writes each dataset's `qc/flow-summary.json` and
 * `qc/labels.json`, the features stage `qc/features.json` and `qc/feature-sample.json`) and
 * photographs the `mining` page in headless Chromium.
 *
 *   node --import tsx plugins/report-qc-html/scripts/qc-report-demo.ts [run-folder] [png]
 *
 * It imports other plugins and the pipeline's internals: that is why it is a script beside the
 * plugin and not part of it.
 */
import { PluginRegistry, registryLayer } from "@hashhound/core"
import { loadPipeline, Progress } from "@hashhound/pipeline"
import { plugins as sourcePcap } from "@hashhound/plugin-source-pcap"
import { plugins as labelerStratum } from "@hashhound/plugin-labeler-stratum"
import { plugins as labelerIoc } from "@hashhound/plugin-labeler-ioc"
import { plugins as labelerScenario } from "@hashhound/plugin-labeler-scenario"
import { plugins as qcVolume } from "@hashhound/plugin-qc-volume"
import { plugins as qcTimestamps } from "@hashhound/plugin-qc-timestamps"
import { plugins as qcDuplicates } from "@hashhound/plugin-qc-duplicates"
import { plugins as qcSchema } from "@hashhound/plugin-qc-schema"
import { plugins as qcParse } from "@hashhound/plugin-qc-parse"
import { plugins as qcDrift } from "@hashhound/plugin-qc-drift"
import { plugins as qcLabels } from "@hashhound/plugin-qc-labels"
import { plugins as featuresVolume } from "@hashhound/plugin-features-volume"
import { plugins as featuresDirection } from "@hashhound/plugin-features-direction"
import { plugins as featuresPorts } from "@hashhound/plugin-features-ports"
import { plugins as featuresTemporal } from "@hashhound/plugin-features-temporal"
import { plugins as featuresTcp } from "@hashhound/plugin-features-tcp"
import { plugins as featuresEarly } from "@hashhound/plugin-features-early"
import { Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import { runPipeline } from "../../../packages/pipeline/src/run/index.js"
import { StorageLive } from "../../../packages/pipeline/src/storage/index.js"
import { plugins as reportQcHtml } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, "../../..")
const fixtures = process.env["HASHHOUND_FIXTURES"] ?? resolve(repo, "../shared/fixtures")
const runDir = resolve(process.argv[2] ?? "/tmp/hh-qc-demo")
const png = resolve(process.argv[3] ?? join(repo, "docs/qc-report.png"))

const fx = (path: string) => JSON.stringify(join(fixtures, path))

const PIPELINE = `name: qc-demo
output: ${JSON.stringify(join(runDir, "run"))}
datasets:
  mining:
    source:
      type: source.pcap
      paths: [${fx("mining/peafowl-stratum.pcap")}, ${fx("mining/peafowl-monero.pcap")}, ${fx("mining/nesfit-eth-eu1.nanopool.org.pcapng")}, ${fx("mining/nesfit-cgminer.s0.pcapng")}, ${fx("mining/nesfit-cgminer.s1.pcapng")}, ${fx("mining/ndpi-mining.pcapng")}]
    labels:
      - { type: labeler.stratum }
      - { type: labeler.ioc, lists: [{ path: ${fx("flows/mining-labelled/nesfit-stratum_up-pool-endpoints.csv")}, format: endpoints }], label: mining }
  office:
    source:
      type: source.pcap
      paths: [${fx("normal/ndpi-443-firefox.pcap")}, ${fx("normal/pcapplusplus-example.pcap")}, ${fx("normal/infectedPCAP-infected.pcap")}, ${fx("formats/ndpi/sites.pcapng")}]
    labels:
      - { type: labeler.ioc, lists: [{ path: ${fx("flows/mining-labelled/nesfit-stratum_up-pool-endpoints.csv")}, format: endpoints }], label: mining }
      - { type: labeler.scenario, default: benign }
qc:
  - { type: qc.volume }
  - { type: qc.timestamps, warn: { gap_s_above: 3600 } }
  - { type: qc.duplicates }
  - { type: qc.schema }
  - { type: qc.parse }
  - { type: qc.drift, reference: office }
  - { type: qc.labels }
features: [features.volume, features.direction, features.ports, features.temporal, features.tcp, features.early]
reports:
  - { type: report.qc-html }
`

const groups = [
  ...[sourcePcap, labelerStratum, labelerIoc, labelerScenario].map((plugins, i) => ({ source: `builtin-${i}`, plugins })),
  ...[qcVolume, qcTimestamps, qcDuplicates, qcSchema, qcParse, qcDrift, qcLabels, reportQcHtml].map((plugins, i) => ({ source: `qc-${i}`, plugins })),
  ...[featuresVolume, featuresDirection, featuresPorts, featuresTemporal, featuresTcp, featuresEarly].map((plugins, i) => ({ source: `features-${i}`, plugins }))
]

const program = Effect.gen(function* () {
  mkdirSync(runDir, { recursive: true })
  const file = join(runDir, "pipeline.yaml")
  writeFileSync(file, PIPELINE)
  const registry = yield* PluginRegistry
  const loaded = yield* loadPipeline(file, registry)
  const summary = yield* runPipeline(loaded.spec, { force: true })
  console.log(`run ${summary.status}: ${summary.datasets.map((d) => `${d.name} ${d.flows} flows, QC ${d.qc}`).join("; ")}`)
  return join(runDir, "run", "datasets", "mining", "qc", "qc.html")
})

const layer = Layer.mergeAll(registryLayer(groups), StorageLive(), Layer.succeed(Progress, Progress.silent))
const page = await Effect.runPromise(Effect.provide(program, layer))
console.log(`report: ${page}`)

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
})
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, offline: true })
const tab = await context.newPage()
const errors: Array<string> = []
tab.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text())
})
await tab.goto(`file://${page}`, { waitUntil: "load" })
mkdirSync(dirname(png), { recursive: true })
const height = await tab.evaluate(() => document.body.scrollHeight)
await tab.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, 2600) } })
await browser.close()
console.log(`screenshot: ${png} (page height ${height}px); console errors: ${errors.length}`)
