/**
 * report.qc-html: the report contract, the page a realistic run gives (charts as inline SVG,
 * findings table, failures, labels, app hints; nothing external, no script), hostile traffic
 * strings escaped (proved on the parsed markup), artefacts read from the run folder, the label
 * report, and bad artefacts reported as notes instead of failing the render.
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
import { inlineSvg } from "../src/charts.js"
import { qcHtmlReport } from "../src/index.js"
import { scanTags } from "@hashhound/testkit"
import { HOSTILE, labArtifacts } from "./report-inputs.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

reportContract(qcHtmlReport, { exampleYaml: join(root, "example.yaml"), testTimeoutMs: 60_000 })
reportContract(qcHtmlReport, { exampleYaml: join(root, "example.yaml"), artifacts: labArtifacts(), testTimeoutMs: 60_000 })

const render = (artifacts = labArtifacts(), yaml = "") =>
  Effect.flatMap(makeFromYaml(qcHtmlReport, `type: report.qc-html\n${yaml}`), (stage) => stage.render(artifacts))

const text = (file: ReportFile | undefined): string => (typeof file?.contents === "string" ? file.contents : "")

/** Elements the report itself writes (HTML and the SVG vega draws). */
const OWN_ELEMENTS = new Set([
  "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "p", "b", "span", "section", "div", "figure", "figcaption",
  "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "footer",
  "svg", "g", "rect", "path", "text", "line", "defs", "clippath", "title", "desc", "tspan", "symbol", "circle"
])

