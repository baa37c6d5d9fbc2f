/**
 * report.evaluation-html: the report contract, the page a realistic evaluation gives (summary
 * table with intervals, ROC-AUC bars, ROC/PR/calibration charts per dataset, confusion matrices,
 * per-behaviour and per-capture tables, importance charts, model cards; nothing external, no
 * script), hostile strings escaped (proved on the parsed markup), artefacts read from the run
 * folder, an older metrics.json with ROC-AUC only, and bad artefacts reported as notes.
 */
import { it } from "@effect/vitest"
import type { ReportFile } from "@hashhound/core"
import { makeFromYaml, reportContract, sampleArtifacts } from "@hashhound/testkit"
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect } from "vitest"
import { escapeHtml, raw, safeSvg } from "@hashhound/core"
import { evaluationHtmlReport } from "../src/index.js"
import { scanTags } from "@hashhound/testkit"
import { evaluationArtifacts, HOSTILE } from "./report-inputs.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

reportContract(evaluationHtmlReport, { exampleYaml: join(root, "example.yaml"), testTimeoutMs: 60_000 })
reportContract(evaluationHtmlReport, { exampleYaml: join(root, "example.yaml"), artifacts: evaluationArtifacts(), testTimeoutMs: 60_000 })

const render = (artifacts = evaluationArtifacts(), yaml = "") =>
  Effect.flatMap(makeFromYaml(evaluationHtmlReport, `type: report.evaluation-html\n${yaml}`), (stage) => stage.render(artifacts))

const text = (file: ReportFile | undefined): string => (typeof file?.contents === "string" ? file.contents : "")

/** Elements the report itself writes (HTML and the SVG vega draws). */
const OWN_ELEMENTS = new Set([
  "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4", "p", "b", "br", "span", "section", "div", "figure", "figcaption",
  "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "footer", "code",
  "svg", "g", "rect", "path", "text", "line", "defs", "clippath", "title", "desc", "tspan", "symbol", "circle"
])

