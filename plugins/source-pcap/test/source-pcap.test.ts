/**
 * source.pcap: the testkit source contract, config defaults and limits, detection, resume
 * through the plugin, and the golden cases under testcases/ (project captures relative to the
 * repository, `real-*` cases relative to the shared fixtures).
 */
import { it } from "@effect/vitest"
import type { SourceEvent } from "@hashhound/core"
import {
  describeFixtures,
  fixturesDir,
  readSource,
  repoRoot,
  rowsOf,
  runGoldenCase,
  sourceContract,
  summarizeSource,
  type SourceRead
} from "@hashhound/testkit"
import { Chunk, Effect, Either, Stream } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { detectPcap, pcapSource, plugins } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const projectCapture = (name: string): string => join(repoRoot(), "test-fixtures", "flowmeter", name)

sourceContract(pcapSource, {
  exampleYaml: join(here, "..", "example.yaml"),
  input: { config: { type: "source.pcap", paths: ["stratum-session.pcap"] }, baseDir: join(repoRoot(), "test-fixtures", "flowmeter") }
})

describe("source.pcap", () => {
  it("is the plugin list's only entry and fills defaults", () => {
    expect(plugins).toEqual([pcapSource])
    const decoded = pcapSource.decode({ paths: ["a.pcap"] })
    expect(Either.getOrThrow(decoded)).toEqual({
      paths: ["a.pcap"],
      idle_timeout_s: 120,
      active_timeout_s: 1800,
      tcp_linger_s: 1,
      max_flows: 1_000_000,
      splt_packets: 20,
      hint_packets: 10,
      batch_flows: 65_536,
      byte_layer: "ip",
      tunnels: "inner",
      duplicates: "keep",
      sequence: false
    })
    expect(Either.isLeft(pcapSource.decode({ paths: ["a.pcap"], idle_timeout_s: 0 }))).toBe(true)
    expect(Either.isLeft(pcapSource.decode({ paths: ["a.pcap"], byte_layer: "frame" }))).toBe(true)
    expect(Either.isLeft(pcapSource.decode({ paths: ["a.pcap"], tunnels: "both" }))).toBe(true)
    expect(Either.isLeft(pcapSource.decode({ paths: ["a.pcap"], duplicates: "merge" }))).toBe(true)
    expect(Either.isLeft(pcapSource.decode({ paths: ["a.pcap"], sequence: "yes" }))).toBe(true)
    expect(Either.isLeft(pcapSource.decode({ paths: [] }))).toBe(true)
  })

  it.effect("sequence: the pieces of one capture are one unit, in the order of their first packets, fingerprinted by every piece", () =>
    Effect.gen(function* () {
      const ctx = { dataset: "t", baseDir: join(repoRoot(), "test-fixtures", "flowmeter"), workDir: here }
      const plan = (config: Record<string, unknown>) => Effect.flatMap(pcapSource.make({ paths: ["rotated/*"], ...config }), (stage) => stage.plan(ctx))
      const separate = yield* plan({})
      expect(separate.map((unit) => unit.id)).toEqual(["rotated/stratum.pcap.gz", "rotated/stratum.pcap1.gz", "rotated/stratum.pcap2"])
      const joined = yield* plan({ sequence: true })
      expect(joined).toHaveLength(1)
      const unit = joined[0]!
      expect(unit.id).toBe("rotated/stratum.pcap.gz")
      expect(unit.path).toBe(projectCapture("rotated/stratum.pcap.gz"))
      expect(unit.paths).toEqual(separate.map((piece) => piece.path))
      expect(unit.sizeBytes).toBe(separate.reduce((sum, piece) => sum + piece.sizeBytes!, 0))
      // a piece fewer is another capture: read again, not resumed
      const fewer = yield* Effect.flatMap(pcapSource.make({ paths: ["rotated/stratum.pcap.gz", "rotated/stratum.pcap1.gz"], sequence: true }), (stage) =>
        stage.plan(ctx)
      )
      expect(fewer[0]!.fingerprint).not.toBe(unit.fingerprint)
      // one capture per folder: two sensors' rotations in two folders are two units
      const sensors = mkdtempSync(join(tmpdir(), "hh-sensors-"))
      for (const sensor of ["a", "b"]) {
        mkdirSync(join(sensors, sensor))
        for (const name of readdirSync(projectCapture("rotated"))) copyFileSync(projectCapture(`rotated/${name}`), join(sensors, sensor, name))
      }
      const two = yield* Effect.flatMap(pcapSource.make({ paths: ["a", "b"], sequence: true }), (stage) => stage.plan({ ...ctx, baseDir: sensors }))
      expect(two.map((u) => [u.id, u.paths?.length])).toEqual([
        ["a/stratum.pcap.gz", 3],
        ["b/stratum.pcap.gz", 3]
      ])
      // one file is its own unit, as without `sequence`
      const one = yield* Effect.flatMap(pcapSource.make({ paths: ["stratum-session.pcap"], sequence: true }), (stage) => stage.plan(ctx))
      expect(one.map((u) => [u.id, u.paths])).toEqual([["stratum-session.pcap", undefined]])
    }))

  it("detects captures by magic number (gzip: 0.9, the read decides)", () => {
    const head = (name: string) => readFileSync(projectCapture(name)).subarray(0, 64)
    expect(detectPcap(head("stratum-session.pcap"))).toBe(1)
    expect(detectPcap(head("two-sections.pcapng.gz"))).toBe(0.9)
    expect(detectPcap(gzipSync(Buffer.from("text")).subarray(0, 64))).toBe(0.9)
    expect(detectPcap(Buffer.from("ts,src,dst\n"))).toBe(0)
    expect(detectPcap(new Uint8Array(0))).toBe(0)
  })

  it.effect("resumes from a batch's checkpoint with the same remaining batches", () =>
    Effect.gen(function* () {
      const stage = yield* pcapSource.make({ paths: ["garbage-between-records.pcap"], batch_flows: 7 })
      const ctx = { dataset: "t", baseDir: join(repoRoot(), "test-fixtures", "flowmeter"), workDir: here }
      const [unit] = yield* stage.plan(ctx)
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(stage.read(unit!, ctx)))
      const batches = events.filter((e): e is Extract<SourceEvent, { _tag: "Batch" }> => e._tag === "Batch")
      expect(batches.map((b) => b.batch.numRows)).toEqual([7, 7, 7, 7, 7, 5])
      const third = batches[2]!
      const rest = Chunk.toReadonlyArray(yield* Stream.runCollect(stage.read(unit!, ctx, { nextBatch: 3, checkpoint: third.checkpoint! })))
      const restBatches = rest.filter((e): e is Extract<SourceEvent, { _tag: "Batch" }> => e._tag === "Batch")
      expect(restBatches.map((b) => b.index)).toEqual([3, 4, 5])
      const rows = (list: typeof batches) => list.flatMap((b) => rowsOf(b.batch))
      expect(rows(restBatches)).toEqual(rows(batches.slice(3)))
    }))
})

