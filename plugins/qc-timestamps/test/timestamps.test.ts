/**
 * qc.timestamps: the QC contract, golden cases, batches built to trip each check (implausible
 * and future times, window, negative and zero durations, backwards within and across batches,
 * gaps) and clean batches that must not, with `now` from config or from the Effect clock.
 */
import { it } from "@effect/vitest"
import type { Finding, QcStage } from "@hashhound/core"
import { batchFromRows, goldenCases, makeFromYaml, memoryAccess, qcCase, qcContract, type Row } from "@hashhound/testkit"
import { Effect, Either, TestClock } from "effect"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { timestampsQc } from "../src/index.js"
import { parseInstantUs } from "../src/instant.js"
import { gapsOf } from "../src/time-coverage.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

qcContract(timestampsQc, { exampleYaml: join(root, "example.yaml") })
goldenCases(join(root, "testcases"), qcCase(timestampsQc))

const T = parseInstantUs("2024-03-01T10:00:00Z")!
const S = 1_000_000

/** Flow i starts i seconds after T, lasts 2 s, 10 packets. */
const flow = (i: number, over: Row = {}): Row => {
  const first = typeof over["first_seen_us"] === "number" ? over["first_seen_us"] : T + i * S
  const duration = typeof over["duration_s"] === "number" ? over["duration_s"] : 2
  return { capture: "c.pcap", first_seen_us: first, last_seen_us: first + duration * S, duration_s: duration, fwd_packets: 6, bwd_packets: 4, ...over }
}
const batchOf = (rows: ReadonlyArray<Row>) => batchFromRows(rows)
const NOW = `now: "2025-01-01T00:00:00Z"\n`
const stageOf = (yaml = "") => makeFromYaml(timestampsQc, `type: qc.timestamps\n${NOW}${yaml}`) as Effect.Effect<QcStage, unknown>
const at = (capture: string, batch: number) => ({ dataset: "d", capture, batch })
const judged = (findings: ReadonlyArray<Finding>) => findings.filter((f) => f.severity !== "info").map((f) => [f.metric, f.severity, f.value])

