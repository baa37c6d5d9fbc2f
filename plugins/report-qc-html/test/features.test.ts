/**
 * report.qc-html's Features section: the availability matrix (rows grouped by feature group
 * with units, one column per dataset of the run, shares of non-null flows, the missing column
 * named, 0 % for a dataset without it) and the scatter matrix of `scatter_features` from the
 * feature sample (inline SVG, points per label, log axes); unknown feature names and bad
 * artefacts as notes; hostile group, feature, unit and label strings escaped.
 */
import { it } from "@effect/vitest"
import type { ReportFile } from "@hashhound/core"
import { makeFromYaml, scanTags } from "@hashhound/testkit"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { shareText } from "../src/features-section.js"
import { DEFAULT_SCATTER_FEATURES, qcHtmlReport } from "../src/index.js"
import { tableRows, textOf } from "./page-text.js"
import { featureArtefacts, HOSTILE_FEATURE, labArtifacts } from "./report-inputs.js"

const render = (artifacts = labArtifacts(false, undefined, true), yaml = "") =>
  Effect.flatMap(makeFromYaml(qcHtmlReport, `type: report.qc-html\n${yaml}`), (stage) => stage.render(artifacts))

const text = (file: ReportFile | undefined): string => (typeof file?.contents === "string" ? file.contents : "")

/** The Features section without its SVG (short failure messages). */
const section = (page: string): string => (/<section id="features">[\s\S]*?<\/section>/.exec(page)?.[0] ?? "").replace(/<svg[\s\S]*?<\/svg>/g, "<svg/>")

/** The availability table as rows of cell texts (a missing column after " | "). */
const matrixOf = (page: string): ReadonlyArray<ReadonlyArray<string>> => {
  return tableRows(/<table class="availability">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? "")
}

