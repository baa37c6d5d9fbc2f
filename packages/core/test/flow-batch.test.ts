import { describe, expect, it } from "vitest"
import { FLOW_COLUMNS, FlowBatchBuilder, flowId, isGuardedColumn, readNumeric, readStrings, stampIdentity } from "../src/index.js"

describe("column catalogue", () => {
  it("has unique snake_case names and the DESIGN.md columns", () => {
    const names = FLOW_COLUMNS.map((c) => c.name)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/)
    for (const name of ["fwd_iat_std_s", "bwd_pkt_len_max", "pkt_len_mean", "iat_min_s", "bwd_cwr", "splt_iat_ms", "jsonrpc_methods"]) {
      expect(names).toContain(name)
    }
  })

  it("guards identity, hint and label columns from feature groups", () => {
    expect(isGuardedColumn("src_ip")).toBe(true)
    expect(isGuardedColumn("tls_sni")).toBe(true)
    expect(isGuardedColumn("label")).toBe(true)
    expect(isGuardedColumn("dst_port")).toBe(false)
    expect(isGuardedColumn("fwd_bytes")).toBe(false)
  })
})

describe("FlowBatchBuilder", () => {
  it("builds typed Arrow columns with nulls and grows", () => {
    const builder = FlowBatchBuilder.forColumns(["src_ip", "fwd_packets", "duration_s", "protocol", "splt_len"], 1)
    builder.ensureCapacity(3)
    builder.setValue("src_ip", 0, "10.0.0.1")
    builder.setNumber("fwd_packets", 0, 2 ** 40)
    builder.setNumber("fwd_packets", 2, 7)
    builder.setNumber("duration_s", 1, 0.25)
    builder.setNumber("protocol", 0, 6)
    builder.setValue("splt_len", 0, [60, -52])
    const batch = builder.finish(3)
    expect(batch.numRows).toBe(3)
    expect(batch.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      "src_ip:Utf8",
      "fwd_packets:Int64",
      "duration_s:Float64",
      "protocol:Int32",
      "splt_len:List<Int32>"
    ])
    expect([...readNumeric(batch, "fwd_packets")!]).toEqual([2 ** 40, Number.NaN, 7])
    expect(readStrings(batch, "src_ip")).toEqual(["10.0.0.1", null, null])
    expect([...(batch.getChild("splt_len")!.get(0) as Iterable<number>)]).toEqual([60, -52])
  })

  it("reset empties a builder for the next batch; a batch finished before keeps its values", () => {
    const builder = FlowBatchBuilder.forColumns(["fwd_packets", "duration_s", "src_ip", "splt_len"], 2)
    builder.setNumber("fwd_packets", 0, 5)
    builder.setNumber("duration_s", 1, 0.25)
    builder.setValue("src_ip", 0, "10.0.0.1")
    builder.setValue("splt_len", 1, [60, -52])
    const first = builder.finish(2)
    builder.reset()
    builder.setNumber("fwd_packets", 1, 9)
    const second = builder.finish(2)
    expect([...readNumeric(first, "fwd_packets")!]).toEqual([5, Number.NaN])
    expect([...readNumeric(first, "duration_s")!]).toEqual([Number.NaN, 0.25])
    expect(readStrings(first, "src_ip")).toEqual(["10.0.0.1", null])
    expect([...(first.getChild("splt_len")!.get(1) as Iterable<number>)]).toEqual([60, -52])
    expect([...readNumeric(second, "fwd_packets")!]).toEqual([Number.NaN, 9])
    expect([...readNumeric(second, "duration_s")!]).toEqual([Number.NaN, Number.NaN])
    expect(readStrings(second, "src_ip")).toEqual([null, null])
    expect(second.getChild("splt_len")!.get(1)).toBeNull()
  })

  it("stamps stable identity columns", () => {
    const builder = FlowBatchBuilder.forColumns(["protocol"])
    builder.setNumber("protocol", 0, 17)
    const batch = stampIdentity(builder.finish(2), "lab", "a/b.pcap", 3)
    expect(readStrings(batch, "flow_id")).toEqual(["lab/a/b.pcap/3/0", "lab/a/b.pcap/3/1"])
    expect([...readNumeric(batch, "batch")!]).toEqual([3, 3])
  })

  it("stamps identity written as bytes: the flowId rule at every digit count, non-ASCII names, no rows", () => {
    for (const rows of [0, 1, 10, 11, 101, 1234]) {
      const builder = FlowBatchBuilder.forColumns(["protocol"])
      const batch = stampIdentity(builder.finish(rows), "länd", "日本/trace 1.pcap", 12)
      expect(batch.numRows).toBe(rows)
      expect(readStrings(batch, "flow_id")).toEqual(Array.from({ length: rows }, (_, row) => flowId("länd", "日本/trace 1.pcap", 12, row)))
      expect(readStrings(batch, "dataset")).toEqual(Array.from({ length: rows }, () => "länd"))
      expect(readStrings(batch, "capture")).toEqual(Array.from({ length: rows }, () => "日本/trace 1.pcap"))
    }
  })
})
