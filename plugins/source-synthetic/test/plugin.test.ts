import { describe, expect, it } from "@effect/vitest"
import { contractViolations, readNumeric, readStrings, type SourceEvent } from "@hashhound/core"
import { goldenCases, repoRoot, sourceContract, withoutType } from "@hashhound/testkit"
import { Chunk, Effect, Either, Stream } from "effect"
import { mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { plugins, syntheticSource } from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const SMALL = { scenario: "test-fixtures/synthetic/every-behaviour.yaml", duration_s: 8 }

const readAll = (raw: Record<string, unknown>, baseDir: string, workDir = mkdtempSync(join(tmpdir(), "hh-syn-"))) =>
  Effect.gen(function* () {
    const stage = yield* syntheticSource.make(raw)
    const ctx = { dataset: "t", baseDir, workDir }
    const units = yield* stage.plan(ctx)
    const events: Array<SourceEvent> = []
    for (const unit of units) events.push(...Chunk.toReadonlyArray(yield* Stream.runCollect(stage.read(unit, ctx))))
    return { stage, ctx, units, events }
  })

describe("source.synthetic", () => {
  it("keeps the plugin contract and decodes its example.yaml", () => {
    expect(contractViolations(syntheticSource)).toEqual([])
    expect(plugins).toEqual([syntheticSource])
    const { type, ...rest } = parse(readFileSync(join(here, "..", "example.yaml"), "utf8")) as Record<string, unknown>
    expect(type).toBe("source.synthetic")
    expect(Either.isRight(syntheticSource.decode(rest))).toBe(true)
    expect(Either.isLeft(syntheticSource.decode({ scenario: "lab", durationS: 5 }))).toBe(true)
    expect(Either.isLeft(syntheticSource.decode({ scenario: "lab", time_compression: 0.5 }))).toBe(true)
  })

  it.effect("plans one unit per capture, fingerprinted by config, and labels every flow", () =>
    Effect.gen(function* () {
      const { units, events, stage, ctx } = yield* readAll(SMALL, repoRoot())
      expect(units).toHaveLength(1)
      expect(units[0]!.id).toBe("every-behaviour-seed42-000.pcap")
      const again = yield* stage.plan(ctx)
      expect(again[0]!.fingerprint).toBe(units[0]!.fingerprint)
      const other = yield* (yield* syntheticSource.make({ ...SMALL, seed: 3 })).plan(ctx)
      expect(other[0]!.fingerprint).not.toBe(units[0]!.fingerprint)
      expect(events.filter((e) => e._tag === "Finding")).toEqual([])
      const batches = events.flatMap((e) => (e._tag === "Batch" ? [e.batch] : []))
      const labels = batches.flatMap((b) => readStrings(b, "label_raw") ?? [])
      expect(labels.length).toBeGreaterThan(10)
      expect(labels.every((l) => l !== null && /^(mining|benign):[a-z_]+$/.test(l))).toBe(true)
      expect(labels).toContain("mining:stratum_btc")
      const packets = batches.flatMap((b) => Array.from(readNumeric(b, "fwd_packets") ?? []))
      expect(packets.every((p) => p > 0)).toBe(true)
    })
  )

  it.live("reuses a generated capture with the same fingerprint instead of writing it again", () =>
    Effect.gen(function* () {
      const workDir = mkdtempSync(join(tmpdir(), "hh-syn-"))
      const first = yield* readAll(SMALL, repoRoot(), workDir)
      const path = first.units[0]!.path!
      const before = statSync(path).mtimeMs
      yield* Effect.sleep("20 millis")
      const second = yield* readAll(SMALL, repoRoot(), workDir)
      expect(statSync(path).mtimeMs).toBe(before)
      expect(second.events.length).toBe(first.events.length)
      const files = yield* first.stage.materialize!(first.ctx)
      expect(files.map((f) => f.split("/").pop())).toEqual(["every-behaviour-seed42-000.pcap", "every-behaviour-seed42-000.labels.csv"])
    })
  )

  it.effect("fails plan with a typed error for a missing or broken scenario", () =>
    Effect.gen(function* () {
      const stage = yield* syntheticSource.make({ scenario: "no/such/scenario.yaml" })
      const error = yield* Effect.flip(stage.plan({ dataset: "t", baseDir: repoRoot(), workDir: tmpdir() }))
      expect(error._tag).toBe("PluginError")
      expect(error.message).toContain("cannot read scenario file")
      const bad = yield* syntheticSource.make({ scenario: "lab", hosts: { nobody: 1 } })
      const hosts = yield* Effect.flip(bad.plan({ dataset: "t", baseDir: repoRoot(), workDir: tmpdir() }))
      expect(hosts.message).toContain("nobody")
    })
  )
})

sourceContract(syntheticSource, {
  exampleYaml: join(here, "..", "example.yaml"),
  input: { config: { type: "source.synthetic", ...SMALL }, baseDir: repoRoot() },
  missingInput: { scenario: "no/such/scenario.yaml" }
})

goldenCases(join(here, ".."), (caseDir, raw) =>
  Effect.map(readAll(withoutType(raw), caseDir), ({ units, events }) => {
    const batches = events.flatMap((e) => (e._tag === "Batch" ? [e.batch] : []))
    const count = (name: string): Record<string, number> => {
      const out: Record<string, number> = {}
      for (const v of batches.flatMap((b) => readStrings(b, name) ?? [])) out[String(v)] = (out[String(v)] ?? 0) + 1
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
    }
    const sum = (name: string): number => batches.reduce((s, b) => s + Array.from(readNumeric(b, name) ?? []).reduce((x, y) => x + y, 0), 0)
    return {
      units: units.map((u) => u.id),
      rows: batches.reduce((s, b) => s + b.numRows, 0),
      findings: events.filter((e) => e._tag === "Finding").length,
      label_raw: count("label_raw"),
      end_reason: count("end_reason"),
      sums: { fwd_packets: sum("fwd_packets"), bwd_packets: sum("bwd_packets"), fwd_bytes: sum("fwd_bytes"), bwd_bytes: sum("bwd_bytes") }
    }
  })
)