const tmp = mkdtempSync(join(tmpdir(), "hh-eval-report-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe("report.evaluation-html", () => {
  it.effect("one self-contained page with inline SVG charts, the tables and the model cards; no script or external resource", () =>
    Effect.gen(function* () {
      const files = yield* render()
      expect(files.map((f) => f.path)).toEqual(["evaluation/report.html"])
      const page = text(files[0])
      const tags = scanTags(page)
      // AUC bars + (ROC, PR, calibration) × 2 datasets + permutation × 2 + gain × 1
      expect(tags.filter((t) => t.name === "svg").length).toBe(1 + 3 * 2 + 2 + 1)
      expect(tags.filter((t) => t.name === "script" || t.name === "link" || t.name === "img" || t.name === "iframe")).toEqual([])
      expect(page).not.toMatch(/(?:src|href)\s*=\s*["']?https?:/i)
      expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
      for (const title of ["ROC-AUC per dataset and model", "ROC: campus", "Precision-recall: campus", "Calibration: campus", "Permutation importance: model.gbdt", "Gain importance: model.gbdt"])
        expect(page).toContain(title)
      // summary: AUC with its interval, PR-AUC, recall / FPR at the fixed thresholds
      expect(page).toContain("0.960 <span class=\"muted\">[0.940, 0.980]</span>")
      expect(page).toContain("80.0 % <span class=\"muted\">/ 0.3 %</span>")
      // confusion matrix rows, fixed and oracle
      expect(page).toContain("FPR ≤ 0.001, threshold fixed on training")
      expect(page).toContain("FPR ≤ 0.0001 on this data (oracle)")
      // per behaviour: 35 of 40 · 30 of 40 · 38 of 40
      expect(page).toContain("87.5<span class=\"muted\"> · </span>75.0<span class=\"muted\"> · </span>95.0 %")
      expect(page).toContain("mining:xmrig_tls")
      expect(page).toContain('<span class="muted">AUC 0.931</span>')
      expect(page).toContain('<span class="muted">AUC 0.942</span>')
      // flows left out of the metrics: unknown labels and duplicates, in the dataset text and the card
      expect(page).toContain("20 flows labelled unknown are excluded from every metric; 40 duplicate flows (the same flow seen in another capture or batch) are excluded too.")
      expect(page).toMatch(/<th class="num">duplicates<\/th><\/tr><\/thead><tbody>\s*<tr><td class="wrap">lab<\/td><td class="num">610<\/td><td class="num">100<\/td><td class="num">500<\/td><td class="num">0<\/td><td class="num">10<\/td><\/tr>/)
      expect(page).toContain("campus-02.pcap")
      expect(page).toContain("in-sample: training data")
      // where each card's thresholds come from, and the out-of-fold training result
      expect(page).toContain("(from out-of-fold training scores: 5 folds grouped by conversation)")
      expect(page).toContain("(from in-sample training scores; no folds: 1 conversation group(s) with mining rows)")
      expect(page).toContain("(out-of-fold, in-sample training scores)")
      expect(page).toMatch(/training rows <span class="muted">\(out-of-fold: 5 folds grouped by conversation\)<\/span><\/td><td class="num">0\.987<\/td><td class="num">0\.912<\/td>/)
      expect(page).toContain("Model cards")
      expect(page).toContain("the thresholds for FPR ≤ 0.001, FPR ≤ 0.0001 are only")
      expect(page).toContain("features.temporal")
    }))

  it.effect("hostile strings from users and traffic are escaped everywhere: no injected element or handler", () =>
    Effect.gen(function* () {
      const page = text((yield* render(evaluationArtifacts(true)))[0])
      const tags = scanTags(page)
      expect([...new Set(tags.map((t) => t.name))].filter((name) => !OWN_ELEMENTS.has(name))).toEqual([])
      expect(tags.flatMap((t) => t.attributes).filter((a) => a.startsWith("on"))).toEqual([])
      expect(tags.filter((t) => t.name === "script" || t.name === "iframe" || t.name === "img")).toEqual([])
      for (const value of Object.values(HOSTILE)) expect(page).not.toContain(value)
      expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
      expect(page).toContain("cap&amp;&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;&#39;.pcap")
      expect(page).toContain("mining:&lt;img src=x onerror=alert(3)&gt;")
      expect(page).toContain("benign:&quot; onmouseover=&quot;alert(2)")
      expect(page).toContain("&#39;&gt;&lt;iframe src=javascript:alert(4)&gt;")
      // the hostile dataset's charts are still drawn (vega escapes its text, and the SVG passed the check)
      expect(page).not.toContain("chart refused")
      expect(page).not.toContain("could not be drawn")
    }))

  it.effect("reads metrics, curves and cards from the run folder when the artefacts lack them", () =>
    Effect.gen(function* () {
      const full = evaluationArtifacts(false, tmp)
      for (const [key, value] of Object.entries(full.json)) {
        if (key === "manifest.json") continue
        mkdirSync(dirname(join(tmp, key)), { recursive: true })
        writeFileSync(join(tmp, key), JSON.stringify(value))
      }
      mkdirSync(join(tmp, "models", "broken"), { recursive: true })
      writeFileSync(join(tmp, "models", "broken", "card.json"), "{ not json")
      const stale = { ...(full.json["models/model.gbdt/card.json"] as Record<string, unknown>), name: "model.old" }
      mkdirSync(join(tmp, "models", "model.old"), { recursive: true })
      writeFileSync(join(tmp, "models", "model.old", "card.json"), JSON.stringify(stale))
      const page = text((yield* render({ ...full, json: { "manifest.json": {} } }))[0])
      expect(page).toContain("ROC: campus")
      expect(page).toContain("Permutation importance: model.logistic")
      expect(page).toContain("models/broken/card.json: could not be read")
      expect(page).toContain("models/model.old/card.json: model model.old is not in evaluation/metrics.json")
      expect(page).not.toContain("Permutation importance: model.old")
      const off = text((yield* render({ ...full, json: { "manifest.json": {} } }, "read_run_folder: false"))[0])
      expect(off).toContain("No evaluation metrics in this run")
    }))

  it.effect("an older metrics.json with only roc_auc per dataset still gives the summary and the bar chart", () =>
    Effect.gen(function* () {
      const page = text(
        (yield* render({
          outputDir: "/nonexistent",
          datasets: ["production"],
          json: { "evaluation/metrics.json": { models: [{ name: "model.gbdt", type: "model.gbdt" }], datasets: { production: { rows: 10, mining: 2, benign: 8, roc_auc: { "model.gbdt": 0.9 } } } } }
        }))[0]
      )
      expect(page).toContain("ROC-AUC per dataset and model")
      expect(page).toContain("0.900")
      expect(page).toContain("No curves for this dataset")
    }))

  it.effect("artefacts of the wrong shape become notes; an empty run and testkit's sample artefacts still render", () =>
    Effect.gen(function* () {
      const page = text(
        (yield* render({ outputDir: "/nonexistent", datasets: [], json: { "evaluation/metrics.json": { datasets: 3 }, "evaluation/curves.json": [1], "models/x/card.json": { name: 1 } } }))[0]
      )
      expect(page).toContain("evaluation/metrics.json: not the expected shape")
      expect(page).toContain("evaluation/curves.json: not the expected shape")
      expect(page).toContain("models/x/card.json: not the expected shape")
      expect(text((yield* render({ outputDir: "/nonexistent", datasets: [], json: {} }))[0])).toContain("No evaluation metrics in this run")
      expect(text((yield* render(sampleArtifacts("/nonexistent")))[0])).toContain("Artefacts not used")
    }))

  it.effect("max_table_rows caps the breakdown tables and says how many are left out", () =>
    Effect.gen(function* () {
      const page = text((yield* render(evaluationArtifacts(), "max_table_rows: 1"))[0])
      expect(page).toContain("3 more behaviours not shown (max_table_rows 1)")
      expect(page).toContain("1 more captures not shown (max_table_rows 1)")
    }))

  it("escapes text; refuses SVG with scripts, handlers, foreign objects or external references, but not escaped label text", () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0007`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\ufffd")
    expect(safeSvg('<svg><text>&lt;svg onload=alert(1)&gt; " onmouseover="x</text><path aria-label="a&quot; onclick=&quot;x" fill="url(#g)"/></svg>')).toEqual(
      raw('<svg><text>&lt;svg onload=alert(1)&gt; " onmouseover="x</text><path aria-label="a&quot; onclick=&quot;x" fill="url(#g)"/></svg>')
    )
    for (const bad of [
      "<svg><script>alert(1)</script></svg>",
      '<svg><rect onclick="x()"/></svg>',
      "<svg ONLOAD='x'></svg>",
      '<svg><image href="https://example.com/x.png"/></svg>',
      "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
      "<svg><foreignObject><div/></foreignObject></svg>",
      '<svg><rect style="fill:url(https://example.com/x)"/></svg>',
      "<svg><!-- comment --></svg>",
      "<div></div>"
    ])
      expect(safeSvg(bad), bad).toBeUndefined()
  })
})
