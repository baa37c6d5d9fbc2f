/**
 * Duplicate flows: the same flow key and first_seen twice (a capture ingested twice), with and
 * without clock skew between the copies.
 */
import { it } from "@effect/vitest"
import { batchFromRows, type Row } from "@hashhound/testkit"
import { describe, expect } from "vitest"
import { countDuplicates, dedupeKeys, duplicateOfDetail, DuplicateTracker, duplicateGroups, markDuplicates, mergeLabels } from "../../src/labels/index.js"

const T0 = 1_709_287_200_000_000

const flows: ReadonlyArray<Row> = [
  { src_ip: "10.0.0.5", dst_ip: "94.23.199.191", src_port: 50000, dst_port: 3333, protocol: 6, first_seen_us: T0 },
  { src_ip: "10.0.0.5", dst_ip: "94.23.199.191", src_port: 50001, dst_port: 3333, protocol: 6, first_seen_us: T0 + 1_000_000 },
  { src_ip: "10.0.0.6", dst_ip: "10.0.0.1", src_port: 53000, dst_port: 53, protocol: 17, first_seen_us: T0 + 2_000_000 },
  { src_ip: "10.0.0.7", dst_ip: "192.0.2.1", src_port: null, dst_port: null, protocol: 1, first_seen_us: T0 + 3_000_000 }
]

const COLUMNS = ["flow_id", "src_ip", "dst_ip", "src_port", "dst_port", "protocol", "vlan_id", "first_seen_us"]

const batchOf = (capture: string, rows: ReadonlyArray<Row>, shiftUs = 0) =>
  batchFromRows(
    rows.map((row, i) => ({ ...row, flow_id: `lab/${capture}/0/${i}`, first_seen_us: Number(row["first_seen_us"]) + shiftUs })),
    { columns: COLUMNS }
  )

