/**
 * labeler.scenario: the labeler contract, golden cases (testcases/<case>/: config.yaml, flows.json
 * = captures with their flows, rules files beside them, optionally run.json = the run-wide
 * `label_skew_s` the runner would pass; expected.json = label and detail per flow) and the window
 * rule's edges, the run-wide skew included.
 */
import { it } from "@effect/vitest"
import type { BatchInfo, FlowBatch, LabelAnswer, LabelerContext, PluginError, StageContext } from "@hashhound/core"
import { batchFromRows, goldenCases, labelerContract, makeFromRaw, makeFromYaml } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { parseInstantUs } from "@hashhound/core"
import { compileGlob, matchesCapture } from "../src/glob.js"
import { scenarioLabeler } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** `label` with the labeler context as third argument, as the runner passes it (see the plugin's header). */
type Label3 = (batch: FlowBatch, info: BatchInfo, context?: LabelerContext) => Effect.Effect<LabelAnswer, PluginError>

interface CaseFlow {
  readonly note?: string
  readonly first_seen: string | null
  readonly last_seen: string | null
}

const timeUs = (text: string | null): number | null => (text === null ? null : (parseInstantUs(text) ?? null))

const runCase = (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = yield* makeFromRaw(scenarioLabeler, raw)
    const label: Label3 = stage.label
    const runFile = join(caseDir, "run.json")
    const run = existsSync(runFile) ? (JSON.parse(readFileSync(runFile, "utf8")) as { label_skew_s?: number }) : {}
    const context: LabelerContext = {
      dataset: "golden",
      baseDir: caseDir,
      workDir: caseDir,
      ...(run.label_skew_s === undefined ? {} : { labelSkewS: run.label_skew_s })
    }
    const captures = JSON.parse(readFileSync(join(caseDir, "flows.json"), "utf8")) as ReadonlyArray<{ capture: string; rows: ReadonlyArray<CaseFlow> }>
    const out: Array<Record<string, unknown>> = []
    for (const { capture, rows } of captures) {
      const batch = batchFromRows(
        rows.map((row) => ({ first_seen_us: timeUs(row.first_seen), last_seen_us: timeUs(row.last_seen) })),
        { columns: ["first_seen_us", "last_seen_us"] }
      )
      const answer = yield* label(batch, { dataset: "golden", capture, batch: 0 }, context)
      rows.forEach((row, i) => out.push({ capture, note: row.note ?? null, label: answer.label[i] ?? null, detail: answer.detail[i] ?? null }))
    }
    return out
  })

labelerContract(scenarioLabeler, { exampleYaml: join(root, "example.yaml") })

goldenCases(join(root, "testcases"), runCase)

const labelOne = (yaml: string, capture: string, firstUs: number | null, lastUs: number | null, context?: LabelerContext) =>
  Effect.flatMap(makeFromYaml(scenarioLabeler, yaml), (stage) =>
    stage.label(
      batchFromRows([{ first_seen_us: firstUs, last_seen_us: lastUs }], { columns: ["first_seen_us", "last_seen_us"] }),
      { dataset: "t", capture, batch: 0 },
      context
    )
  )

/** The context the runner passes with `options.label_skew_s: skewS`. */
const runContext = (skewS: number): LabelerContext => ({ dataset: "t", baseDir: process.cwd(), workDir: tmpdir(), labelSkewS: skewS })

const T10 = parseInstantUs("2024-03-01T10:00:00Z")!

