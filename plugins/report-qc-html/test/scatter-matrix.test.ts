/**
 * The scatter-matrix spec (moved here from tools/features-doc so the report can render it): the
 * lower triangle of point cells with histograms on the diagonal, fixed label colours, NaN → null,
 * log10 features, deterministic thinning, field names that no feature name can turn into a
 * vega-lite path; and the spec drawn by vega to SVG with one point per row and cell.
 */
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { renderChart } from "../src/charts.js"
import { mergeSquarePoints, scatterMatrixSpec, type ScatterMatrixOptions, type ScatterRow } from "../src/scatter-matrix.js"

interface Encoding {
  readonly field?: string
  readonly title?: string | null
  readonly scale?: { readonly domain?: ReadonlyArray<unknown>; readonly range?: ReadonlyArray<string> }
  readonly aggregate?: string
}
interface Cell {
  readonly mark: { readonly type: string }
  readonly encoding: { readonly x: Encoding; readonly y: Encoding; readonly color: Encoding }
}
/** The parts of the spec the tests look at. */
interface Spec {
  readonly $schema: string
  readonly data: { readonly values: ReadonlyArray<Record<string, unknown>> }
  readonly vconcat: ReadonlyArray<{ readonly hconcat: ReadonlyArray<Cell> }>
}

const build = (rows: ReadonlyArray<ScatterRow>, options: ScatterMatrixOptions): Spec => scatterMatrixSpec(rows, options) as unknown as Spec

const ROWS = [
  { bytes_total: 10300, byte_asymmetry: -0.18, label: "mining" },
  { bytes_total: 17000, byte_asymmetry: -0.79, label: "benign" },
  { bytes_total: 0, byte_asymmetry: Number.NaN, label: null },
  { bytes_total: 100, byte_asymmetry: 1, label: "benign" }
]

