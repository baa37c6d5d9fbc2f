/**
 * Golden cases: each `testcases/<case>/` holds a stage entry (`config.yaml`) and a run folder
 * (`run/datasets/<name>/qc/*.json`; `features-two-datasets` is a trimmed real run with feature
 * artefacts of a pcap dataset and a CICFlowMeter export). The report is rendered for every
 * dataset folder of the run and summarised (headings, charts, the availability matrix's cells,
 * the scatter caption, notes) for `expected.json`.
 */
import { goldenCases, makeFromRaw } from "@hashhound/testkit"
import { Effect } from "effect"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { qcHtmlReport } from "../src/index.js"
import { tableRows, textOf } from "./page-text.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** What a reader would check on the page, without the SVG's geometry. */
const summarize = (page: string) => {
  const features = /<section id="features">([\s\S]*?)<\/section>/.exec(page)?.[1]?.replace(/<svg[\s\S]*?<\/svg>/g, "") ?? ""
  return {
    headings: [...page.matchAll(/<h[23]>([\s\S]*?)<\/h[23]>/g)].map((m) => textOf(m[1]!)),
    charts: [...page.matchAll(/<figure class="chart" role="img" aria-label="([^"]*)">/g)].map((m) => m[1]!),
    missing_charts: (page.match(/<figure class="chart missing">/g) ?? []).length,
    availability: tableRows(/<table class="availability">([\s\S]*?)<\/table>/.exec(features)?.[1] ?? ""),
    current: [...features.matchAll(/<th class="num current">([\s\S]*?)<\/th>/g)].map((m) => textOf(m[1]!)),
    scatter: [...features.matchAll(/<p class="muted">([\s\S]*?)<\/p>/g)].map((m) => textOf(m[1]!)).slice(1),
    feature_notes: [...features.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!)),
    notes: [...page.matchAll(/<section id="notes">([\s\S]*?)<\/section>/g)].map((m) => textOf(m[1]!))
  }
}

goldenCases(
  join(root, "testcases"),
  (caseDir, raw) =>
    Effect.gen(function* () {
      const stage = yield* makeFromRaw(qcHtmlReport, raw)
      const outputDir = join(caseDir, "run")
      const datasets = readdirSync(join(outputDir, "datasets")).sort()
      const files = yield* stage.render({ outputDir, datasets, json: {} })
      return files.map((file) => ({ path: file.path, ...summarize(typeof file.contents === "string" ? file.contents : "") }))
    }),
  { timeoutMs: 60_000 }
)