describe("labeler.scenario", () => {
  it("parses ISO 8601 with zones and epoch seconds, and refuses local times", () => {
    expect(parseInstantUs("2024-03-01T10:00:00Z")).toBe(1_709_287_200_000_000)
    expect(parseInstantUs("2024-03-01T11:00:00+01:00")).toBe(1_709_287_200_000_000)
    expect(parseInstantUs("2024-03-01 05:00:00-0500")).toBe(1_709_287_200_000_000)
    expect(parseInstantUs("2024-03-01T10:00:00.123456Z")).toBe(1_709_287_200_123_456)
    expect(parseInstantUs(1_709_287_200.5)).toBe(1_709_287_200_500_000)
    expect(parseInstantUs("1709287200")).toBe(1_709_287_200_000_000)
    expect(parseInstantUs("2024-03-01T10:00:00")).toBeUndefined()
    expect(parseInstantUs("2024-02-30T10:00:00Z")).toBeUndefined()
    expect(parseInstantUs("yesterday")).toBeUndefined()
  })

  it("matches globs against the capture id and its base name", () => {
    expect(matchesCapture(compileGlob("xmrig-*.pcap"), "captures/lab/xmrig-01.pcap")).toBe(true)
    expect(matchesCapture(compileGlob("captures/*.pcap"), "captures/lab/xmrig-01.pcap")).toBe(false)
    expect(matchesCapture(compileGlob("captures/**/*.pcap"), "captures/lab/xmrig-01.pcap")).toBe(true)
    expect(matchesCapture(compileGlob("captures/**/*.pcap"), "captures/x.pcap")).toBe(true)
    expect(matchesCapture(compileGlob("run-[0-9].pcap{,ng}"), "run-3.pcapng")).toBe(true)
    expect(matchesCapture(compileGlob("run-[!0-9].pcap"), "run-3.pcap")).toBe(false)
    expect(matchesCapture(compileGlob("a+b(1).pcap"), "a+b(1).pcap")).toBe(true)
  })

  it("refuses bad times, reversed windows and a config with nothing to say, naming the path", () => {
    const issues = (raw: unknown) => Either.match(scenarioLabeler.decode(raw, "datasets.lab.labels.0"), { onLeft: (i) => i.map((x) => x.path), onRight: () => [] })
    expect(issues({ rules: [{ capture: "x", from: "2024-03-01T10:00:00", label: "mining" }] })).toContain("datasets.lab.labels.0.rules.0.from")
    expect(issues({ rules: [{ capture: "x", from: "2024-03-01T11:00:00Z", to: "2024-03-01T10:00:00Z", label: "mining" }] })).toContain("datasets.lab.labels.0.rules.0")
    expect(issues({ rules: [{ capture: "x", label: "malware" }] })).toContain("datasets.lab.labels.0.rules.0.label")
    expect(issues({ tolerance_s: -1, default: "benign" })).toContain("datasets.lab.labels.0.tolerance_s")
    expect(issues({})).toContain("datasets.lab.labels.0")
    expect(issues({ default: "benign" })).toEqual([])
  })

  it.effect("widens windows by tolerance_s on both sides, inclusively", () =>
    Effect.gen(function* () {
      const yaml = `type: labeler.scenario\nrules: [{ capture: "*", from: "2024-03-01T10:00:00Z", to: "2024-03-01T10:10:00Z", label: mining }]\ntolerance_s: 2.5\n`
      const before = (gapUs: number) => labelOne(yaml, "c.pcap", T10 - gapUs - 1_000_000, T10 - gapUs)
      expect((yield* before(2_500_000)).label).toEqual(["mining"])
      expect((yield* before(2_500_001)).label).toEqual([null])
      const after = (gapUs: number) => labelOne(yaml, "c.pcap", T10 + 600_000_000 + gapUs, T10 + 700_000_000)
      expect((yield* after(2_500_000)).label).toEqual(["mining"])
      expect((yield* after(2_500_001)).label).toEqual([null])
    }))

  it.effect("the run-wide label_skew_s widens windows when larger than tolerance_s: a flow just outside gets the label only with it", () =>
    Effect.gen(function* () {
      const yaml = `type: labeler.scenario\nrules: [{ capture: "*", from: "2024-03-01T10:00:00Z", to: "2024-03-01T10:10:00Z", label: mining }]\ntolerance_s: 1\n`
      // ends 3 s before the window
      const early = (context?: LabelerContext) => labelOne(yaml, "c.pcap", T10 - 10_000_000, T10 - 3_000_000, context)
      expect((yield* early()).label).toEqual([null])
      expect((yield* early(runContext(0))).label).toEqual([null])
      expect((yield* early(runContext(2.999_999))).label).toEqual([null])
      expect((yield* early(runContext(3))).label).toEqual(["mining"])
      // starts 3 s after the window, on the other side
      const late = (context?: LabelerContext) => labelOne(yaml, "c.pcap", T10 + 603_000_000, T10 + 700_000_000, context)
      expect((yield* late(runContext(2))).label).toEqual([null])
      expect((yield* late(runContext(3))).label).toEqual(["mining"])
    }))

  it.effect("tolerance_s and label_skew_s are not added: the larger one applies", () =>
    Effect.gen(function* () {
      const yaml = `type: labeler.scenario\nrules: [{ capture: "*", from: "2024-03-01T10:00:00Z", to: "2024-03-01T10:10:00Z", label: mining }]\ntolerance_s: 5\n`
      const before = (gapUs: number, skewS: number) => labelOne(yaml, "c.pcap", T10 - gapUs - 1_000_000, T10 - gapUs, runContext(skewS))
      // a smaller run-wide skew does not narrow the labeler's own tolerance
      expect((yield* before(5_000_000, 1)).label).toEqual(["mining"])
      // 5 s + 2 s would reach 7 s; max(5, 2) does not
      expect((yield* before(6_000_000, 2)).label).toEqual([null])
      expect((yield* before(6_000_000, 6)).label).toEqual(["mining"])
    }))

  it.effect("a flow spanning the whole window overlaps it", () =>
    Effect.gen(function* () {
      const yaml = `type: labeler.scenario\nrules: [{ from: "2024-03-01T10:00:00Z", to: "2024-03-01T10:10:00Z", label: mining }]\n`
      expect((yield* labelOne(yaml, "c.pcap", T10 - 3_600_000_000, T10 + 3_600_000_000)).label).toEqual(["mining"])
    }))

  it.effect("a batch without time columns gets no opinion from windowed rules but keeps unwindowed ones", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(
        scenarioLabeler,
        `type: labeler.scenario\nrules:\n  - { capture: "a.pcap", from: 0, to: 10, label: mining }\n  - { capture: "b.pcap", label: benign }\ndefault: benign\n`
      )
      const batch = batchFromRows([{ src_ip: "10.0.0.1" }, { src_ip: "10.0.0.2" }], { columns: ["src_ip"] })
      expect((yield* stage.label(batch, { dataset: "t", capture: "a.pcap", batch: 0 })).label).toEqual([null, null])
      expect((yield* stage.label(batch, { dataset: "t", capture: "b.pcap", batch: 0 })).label).toEqual(["benign", "benign"])
    }))

  it.effect("a missing or malformed rules_csv fails with a PluginError naming the file and line", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-scenario-"))
      writeFileSync(join(dir, "bad.csv"), "capture,from,to,label\nx.pcap,2024-03-01T10:00:00Z,,mining\nx.pcap,soon,,mining\n")
      const context: StageContext = { dataset: "t", baseDir: dir, workDir: dir }
      const batch = batchFromRows([{ first_seen_us: T10, last_seen_us: T10 }], { columns: ["first_seen_us", "last_seen_us"] })
      const info = { dataset: "t", capture: "x.pcap", batch: 0 }
      for (const [file, reason] of [
        ["bad.csv", /line 3: from "soon"/],
        ["missing.csv", /ENOENT|no such file/i]
      ] as const) {
        const stage = yield* scenarioLabeler.make({ rules_csv: file })
        const label: Label3 = stage.label
        const error = yield* Effect.flip(label(batch, info, context))
        expect(error._tag).toBe("PluginError")
        expect(error.pluginId).toBe("labeler.scenario")
        expect(error.input).toBe(join(dir, file))
        expect(error.reason).toMatch(reason)
      }
    }))
})