describe("scatterMatrixSpec", () => {
  it("lower triangle of feature pairs with histograms on the diagonal, points coloured by label with the report's colours", () => {
    const spec = build(ROWS, { features: ["bytes_total", "byte_asymmetry"], title: "t" })
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json")
    expect(spec.vconcat.map((row) => row.hconcat.map((cell) => [cell.mark.type, cell.encoding.x.field, cell.encoding.y.field ?? cell.encoding.y.aggregate]))).toEqual([
      [["bar", "f0", "count"]],
      [
        ["point", "f0", "f1"],
        ["bar", "f1", "count"]
      ]
    ])
    // axis titles on the bottom row and the left column only
    const [[top], [left, diagonal]] = spec.vconcat.map((row) => row.hconcat) as [[Cell], [Cell, Cell]]
    expect([top.encoding.x.title, left.encoding.x.title, left.encoding.y.title, diagonal.encoding.x.title]).toEqual([null, "bytes_total", "byte_asymmetry", "byte_asymmetry"])
    // each column shares its feature's domain
    expect(left.encoding.x.scale?.domain).toEqual([0, 17000])
    expect(left.encoding.y.scale?.domain).toEqual([-0.79, 1])
    expect(left.encoding.color.scale).toEqual({ domain: ["mining", "benign", "unknown"], range: ["#d93025", "#1e8e3e", "#9aa0a6"] })
    // NaN → null (valid JSON), missing label → unknown
    expect(spec.data.values[2]).toEqual({ f0: 0, f1: null, label: "unknown" })
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec)
  })

  it("log_features plots log10 values, leaving out values ≤ 0; titles name the log", () => {
    const spec = build(ROWS, { features: ["bytes_total", "byte_asymmetry"], log_features: ["bytes_total"] })
    expect(spec.data.values.map((v) => v["f0"])).toEqual([Math.log10(10300), Math.log10(17000), null, 2])
    expect(spec.vconcat[1]!.hconcat[0]!.encoding.x.title).toBe("log10 bytes_total")
    const titled = build(ROWS, { features: ["bytes_total", "byte_asymmetry"], titles: { bytes_total: "bytes_total (bytes)" } })
    expect(titled.vconcat[1]!.hconcat[0]!.encoding.x.title).toBe("bytes_total (bytes)")
  })

  it("thins to max_rows deterministically and keeps other label values in the legend", () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ x: i, y: -i, label: i === 9 ? "suspicious" : "benign" }))
    const spec = build(many, { features: ["x", "y"], max_rows: 5 })
    expect(spec.data.values.map((v) => v["f0"])).toEqual([0, 2, 4, 6, 8])
    const all = build(many, { features: ["x", "y"] })
    expect(all.vconcat[0]!.hconcat[0]!.encoding.color.scale).toEqual({
      domain: ["mining", "benign", "unknown", "suspicious"],
      range: ["#d93025", "#1e8e3e", "#9aa0a6", "#f9ab00"]
    })
  })

  it.effect("vega draws it: one point per row with values in each off-diagonal cell, even for feature names that are vega-lite paths", () =>
    Effect.gen(function* () {
      // benign rows first, mining last (the order of the pipeline's sample)
      const rows = Array.from({ length: 40 }, (_, i) => ({ "a.b": i, "c[0]": i % 7, 'd"]': i % 3 === 0 ? null : -i, label: i < 30 ? "benign" : "mining" }))
      const svg = yield* renderChart(scatterMatrixSpec(rows, { features: ["a.b", "c[0]", 'd"]'] }))
      // cells (1,0), (2,0), (2,1): 40 + 26 + 26 points (the third feature is null in 14 rows)
      expect((svg.match(/<path transform="translate\([^)]*\)" d="M-1\.5,-1\.5h3v3h-3Z"/g) ?? []).length).toBe(40 + 26 + 26)
      expect(svg).toContain("a.b")
      expect(svg).toContain("c[0]")
      // merged: the same points as pieces of one path per cell and colour, mining after benign
      const merged = mergeSquarePoints(svg)
      expect(/<path transform="translate\([^)]*\)" d="M-1\.5,-1\.5h3v3h-3Z"/.test(merged)).toBe(false)
      const paths = [...merged.matchAll(/<path d="((?:M[\d.-]+,[\d.-]+h3v3h-3Z)+)" fill="(#[0-9a-f]{6})" opacity="0\.55"\/>/g)]
      expect(paths.map((m) => m[2])).toEqual(["#1e8e3e", "#d93025", "#1e8e3e", "#d93025", "#1e8e3e", "#d93025"])
      expect(paths.reduce((sum, m) => sum + (m[1]!.match(/M/g) ?? []).length, 0)).toBe(40 + 26 + 26)
      // each point gives up at least 80 characters
      expect(svg.length - merged.length).toBeGreaterThan(92 * 80)
    }))

  it("mergeSquarePoints keeps the order of colours and leaves other SVG alone", () => {
    const point = (x: number, y: number, fill: string) => `<path transform="translate(${x},${y})" d="M-1.5,-1.5h3v3h-3Z" fill="${fill}" stroke-width="2" opacity="0.55"/>`
    const svg = `<g>${point(10, 20.04, "#1e8e3e")}${point(11.26, 1e-7, "#1e8e3e")}${point(3, 4, "#d93025")}${point(5, 6, "#1e8e3e")}</g><path d="M0,0h1"/>`
    expect(mergeSquarePoints(svg)).toBe(
      '<g><path d="M8.5,18.5h3v3h-3ZM9.8,-1.5h3v3h-3Z" fill="#1e8e3e" opacity="0.55"/><path d="M1.5,2.5h3v3h-3Z" fill="#d93025" opacity="0.55"/><path d="M3.5,4.5h3v3h-3Z" fill="#1e8e3e" opacity="0.55"/></g><path d="M0,0h1"/>'
    )
    expect(mergeSquarePoints("<svg><rect/></svg>")).toBe("<svg><rect/></svg>")
  })
})