describe("qc.timestamps", () => {
  it.effect("a clean, ordered capture raises nothing above info", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const batches = [batchOf(Array.from({ length: 100 }, (_, i) => flow(i))), batchOf(Array.from({ length: 100 }, (_, i) => flow(100 + i)))]
      expect(yield* stage.check(batches[0]!, at("c.pcap", 0))).toEqual([])
      expect(yield* stage.check(batches[1]!, at("c.pcap", 1))).toEqual([])
      const finish = yield* stage.finish(memoryAccess("d", { d: batches }), [])
      expect(judged(finish)).toEqual([])
      expect(finish.find((f) => f.metric === "span_s")?.value).toBe(201)
    }))

  it.effect("times before 1995 and after now fail by share, naming check, batch, threshold and value", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const rows = Array.from({ length: 50 }, (_, i) => flow(i))
      rows.push(flow(50, { first_seen_us: 0, last_seen_us: 1000, duration_s: 0.001 }))
      rows.push(flow(51, { first_seen_us: parseInstantUs("2031-01-01T00:00:00Z")! }))
      const findings = yield* stage.check(batchOf(rows), at("old.pcap", 3))
      expect(judged(findings)).toEqual([["implausible_share", "fail", 2 / 52]])
      expect(findings[0]!.message).toMatch(
        /^qc\.timestamps: implausible-time share 0\.03846 above fail threshold implausible_share_above=0\.01 \(capture old\.pcap, batch 3\) \(2 of 52 timed flows outside 1995-01-01T00:00:00\.000Z … 2025-01-01T00:05:00\.000Z, e\.g\. 1970-01-01T00:00:00\.000Z\)$/
      )
    }))

  it.effect("one implausible row in a large batch only warns; now comes from the clock when not configured", () =>
    Effect.gen(function* () {
      const rows = Array.from({ length: 200 }, (_, i) => flow(i))
      rows[10] = flow(10, { first_seen_us: parseInstantUs("1994-12-31T23:00:00Z")! })
      yield* TestClock.setTime(Date.parse("2025-01-01T00:00:00Z"))
      const stage = (yield* makeFromYaml(timestampsQc, "type: qc.timestamps\n")) as QcStage
      expect(judged(yield* stage.check(batchOf(rows), at("c", 0)))).toEqual([["implausible_rows", "warn", 1]])
      // a clock in 2023 puts the 2024 flows in the future
      yield* TestClock.setTime(Date.parse("2023-01-01T00:00:00Z"))
      const early = (yield* makeFromYaml(timestampsQc, "type: qc.timestamps\n")) as QcStage
      expect(judged(yield* early.check(batchOf(rows), at("c", 0)))).toEqual([["implausible_share", "fail", 1]])
    }))

  it.effect("negative durations fail; zero durations of multi-packet flows warn, of single packets not", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf()
      const negative = Array.from({ length: 20 }, (_, i) => flow(i))
      negative[4] = flow(4, { duration_s: -3 })
      const findings = yield* stage.check(batchOf(negative), at("c", 2))
      expect(judged(findings)).toEqual([["negative_duration_rows", "fail", 1]])
      expect(findings[0]!.message).toBe("qc.timestamps: rows with negative duration 1 above fail threshold negative_duration_rows_above=0 (capture c, batch 2)")
      const zero = Array.from({ length: 20 }, (_, i) => flow(i, i < 15 ? { duration_s: 0 } : {}))
      expect(judged(yield* stage.check(batchOf(zero), at("c", 0)))).toEqual([["zero_duration_share", "warn", 0.75]])
      const single = Array.from({ length: 20 }, (_, i) => flow(i, { duration_s: 0, fwd_packets: 1, bwd_packets: 0 }))
      expect(yield* stage.check(batchOf(single), at("c", 0))).toEqual([])
    }))

  it.effect("first_seen going back beyond the tolerance warns; a long flow ending late does not", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("backwards_tolerance_s: 600")
      const clockJump = Array.from({ length: 20 }, (_, i) => flow(i < 10 ? 5000 + i : i))
      expect(judged(yield* stage.check(batchOf(clockJump), at("c", 0)))).toEqual([["backwards_rows", "warn", 10]])
      const lateLongFlow = Array.from({ length: 20 }, (_, i) => flow(1000 + i))
      lateLongFlow.push(flow(700, { duration_s: 330 }))
      expect(yield* stage.check(batchOf(lateLongFlow), at("c", 0))).toEqual([])
    }))

  it.effect("finish finds a batch that starts far behind the earlier batches, per capture", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("backwards_tolerance_s: 600\nwarn: { gap_s_above: null }")
      const b0 = batchOf(Array.from({ length: 10 }, (_, i) => flow(10_000 + i, { batch: 0 })))
      const b1 = batchOf(Array.from({ length: 10 }, (_, i) => flow(i, { batch: 1 })))
      const other = batchOf(Array.from({ length: 10 }, (_, i) => flow(i, { capture: "other.pcap", batch: 0 })))
      expect(yield* stage.check(b1, at("c.pcap", 1))).toEqual([])
      const finish = (yield* stage.finish(memoryAccess("d", { d: [b0, b1, other] }), [])).filter((f) => f.severity !== "info")
      expect(finish.map((f) => [f.capture, f.metric, f.value])).toEqual([["c.pcap", "backwards_rows_across_batches", 10]])
      expect(finish[0]!.message).toContain("(in batch 1; up to 10009 s back)")
    }))

  it.effect("a stretch without flows longer than gap_s_above warns; one covered by a long flow does not", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf("warn: { gap_s_above: 3600 }")
      const gappy = batchOf([...Array.from({ length: 10 }, (_, i) => flow(i)), ...Array.from({ length: 10 }, (_, i) => flow(9000 + i))])
      const finish = (yield* stage.finish(memoryAccess("d", { d: [gappy] }), [])).filter((f) => f.severity !== "info")
      expect(finish.map((f) => [f.metric, f.severity, f.value, f.count])).toEqual([["gap_s", "warn", 8989, 1]])
      expect(finish[0]!.message).toContain("from 2024-03-01T10:00:11.000Z to 2024-03-01T12:30:00.000Z")
      const covered = batchOf([...Array.from({ length: 10 }, (_, i) => flow(i)), flow(5, { duration_s: 9000 }), ...Array.from({ length: 10 }, (_, i) => flow(9000 + i))])
      expect((yield* stage.finish(memoryAccess("d", { d: [covered] }), [])).filter((f) => f.severity !== "info")).toEqual([])
    }))

  it.effect("rows outside the configured capture window warn", () =>
    Effect.gen(function* () {
      const stage = yield* stageOf(`window_start: "2024-03-01T10:00:00Z"\nwindow_end: "2024-03-01T10:01:00Z"\n`)
      const rows = Array.from({ length: 70 }, (_, i) => flow(i))
      expect(judged(yield* stage.check(batchOf(rows), at("c", 0)))).toEqual([["outside_window_rows", "warn", 11]])
      expect(yield* stage.check(batchOf(rows.slice(0, 50)), at("c", 0))).toEqual([])
    }))

  it("finds gaps between unsorted, overlapping intervals", () => {
    const gaps = gapsOf(Float64Array.from([50, 0, 10, 200]), Float64Array.from([60, 20, 15, 210]), 25)
    expect(gaps).toEqual([
      { startUs: 20, endUs: 50 },
      { startUs: 60, endUs: 200 }
    ])
    expect(gapsOf(new Float64Array(0), new Float64Array(0), 1)).toEqual([])
  })

  it("refuses local times, reversed windows and unknown thresholds, naming the path", () => {
    const paths = (raw: unknown) => Either.match(timestampsQc.decode(raw, "qc.1"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })
    expect(paths({ now: "2024-03-01T10:00:00" })).toEqual(["qc.1.now"])
    expect(paths({ not_before: "1995-02-30T00:00:00Z" })).toEqual(["qc.1.not_before"])
    expect(paths({ window_start: "2024-03-02T00:00:00Z", window_end: "2024-03-01T00:00:00Z" })).toEqual(["qc.1"])
    expect(paths({ warn: { gap_above_s: 10 } })).toEqual(["qc.1.warn.gap_above_s"])
    expect(paths({ now: 1_709_287_200, warn: { gap_s_above: 60 } })).toEqual([])
  })
})
