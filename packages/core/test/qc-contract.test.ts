/**
 * The QC kind's shared contract in core: threshold direction and judgement, the finding a
 * crossed threshold makes, threshold schemas, `projectBatch` (the projection rule of
 * `DatasetAccess.read`) and the label report schema.
 */
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  checkThreshold,
  directionOf,
  FlowBatchBuilder,
  formatValue,
  judge,
  LABEL_REPORT_FORMAT,
  LabelReport,
  metricFinding,
  placeOf,
  projectBatch,
  ShareThreshold,
  stampIdentity
} from "../src/index.js"

describe("QC thresholds", () => {
  it("reads the direction from the name and judges fail before warn", () => {
    expect(directionOf("zero_payload_share_above")).toBe("above")
    expect(directionOf("coverage_share_below")).toBe("below")
    expect(directionOf("min_flows")).toBe("below")
    expect(judge(0.95, "zero_payload_share_above", { zero_payload_share_above: 0.5 }, { zero_payload_share_above: 0.9 })?.severity).toBe("fail")
    expect(judge(0.6, "zero_payload_share_above", { zero_payload_share_above: 0.5 }, { zero_payload_share_above: 0.9 })?.severity).toBe("warn")
    expect(judge(0.5, "zero_payload_share_above", { zero_payload_share_above: 0.5 }, {})).toBeUndefined()
    expect(judge(0, "min_flows", {}, { min_flows: 1 })).toMatchObject({ severity: "fail", threshold: 1, direction: "below" })
    expect(judge(Number.NaN, "min_flows", {}, { min_flows: 1 })).toBeUndefined()
    expect(judge(5, "x_above", { x_above: null }, { x_above: undefined })).toBeUndefined()
  })

  it("makes findings that name the check, the place, the value and the threshold", () => {
    const [crossed] = checkThreshold("qc.volume", "zero_payload_share_above", {}, { zero_payload_share_above: 0.9 }, {
      metric: "zero_payload_share",
      value: 0.95123,
      what: "zero-payload share",
      capture: "a.pcap",
      batch: 3,
      count: 38,
      detail: "(38 of 40 flows)"
    })
    expect(crossed).toMatchObject({ source: "qc.volume", code: "threshold", severity: "fail", capture: "a.pcap", batch: 3, count: 38, value: 0.95123, threshold: 0.9 })
    expect(crossed!.message).toBe(
      "qc.volume: zero-payload share 0.9512 above fail threshold zero_payload_share_above=0.9 (capture a.pcap, batch 3) (38 of 40 flows)"
    )
    expect(metricFinding("qc.volume", { metric: "flows", value: 12, what: "flows" })).toMatchObject({ severity: "info", code: "metric", message: "qc.volume: flows 12 (dataset)" })
    expect([placeOf(undefined, undefined), placeOf("a", undefined), placeOf(undefined, 2)]).toEqual(["dataset", "capture a", "batch 2"])
    expect([formatValue(3), formatValue(1234.56), formatValue(0.123456)]).toEqual(["3", "1234.6", "0.1235"])
    expect(Either.isLeft(Schema.decodeUnknownEither(ShareThreshold)(1.5))).toBe(true)
    expect(Schema.decodeUnknownSync(ShareThreshold)(null)).toBeNull()
  })
})

describe("projectBatch", () => {
  const builder = FlowBatchBuilder.forColumns(["src_ip", "dst_port", "fwd_bytes"], 2)
  builder.setValue("src_ip", 0, "10.0.0.1")
  builder.setValue("src_ip", 1, "10.0.0.2")
  builder.setNumber("dst_port", 0, 443)
  builder.setNumber("fwd_bytes", 1, 90)
  const batch = stampIdentity(builder.finish(2), "d", "a.pcap", 0)

  it("keeps the named columns the batch has, in the order named, each once", () => {
    const projected = projectBatch(batch, ["fwd_bytes", "capture", "label", "fwd_bytes"])
    expect(projected.schema.fields.map((f) => f.name)).toEqual(["fwd_bytes", "capture"])
    expect(projected.numRows).toBe(2)
    expect(projected.getChild("fwd_bytes")?.get(1)).toBe(90n)
  })

  it("keeps flow_id when the batch has none of them, so rows still count", () => {
    const projected = projectBatch(batch, ["label", "tls_sni"])
    expect(projected.schema.fields.map((f) => f.name)).toEqual(["flow_id"])
    expect(projected.numRows).toBe(2)
  })
})

describe("LabelReport", () => {
  it("decodes the label report the pipeline writes, and refuses another format", () => {
    const counts = { flows: 2, mining: 1, benign: 0, unknown: 1, explicit_unknown: 1, labelled: 1, coverage: 0.5, mining_share: 1, conflicts: 0, duplicates: 0 }
    const report = {
      format: LABEL_REPORT_FORMAT,
      dataset: "lab",
      duplicates_counted: false,
      ...counts,
      by_source: { "labeler.stratum": 2 },
      conflict_pairs: {},
      captures: { "a.pcap": counts }
    }
    expect(Schema.decodeUnknownSync(LabelReport)(report).captures["a.pcap"]?.coverage).toBe(0.5)
    expect(Either.isLeft(Schema.decodeUnknownEither(LabelReport)({ ...report, format: "other/1" }))).toBe(true)
  })
})
