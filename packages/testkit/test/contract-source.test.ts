import { it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import {
  checkFilesReleased,
  checkInterruptible,
  checkMissingInput,
  readSource,
  sourceChecks,
  sourceContract,
  summarizeSource,
  type ContractCheck,
  type SourceContractOptions
} from "../src/index.js"
import { FULL_README, pluginFolder } from "./plugins/folder.js"
import { makeTestSource, TEST_CSV, type SourceFlaw } from "./plugins/test-source.js"

const example = pluginFolder("type: source.test-csv\npaths: [flows.csv]\nrows_per_batch: 2\n", FULL_README(["paths", "rows_per_batch"]), { "flows.csv": TEST_CSV })
const baseDir = dirname(example)
const options: SourceContractOptions = {
  exampleYaml: example,
  input: { config: { type: "source.test-csv", paths: ["flows.csv"], rows_per_batch: 2 }, baseDir },
  readTimeoutMs: 2_000,
  interruptTimeoutMs: 200,
  settleMs: 300
}

// The real suite, as a plugin's own test file would use it.
sourceContract(makeTestSource(), options)

const named = (flaw: SourceFlaw, name: string, overrides: Partial<SourceContractOptions> = {}): ContractCheck => {
  const found = sourceChecks(makeTestSource(flaw), { ...options, ...overrides }).find((c) => c.name.startsWith(name))
  if (found === undefined) throw new Error(`no check named ${name}`)
  return found
}

describe("the source contract catches broken sources", () => {
  it.live("a stream that never ends", () =>
    Effect.map(named("infinite", "read ends", { readTimeoutMs: 300 }).run, (v) => expect(v.join("\n")).toMatch(/did not end within 300 ms/)))

  it.live("uninterruptible work mid-stream", () =>
    Effect.map(named("uninterruptible", "interrupting").run, (v) => expect(v.join("\n")).toMatch(/did not end it within 200 ms/)))

  it.live("a file descriptor left open", () =>
    Effect.map(named("leak", "file handles", { settleMs: 100 }).run, (v) => expect(v.join("\n")).toMatch(/file descriptor\(s\) stayed open after a full read/)))

  it.live("batch indices that skip", () =>
    Effect.map(named("skip-index", "batch indices").run, (v) => expect(v).toContain("batch #1 has index 2 (expected 1)")))

  it.live("a column outside the catalogue and provides", () =>
    Effect.map(named("unknown-column", "columns").run, (v) => expect(v.join("\n")).toMatch(/"mystery" is neither a catalogue column nor in provides/)))

  it.live("a catalogue column with the wrong type", () =>
    Effect.map(named("wrong-type", "columns").run, (v) => expect(v.join("\n")).toMatch(/"dst_port" is Float64, the catalogue says Int32/)))

  it.live("a batch over MAX_BATCH_ROWS", () =>
    Effect.map(named("huge-batch", "batches hold").run, (v) => expect(v.join("\n")).toMatch(/has 65537 rows/)))

  it.live("findings that are not Finding values", () =>
    Effect.map(named("foreign-finding", "findings").run, (v) => expect(v.join("\n")).toMatch(/not a Finding value/)))

  it.live("defects instead of tagged errors for a missing input", () =>
    Effect.map(checkMissingInput(makeTestSource("defects"), options), (v) => {
      expect(v.join("\n")).toMatch(/plan\(missing input\) died/)
      expect(v.join("\n")).toMatch(/read\(unit whose file is missing\) died/)
    }))

  it.live("a read that differs after take(1)", () =>
    Effect.map(named("nondeterministic", "a read stopped").run, (v) => expect(v.join("\n")).toMatch(/differs from a fresh read/)))

  it.live("the good source passes the direct checks too", () =>
    Effect.gen(function* () {
      const source = makeTestSource()
      const all = yield* Effect.forEach(sourceChecks(source, options), (c) => c.run)
      expect(all.flat()).toEqual([])
      expect(checkInterruptible).toBeTypeOf("function")
      expect(checkFilesReleased).toBeTypeOf("function")
    }))

  it.live("a plugin of another kind is refused", () =>
    Effect.map(checkMissingInput({ ...makeTestSource(), kind: "qc" } as never, options), (v) => expect(v).toEqual(['kind is "qc", not "source"'])))
})

describe("readSource and summarizeSource", () => {
  it.effect("read every unit and summarise it for a golden file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "hh-read-"))
      writeFileSync(join(dir, "a.csv"), TEST_CSV)
      const read = yield* readSource(makeTestSource(), { type: "source.test-csv", paths: ["a.csv"], rows_per_batch: 4 }, dir)
      const summary = summarizeSource(read, { sampleRows: 1 })
      expect(summary.units).toHaveLength(1)
      expect(summary.units[0]!.batches).toEqual([{ index: 0, rows: 4 }, { index: 1, rows: 1 }])
      expect(summary.units[0]!.sample).toEqual([{ src_ip: "10.0.0.5", dst_ip: "203.0.113.10", dst_port: 3333, fwd_packets: 40 }])
      expect(summary.units[0]!.findings).toEqual([{ code: "corrupt_record", severity: "warn", message: "line 4 is not 4 fields", offset: 94 }])
    }))
})