const tmp = mkdtempSync(join(tmpdir(), "hh-qc-report-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe("report.qc-html", () => {
  it.effect("one self-contained page per dataset, with inline SVG charts and no script or external resource", () =>
    Effect.gen(function* () {
      const files = yield* render()
      expect(files.map((f) => f.path)).toEqual(["datasets/lab/qc/qc.html"])
      const page = text(files[0])
      const tags = scanTags(page)
      expect(tags.filter((t) => t.name === "svg").length).toBe(7)
      expect(tags.filter((t) => t.name === "script" || t.name === "link" || t.name === "img" || t.name === "iframe")).toEqual([])
      // no URL at all, not even the SVG namespace names, and nothing that could load one
      expect(page).not.toMatch(/https?:\/\//i)
      expect(page).not.toMatch(/\b(?:src|href|xlink:href|srcset|action|formaction|data)\s*=/i)
      expect(page).not.toMatch(/url\(|@import/i)
      expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
      for (const title of ["Flow duration", "Bytes per flow", "Packets per flow", "Protocol mix", "Destination ports", "Labels per capture", "Findings per check"])
        expect(page).toContain(title)
      expect(page).toContain("Why QC failed")
      expect(page).toContain("zero_payload_share_above=0.9")
      expect(page).toContain("pool.supportxmr.com")
      expect(page).toMatch(/Coverage [\d.]+ %/)
      expect(page).toContain("record length beyond file end")
      expect(page).toContain('<span class="badge fail">fail</span>')
    }))

  it.effect("hostile strings from traffic are escaped everywhere: no injected element or handler", () =>
    Effect.gen(function* () {
      const page = text((yield* render(labArtifacts(true)))[0])
      const tags = scanTags(page)
      const names = new Set(tags.map((t) => t.name))
      expect([...names].filter((name) => !OWN_ELEMENTS.has(name))).toEqual([])
      expect(tags.flatMap((t) => t.attributes).filter((a) => a.startsWith("on"))).toEqual([])
      expect(tags.filter((t) => t.name === "script" || t.name === "iframe" || t.name === "img")).toEqual([])
      for (const value of Object.values(HOSTILE)) expect(page).not.toContain(value)
      expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
      expect(page).toContain("evil.example&quot; onmouseover=&quot;alert(2)")
      expect(page).toContain("&#39;&gt;&lt;img src=x onerror=alert(3)&gt;.example")
      expect(page).toContain("cap&amp;&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;&#39;.pcap")
      expect(page).toContain("&lt;svg onload=alert(5)&gt; &amp; &quot;quotes&quot; &#39;too&#39;")
    }))

  it.effect("reads per-batch findings and the flow summary from the run folder when the artefacts lack them", () =>
    Effect.gen(function* () {
      const full = labArtifacts(false, tmp)
      const qcDir = join(tmp, "datasets", "lab", "qc")
      mkdirSync(qcDir, { recursive: true })
      const onlyDataset: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(full.json)) {
        if (key.startsWith("datasets/lab/qc/") && key !== "datasets/lab/qc/dataset.json") writeFileSync(join(tmp, key), JSON.stringify(value))
        else onlyDataset[key] = value
      }
      writeFileSync(join(qcDir, "batch-00002-00000.json"), "{ not json")
      const page = text((yield* render({ ...full, json: onlyDataset }))[0])
      expect(page).toContain("Bytes per flow")
      expect(page).toContain("rows going backwards in time 3")
      expect(page).toContain("Artefacts not used")
      expect(page).toContain("batch-00002-00000.json: could not be read")
      const off = text((yield* render({ ...full, json: onlyDataset }, "read_run_folder: false"))[0])
      expect(off).not.toContain("Bytes per flow")
      expect(off).toContain("No flow summary in the run artefacts")
    }))

  it.effect("artefacts of the wrong shape become notes; a dataset with no QC results still gets a page", () =>
    Effect.gen(function* () {
      const files = yield* render({
        outputDir: "/nonexistent",
        datasets: ["a", "../escape", "b"],
        json: { "datasets/a/qc/dataset.json": { status: "maybe" }, "datasets/a/qc/flow-summary.json": { format: "other" }, "datasets/a/qc/x.json": [1, 2] }
      })
      expect(files.map((f) => f.path)).toEqual(["datasets/a/qc/qc.html", "datasets/b/qc/qc.html"])
      const a = text(files[0])
      expect(a).toContain("dataset.json: not the expected shape")
      expect(a).toContain("flow-summary.json: not a hashhound.flow-summary/1 summary")
      expect(a).toContain("x.json: not a list of findings")
      expect(text(files[1])).toContain("no QC results")
    }))

  it.effect("the label report (qc/labels.json) adds who decided and which labelers disagreed, escaped; a wrong one is a note", () =>
    Effect.gen(function* () {
      const counts = { flows: 10, mining: 4, benign: 3, unknown: 3, explicit_unknown: 2, labelled: 7, coverage: 0.7, mining_share: 4 / 7, conflicts: 2, duplicates: 0 }
      const report = {
        format: "hashhound.label-report/1",
        dataset: "lab",
        duplicates_counted: false,
        ...counts,
        by_source: { "labeler.stratum": 6, [HOSTILE.label]: 2, none: 2 },
        conflict_pairs: { "labeler.stratum=mining vs labeler.dataset=benign": 2 },
        captures: { "a.pcap": counts }
      }
      const page = text((yield* render({ outputDir: "/nonexistent", datasets: ["lab"], json: { "datasets/lab/qc/labels.json": report } }))[0])
      expect(page).toContain("<h3>Decided by</h3>")
      expect(page).toContain("labeler.stratum=mining vs labeler.dataset=benign")
      expect(page).toContain("2 flows a labeler called unknown with nobody definite")
      expect(page).toMatch(/<td class="wrap">a\.pcap<\/td><td class="num">10<\/td><td class="num">70\.0 %<\/td>/)
      expect(page).not.toContain(HOSTILE.label)
      expect(scanTags(page).filter((t) => t.name === "iframe")).toEqual([])
      const bad = text((yield* render({ outputDir: "/nonexistent", datasets: ["lab"], json: { "datasets/lab/qc/labels.json": { ...report, format: "x" } } }))[0])
      expect(bad).toContain("labels.json: not a hashhound.label-report/1 label report")
    }))

  it.effect("testkit's sample artefacts (a bare findings list) render", () =>
    Effect.gen(function* () {
      const page = text((yield* render(sampleArtifacts("/nonexistent")))[0])
      expect(page).toContain("zero-payload share 0.5 above 0.4")
    }))

  it.effect("max_findings caps the table, fail first", () =>
    Effect.gen(function* () {
      const page = text((yield* render(labArtifacts(), "max_findings: 1"))[0])
      expect(page).toContain("more findings not shown (max_findings 1)")
      const rows = page.split('<tr class="').slice(1).filter((row) => /^(fail|warn|info)"/.test(row))
      expect(rows.map((row) => row.slice(0, 4))).toEqual(["fail"])
    }))

  it("escapes text, and refuses SVG carrying scripts, handlers or external references", () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0007`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\ufffd")
    expect(safeSvg('<svg><text>&lt;script&gt;</text></svg>')).toEqual(raw("<svg><text>&lt;script&gt;</text></svg>"))
    expect(safeSvg("<svg><script>alert(1)</script></svg>")).toBeUndefined()
    expect(safeSvg('<svg><rect onclick="x()"/></svg>')).toBeUndefined()
    expect(safeSvg('<svg><image href="https://example.com/x.png"/></svg>')).toBeUndefined()
    expect(safeSvg('<svg><foreignObject><div/></foreignObject></svg>')).toBeUndefined()
    expect(safeSvg("<div></div>")).toBeUndefined()
  })

  it("inlineSvg drops the namespace declarations of the root tag only", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" class="marks" width="10"><text> xmlns="http://www.w3.org/2000/svg"</text></svg>'
    expect(inlineSvg(svg)).toBe('<svg version="1.1" class="marks" width="10"><text> xmlns="http://www.w3.org/2000/svg"</text></svg>')
    expect(inlineSvg('<svg width="1"/>')).toBe('<svg width="1"/>')
  })
})
