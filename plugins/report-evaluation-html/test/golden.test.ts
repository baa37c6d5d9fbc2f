/**
 * Golden cases: each `testcases/<case>/` holds a stage entry (`config.yaml`) and a run folder
 * (`run/evaluation/*.json`, `run/models/*\/card.json`; `lab-to-production` is a trimmed real
 * `hashhound demo` evaluation, `legacy-metrics` an older metrics.json with ROC-AUC only). The
 * report is rendered from the run folder and summarised (files, headings, charts, the summary
 * table's cells, confusion-matrix rows, breakdown rows, notes) for `expected.json`.
 */
import { goldenCases, makeFromRaw } from "@hashhound/testkit"
import { Effect } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { evaluationHtmlReport } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" }
const textOf = (markup: string): string =>
  markup
    .replace(/<br>/g, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim()

const rowsOf = (table: string): ReadonlyArray<ReadonlyArray<string>> =>
  [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => textOf(cell[1]!)))

const tablesOf = (page: string, cls: string): ReadonlyArray<string> => [...page.matchAll(new RegExp(`<table class="${cls}">([\\s\\S]*?)</table>`, "g"))].map((m) => m[1]!)

/** What a reader would check on the page, without the SVG's geometry. */
const summarize = (page: string) => ({
  title: textOf(/<h1>([\s\S]*?)<\/h1>/.exec(page)?.[1] ?? ""),
  lead: textOf(/<p class="lead">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? ""),
  headings: [...page.matchAll(/<h2>([\s\S]*?)<\/h2>/g)].map((m) => textOf(m[1]!)),
  charts: [...page.matchAll(/<figure class="chart" role="img" aria-label="([^"]*)">/g)].map((m) => m[1]!),
  missing_charts: (page.match(/<figure class="chart missing">/g) ?? []).length,
  summary: tablesOf(page, "summary").flatMap(rowsOf),
  confusion_rows: tablesOf(page, "confusion").map((t) => rowsOf(t).length),
  breakdowns: tablesOf(page, "breakdown").map(rowsOf),
  notes: [...page.matchAll(/<section id="notes">([\s\S]*?)<\/section>/g)].map((m) => textOf(m[1]!))
})

goldenCases(
  join(root, "testcases"),
  (caseDir, raw) =>
    Effect.gen(function* () {
      const stage = yield* makeFromRaw(evaluationHtmlReport, raw)
      const files = yield* stage.render({ outputDir: join(caseDir, "run"), datasets: [], json: {} })
      return files.map((file) => ({ path: file.path, ...summarize(typeof file.contents === "string" ? file.contents : "") }))
    }),
  { timeoutMs: 60_000 }
)
