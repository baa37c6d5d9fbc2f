import { arrowTypeOf, FLOW_COLUMNS, readNumeric } from "@hashhound/core"
import { describe, expect, it } from "vitest"
import { batchFromRows, emptyBatch, rowsOf, sampleBatch, sampleFlowRows } from "../src/index.js"

describe("batch helpers", () => {
  it("builds a batch from rows with catalogue types and reads the same rows back", () => {
    const rows = [
      { src_ip: "10.0.0.1", dst_port: 3333, first_seen_us: 1_700_000_000_000_000n, splt_len: [60, -60], label: "mining" },
      { src_ip: "10.0.0.2", dst_port: null, first_seen_us: 1_700_000_000_000_001n, splt_len: null }
    ]
    const batch = batchFromRows(rows)
    expect(batch.numRows).toBe(2)
    expect(String(batch.schema.fields.find((f) => f.name === "first_seen_us")!.type)).toBe("Int64")
    expect(rowsOf(batch)).toEqual([
      { src_ip: "10.0.0.1", dst_port: 3333, first_seen_us: 1_700_000_000_000_000, splt_len: [60, -60], label: "mining" },
      { src_ip: "10.0.0.2", dst_port: null, first_seen_us: 1_700_000_000_000_001, splt_len: null, label: null }
    ])
  })

  it("infers a type for columns outside the catalogue and keeps the asked column order", () => {
    const batch = batchFromRows([{ score: 0.5, note: "x" }], { columns: ["note", "score"] })
    expect(batch.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([["note", "Utf8"], ["score", "Float64"]])
  })

  it("refuses a value of the wrong kind (a mistake in the test)", () => {
    expect(() => batchFromRows([{ dst_port: "80" }])).toThrow(/wants a number/)
  })

  it("has a sample batch with every catalogue column, typed as the catalogue says", () => {
    const batch = sampleBatch()
    expect(batch.numRows).toBe(sampleFlowRows().length)
    for (const spec of FLOW_COLUMNS) expect(String(batch.schema.fields.find((f) => f.name === spec.name)?.type)).toBe(String(arrowTypeOf(spec.type)))
    expect(Array.from(readNumeric(batch, "dst_port")!)).toEqual([3333, 443, 53, Number.NaN, 80, 22])
    expect(rowsOf(batch)[4]!["bwd_pkt_len_mean"]).toBeNull()
    expect(emptyBatch().numRows).toBe(0)
  })
})