describe("duplicates", () => {
  it("dedupeKeys joins the flow key without time; rows without addresses have none", () => {
    const keys = dedupeKeys(batchFromRows([...flows, { src_ip: null, dst_ip: "1.2.3.4", first_seen_us: T0 }], { columns: COLUMNS }))
    expect(keys).toEqual(["10.0.0.5|94.23.199.191|50000|3333|6|", "10.0.0.5|94.23.199.191|50001|3333|6|", "10.0.0.6|10.0.0.1|53000|53|17|", "10.0.0.7|192.0.2.1|||1|", null])
  })

  it("duplicateGroups keeps the first row and lists the repeats (exact time when tolerance is 0)", () => {
    const keys = ["a", "b", "a", "a", null, "b"]
    const times = [10, 20, 10, 11, 10, 20]
    expect(duplicateGroups(keys, times)).toEqual([
      { keep: 0, duplicates: [2] },
      { keep: 1, duplicates: [5] }
    ])
    expect(duplicateGroups(keys, times, 1)).toEqual([
      { keep: 0, duplicates: [2, 3] },
      { keep: 1, duplicates: [5] }
    ])
    expect(duplicateGroups(["a", "a"], [10, Number.NaN])).toEqual([])
  })

  it("the same capture ingested twice: every flow of the second copy is a duplicate of the first", () => {
    const tracker = new DuplicateTracker()
    expect(tracker.observe(batchOf("x.pcap", flows))).toEqual([null, null, null, null])
    const again = tracker.observe(batchOf("copy-of-x.pcap", flows))
    expect(again).toEqual(["lab/x.pcap/0/0", "lab/x.pcap/0/1", "lab/x.pcap/0/2", "lab/x.pcap/0/3"])
    expect(tracker.duplicates).toBe(4)
  })

  it("clock skew between copies: duplicates only within the tolerance", () => {
    const skewUs = 2_000_000
    const strict = new DuplicateTracker(0)
    strict.observe(batchOf("sensor-a.pcap", flows))
    expect(countDuplicates(strict.observe(batchOf("sensor-b.pcap", flows, skewUs)))).toBe(0)
    const tolerant = new DuplicateTracker(skewUs)
    tolerant.observe(batchOf("sensor-a.pcap", flows))
    expect(tolerant.observe(batchOf("sensor-b.pcap", flows, skewUs))).toEqual(["lab/sensor-a.pcap/0/0", "lab/sensor-a.pcap/0/1", "lab/sensor-a.pcap/0/2", "lab/sensor-a.pcap/0/3"])
    const tooFar = new DuplicateTracker(skewUs - 1)
    tooFar.observe(batchOf("sensor-a.pcap", flows))
    expect(countDuplicates(tooFar.observe(batchOf("sensor-b.pcap", flows, skewUs)))).toBe(0)
  })

  it("a repeat matches the nearest earlier kept flow, not a later flow of the same key", () => {
    const tracker = new DuplicateTracker(500_000)
    const sameKey = (t: number, id: number): Row => ({ ...flows[0]!, first_seen_us: t, flow_id: `f${id}` })
    const batch = batchFromRows([sameKey(T0, 0), sameKey(T0 + 60_000_000, 1), sameKey(T0 + 60_400_000, 2), sameKey(T0 + 100, 3)], { columns: COLUMNS })
    expect(tracker.observe(batch)).toEqual([null, null, "f1", "f0"])
  })

  it("markDuplicates adds the kept flow to the detail and keeps the duplicate's own label", () => {
    const merged = mergeLabels([{ id: "labeler.stratum", answer: { label: ["mining", null], detail: ["pool JSON-RPC (stratum): mining.notify", null] } }], 2)
    const marked = markDuplicates(merged, ["lab/x.pcap/0/0", "lab/x.pcap/0/1"])
    expect(marked.detail).toEqual(["pool JSON-RPC (stratum): mining.notify; duplicate of lab/x.pcap/0/0", "duplicate of lab/x.pcap/0/1"])
    expect(marked.label).toEqual(["mining", "unknown"])
  })

  it("a key kept several times (a connection split by a timeout): each later copy names the kept flow it matches", () => {
    const tracker = new DuplicateTracker(0)
    const sameKey = (t: number, id: string): Row => ({ ...flows[0]!, first_seen_us: t, flow_id: id })
    expect(tracker.observe(batchFromRows([sameKey(T0, "a0"), sameKey(T0 + 120_000_000, "a1"), sameKey(T0 + 240_000_000, "a2")], { columns: COLUMNS }))).toEqual([null, null, null])
    expect(tracker.kept).toBe(3)
    expect(tracker.observe(batchFromRows([sameKey(T0 + 240_000_000, "b2"), sameKey(T0, "b0"), sameKey(T0 + 1, "b-late"), sameKey(T0 + 120_000_000, "b1")], { columns: COLUMNS }))).toEqual([
      "a2",
      "a0",
      null,
      "a1"
    ])
    expect([tracker.kept, tracker.duplicates]).toEqual([4, 3])
  })

  it("duplicateOfDetail reads back the mark markDuplicates puts last, and nothing else", () => {
    const merged = mergeLabels([{ id: "labeler.scenario", answer: { label: ["mining", "benign", null], detail: ["lab run (rule 1: *)", "see duplicate of notes", null] } }], 3)
    const marked = markDuplicates(merged, ["lab/my capture.pcap/0/7", null, "lab/x.pcap/2/0"])
    expect(marked.detail.map(duplicateOfDetail)).toEqual(["lab/my capture.pcap/0/7", null, "lab/x.pcap/2/0"])
    expect(duplicateOfDetail("duplicate of lab/x.pcap/0/1")).toBe("lab/x.pcap/0/1")
    expect(duplicateOfDetail("lab run; conflict: a=mining vs b=benign; duplicate of lab/y.pcap/1/3")).toBe("lab/y.pcap/1/3")
    expect(duplicateOfDetail("not a duplicate of anything in particular")).toBeNull()
    expect(duplicateOfDetail("duplicate of ")).toBeNull()
    expect(duplicateOfDetail(null)).toBeNull()
  })

  it("a batch without first_seen_us has no duplicates", () => {
    const tracker = new DuplicateTracker()
    const noTime = batchFromRows([{ src_ip: "1.1.1.1", dst_ip: "2.2.2.2" }], { columns: ["src_ip", "dst_ip"] })
    expect(tracker.observe(noTime)).toEqual([null])
    expect(tracker.observe(noTime)).toEqual([null])
  })
})