/** The golden summary: testkit's source summary plus packet and byte totals. */
const golden = (read: SourceRead) => {
  const totals = { packets: 0, bytes: 0, payload_bytes: 0 }
  for (const { events } of read.events) {
    for (const event of events) {
      if (event._tag !== "Batch") continue
      for (const row of event.batch) {
        totals.packets += Number(row["fwd_packets"]) + Number(row["bwd_packets"])
        totals.bytes += Number(row["fwd_bytes"]) + Number(row["bwd_bytes"])
        totals.payload_bytes += Number(row["fwd_payload_bytes"]) + Number(row["bwd_payload_bytes"])
      }
    }
  }
  return { ...summarizeSource(read, { sampleRows: 4 }), totals }
}

const casesDir = join(here, "..", "testcases")
const caseNames = readdirSync(casesDir).sort()
const runCase = (name: string, baseDir: string) =>
  Effect.map(
    runGoldenCase(join(casesDir, name), (_dir, raw) => Effect.map(readSource(pcapSource, raw, baseDir), golden)),
    (diffs) => expect(diffs, `golden case ${name}`).toEqual([])
  )

describe("golden cases (project captures, paths relative to the repository)", () => {
  for (const name of caseNames.filter((n) => !n.startsWith("real-"))) it.effect(name, () => runCase(name, repoRoot()))
})

describeFixtures("golden cases (real captures, paths relative to the shared fixtures)", () => {
  for (const name of caseNames.filter((n) => n.startsWith("real-"))) it.effect(name, () => runCase(name, fixturesDir()))
})
