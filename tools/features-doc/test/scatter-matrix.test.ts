import { describe, expect, it } from "vitest"
import { scatterMatrixSpec, type ScatterMatrixOptions, type ScatterRow } from "../scatter-matrix.js"

/** The parts of the spec the tests look at. */
interface Spec {
  readonly $schema: string
  readonly repeat: { readonly row: ReadonlyArray<string>; readonly column: ReadonlyArray<string> }
  readonly data: { readonly values: ReadonlyArray<Record<string, unknown>> }
  readonly spec: {
    readonly encoding: {
      readonly x: { readonly field: unknown }
      readonly y: { readonly field: unknown }
      readonly color: { readonly scale: { readonly domain: ReadonlyArray<string>; readonly range: ReadonlyArray<string> } }
    }
  }
}

const build = (rows: ReadonlyArray<ScatterRow>, options: ScatterMatrixOptions): Spec => scatterMatrixSpec(rows, options) as unknown as Spec

const ROWS = [
  { bytes_total: 10300, byte_asymmetry: -0.18, label: "mining" },
  { bytes_total: 17000, byte_asymmetry: -0.79, label: "benign" },
  { bytes_total: 0, byte_asymmetry: Number.NaN, label: null },
  { bytes_total: 100, byte_asymmetry: 1, label: "benign" }
]

describe("scatterMatrixSpec", () => {
  it("repeats the chosen features over rows and columns, points coloured by label with fixed colours", () => {
    const spec = build(ROWS, { features: ["bytes_total", "byte_asymmetry"], title: "t" })
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json")
    expect(spec.repeat).toEqual({ row: ["bytes_total", "byte_asymmetry"], column: ["bytes_total", "byte_asymmetry"] })
    expect(spec.spec.encoding.x.field).toEqual({ repeat: "column" })
    expect(spec.spec.encoding.y.field).toEqual({ repeat: "row" })
    expect(spec.spec.encoding.color.scale).toEqual({ domain: ["mining", "benign", "unknown"], range: ["#d62728", "#1f77b4", "#9a9a9a"] })
    // NaN → null (valid JSON), missing label → unknown
    expect(spec.data.values[2]).toEqual({ bytes_total: 0, byte_asymmetry: null, label: "unknown" })
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec)
  })

  it("log_features plots log10 values, leaving out values ≤ 0", () => {
    const spec = build(ROWS, { features: ["bytes_total", "byte_asymmetry"], log_features: ["bytes_total"] })
    expect(spec.repeat.row).toEqual(["log10(bytes_total)", "byte_asymmetry"])
    expect(spec.data.values.map((v) => v["log10(bytes_total)"])).toEqual([Math.log10(10300), Math.log10(17000), null, 2])
  })

  it("thins to max_rows deterministically and keeps unknown label values in the legend", () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ x: i, y: -i, label: i === 9 ? "suspicious" : "benign" }))
    const spec = build(many, { features: ["x", "y"], max_rows: 5 })
    expect(spec.data.values.map((v) => v["x"])).toEqual([0, 2, 4, 6, 8])
    const all = build(many, { features: ["x", "y"] })
    expect(all.spec.encoding.color.scale.domain).toEqual(["mining", "benign", "unknown", "suspicious"])
  })
})