describe("report.qc-html features", () => {
  it.effect("the availability matrix: features by group with units, a column per dataset, 0 % naming the missing column", () =>
    Effect.gen(function* () {
      const files = yield* render()
      expect(files.map((f) => f.path)).toEqual(["datasets/lab/qc/qc.html", "datasets/export/qc/qc.html"])
      const lab = text(files[0])
      expect(lab).toContain('<section id="features"><h2>Features</h2>')
      expect(matrixOf(lab)).toEqual([
        ["feature", "unit", "lab 650 flows", "export 1,200 flows"],
        ["features.volume"],
        ["bytes_total", "bytes", "100 %", "100 %"],
        ["mean_pkt_size", "bytes", "100 %", "100 %"],
        ["features.direction"],
        ["byte_asymmetry", "ratio", "100 %", "100 %"],
        ["features.temporal"],
        ["burstiness", "score", "88.8 %", "88.8 %"],
        ["features.early"],
        ["early_len_1", "bytes", "100 %", "0 % | no splt_len"],
        ["features.tcp"],
        ["syn_share", "ratio", "100 %", "0 % | tcp_flags empty"]
      ])
      expect(lab).toContain('<td class="num avail-none" title="0 of 1,200 flows">0 %<span class="lack">no splt_len</span></td>')
      expect(lab).toContain('<th class="num current">lab')
      // the export page shows the same matrix, with its own column marked
      const exported = text(files[1])
      expect(matrixOf(exported)).toEqual(matrixOf(lab))
      expect(exported).toContain('<th class="num current">export')
      expect(exported).toContain('<td class="num avail-none current" title="0 of 1,200 flows">0 %<span class="lack">no splt_len</span></td>')
    }))

  it.effect("the scatter matrix: the default features as inline SVG, points coloured by label, log axes for wide magnitudes", () =>
    Effect.gen(function* () {
      const page = text((yield* render())[0])
      expect(DEFAULT_SCATTER_FEATURES).toEqual(["bytes_total", "mean_pkt_size", "byte_asymmetry", "burstiness"])
      expect(page).toContain('<figure class="chart" role="img" aria-label="scatter matrix of bytes_total, mean_pkt_size, byte_asymmetry, burstiness coloured by label">')
      expect(section(page)).toContain("400 flows drawn of a sample of 400 (of 650 flows), stratified by label so that rare labels show: 52 unknown, 308 benign, 40 mining.")
      expect(section(page)).toContain("Log axes for bytes_total (values ≤ 0 left out).")
      const figure = /aria-label="scatter matrix[^"]*">([\s\S]*?)<\/figure>/.exec(page)?.[1] ?? ""
      expect(figure).toContain("log10 bytes_total (bytes)")
      expect(figure).toContain("mean_pkt_size (bytes)")
      // 6 cells below the diagonal, each with a benign, an unknown and a mining path; mining last in each cell
      const paths = [...figure.matchAll(/<path d="((?:M[\d.-]+,[\d.-]+h3v3h-3Z)+)" fill="(#[0-9a-f]{6})"/g)]
      const points = paths.reduce((sum, m) => sum + (m[1]!.match(/M/g) ?? []).length, 0)
      // burstiness is null in every 9th row: 3 cells with all 400 rows, 3 with 355
      expect(points).toBe(3 * 400 + 3 * 355)
      expect(paths.filter((m) => m[2] === "#d93025").length).toBe(6)
      expect(scanTags(page).filter((t) => t.name === "svg").length).toBe(8)
    }))

  it.effect("scatter_features picks the features; unknown or empty names are notes, not failures", () =>
    Effect.gen(function* () {
      const page = text((yield* render(undefined, "scatter_features: [early_len_1, no_such_feature, bytes_total, mean_pkt_size]"))[1])
      expect(section(page)).toContain("scatter_features: <code>no_such_feature</code> is not a feature of this dataset's sample (it holds bytes_total, mean_pkt_size,")
      expect(section(page)).toContain("<code>early_len_1</code> is null in every sampled flow")
      expect(page).toContain('aria-label="scatter matrix of bytes_total, mean_pkt_size coloured by label"')
      const none = text((yield* render(undefined, "scatter_features: [nope, early_len_1]"))[1])
      expect(section(none)).toContain("A scatter matrix needs two features with values; none of scatter_features (nope, early_len_1) has any.")
      expect(none).not.toContain("aria-label=\"scatter matrix")
      expect(none).toContain("Availability")
    }))

  it.effect("config: scatter_features needs 2 to 8 names; scatter_points thins the drawing", () =>
    Effect.gen(function* () {
      const one = yield* Effect.flip(makeFromYaml(qcHtmlReport, "type: report.qc-html\nscatter_features: [bytes_total]"))
      expect(one.message).toContain("scatter_features")
      const few = text((yield* render(undefined, "scatter_points: 100"))[0])
      expect(section(few)).toContain("100 flows drawn of a sample of 400")
    }))

  it.effect("a run without feature artefacts has no Features section; bad artefacts are notes; a dataset without them is named", () =>
    Effect.gen(function* () {
      expect(text((yield* render(labArtifacts()))[0])).not.toContain('id="features"')
      const json = {
        ...featureArtefacts("a", { flows: 10, sampled: 10 }),
        "datasets/a/qc/feature-sample.json": { format: "hashhound.feature-sample/1", rows: 3, labels: ["mining"], features: { x: [1, 2, 3] } },
        "datasets/b/qc/features.json": { format: "hashhound.feature-availability/2", flows: 1, groups: [] }
      }
      const [a, b, c] = (yield* render({ outputDir: "/nonexistent", datasets: ["a", "b", "c"], json })).map(text)
      expect(a).toContain("feature-sample.json: not a hashhound.feature-sample/1 artefact")
      expect(a).toContain("No feature sample (qc/feature-sample.json) for a; no scatter matrix.")
      expect(a).toContain("No feature artefacts (features not computed: QC failed, or no feature groups) for b, c.")
      expect(b).toContain("features.json: not a hashhound.feature-availability/1 artefact")
      expect(matrixOf(c!)[0]).toEqual(["feature", "unit", "a 10 flows"])
    }))

  it.effect("hostile group, feature, unit and label strings are escaped in the matrix, the notes and the SVG", () =>
    Effect.gen(function* () {
      const page = text((yield* render(labArtifacts(true, undefined, true), `scatter_features: ["${HOSTILE_FEATURE.name}", bytes_total, "<b>x</b>"]`))[0])
      const tags = scanTags(page)
      expect(tags.flatMap((t) => t.attributes).filter((a) => a.startsWith("on"))).toEqual([])
      expect(tags.filter((t) => t.name === "script" || t.name === "img")).toEqual([])
      for (const value of Object.values(HOSTILE_FEATURE)) expect(page).not.toContain(value)
      expect(page).toContain("features.x&quot;&gt;&lt;script&gt;alert(6)&lt;/script&gt;")
      expect(page).toContain("<code>&lt;img src=x onerror=alert(7)&gt;</code>")
      expect(page).toContain("&quot;&gt;&lt;b onclick=alert(8)&gt;")
      expect(page).toContain("scatter_features: <code>&lt;b&gt;x&lt;/b&gt;</code> is not a feature")
      // the hostile feature is plotted: its name (and unit) reach the SVG as escaped axis text, the hostile label as a legend entry
      const figure = /aria-label="scatter matrix of &lt;img[^"]*">([\s\S]*?)<\/figure>/.exec(page)?.[1] ?? ""
      expect(figure).toContain("&lt;img src=x onerror=alert(7)&gt;")
      expect(figure).toContain("&lt;svg onload=alert(9)&gt;")
    }))

  it("shares never round a partial count to 0 % or 100 %", () => {
    expect([shareText(0, 10), shareText(10, 10), shareText(1, 100_000), shareText(99_999, 100_000), shareText(1, 3), shareText(1, 0)]).toEqual([
      "0 %",
      "100 %",
      "< 0.1 %",
      "> 99.9 %",
      "33.3 %",
      "–"
    ])
  })
})
