import { it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import {
  batchFromRows,
  csvDiff,
  GOLDEN_UPDATE_ENV,
  goldenCases,
  goldenDiff,
  listGoldenCases,
  makeFromRaw,
  parseCsv,
  rowsToCsv,
  runGoldenCase,
  sampleBatch,
  toGoldenJson
} from "../src/index.js"
import { makeTestLabeler } from "./plugins/test-stages.js"

const labeler = makeTestLabeler()
const root = mkdtempSync(join(tmpdir(), "hh-golden-"))
const makeCase = (name: string, config: string, files: Readonly<Record<string, string>>) => {
  mkdirSync(join(root, "testcases", name), { recursive: true })
  writeFileSync(join(root, "testcases", name, "config.yaml"), config)
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, "testcases", name, file), text)
  return join(root, "testcases", name)
}

const run = (_caseDir: string, raw: unknown) =>
  Effect.flatMap(makeFromRaw(labeler, raw), (stage) => stage.label(sampleBatch(), { dataset: "d", capture: "c", batch: 0 }))

makeCase("stratum-port", "type: labeler.test-ports\nports: [3333]\n", {
  "expected.json": JSON.stringify({ label: ["mining", null, null, null, null, null], detail: ["dst_port 3333 listed", null, null, null, null, null] })
})
makeCase("rows", "type: labeler.test-ports\nports: [22]\n", {
  "expected.csv": 'label,detail\n,\n,\n,\n,\n,\nmining,"dst_port 22 listed"\n'
})
const asRows = (caseDir: string, raw: unknown) =>
  Effect.map(run(caseDir, raw), (answer) => answer.label.map((label, i) => ({ label, detail: answer.detail[i] })))

// One test per case folder, as a plugin's test file would register them.
goldenCases(root, (caseDir, raw) => (caseDir.endsWith("rows") ? asRows(caseDir, raw) : run(caseDir, raw)))

describe("golden comparison", () => {
  it("compares numbers with a relative tolerance and names the paths that differ", () => {
    expect(goldenDiff({ a: [1, 2.0000001], b: "x" }, { a: [1, 2], b: "x" }, { rtol: 1e-6 })).toEqual([])
    expect(goldenDiff({ a: [1, 2.1], c: 1 }, { a: [1, 2, 3], b: "x" })).toEqual([
      "b: missing (expected \"x\")",
      "c: unexpected 1",
      "a: 2 items ≠ expected 3",
      "a.1: 2.1 ≠ expected 2"
    ])
    expect(goldenDiff(0.001, 0, { atol: 0.01 })).toEqual([])
  })

  it("normalises bigint, typed arrays, tables, maps and tagged errors to JSON", () => {
    const table = batchFromRows([{ dst_port: 80 }])
    const error = Object.assign(new Error("bad"), { _tag: "InputError", path: "x" })
    expect(toGoldenJson({ n: 5n, f: new Float64Array([1, Number.NaN]), t: table, m: new Map([["k", 1]]), e: error, u: undefined })).toEqual({
      n: 5,
      f: [1, null],
      t: [{ dst_port: 80 }],
      m: { k: 1 },
      e: { _tag: "InputError", message: "bad", path: "x" }
    })
  })

  it("writes and reads CSV with quotes, and compares cells with tolerance", () => {
    const csv = rowsToCsv([{ a: 1, b: 'say "hi", then' }, { a: 2.5, c: [1, 2] }])
    expect(csv).toBe('a,b,c\n1,"say ""hi"", then",\n2.5,,"[1,2]"\n')
    expect(parseCsv(csv)).toEqual([["a", "b", "c"], ["1", 'say "hi", then', ""], ["2.5", "", "[1,2]"]])
    expect(csvDiff("a\n1.0000001\n", "a\n1\n", { rtol: 1e-6 })).toEqual([])
    expect(csvDiff("a\n2\n", "a\n1\n")).toEqual(["row 1 a: 2 ≠ expected 1"])
  })

  it.live("reports a mismatch and a missing expected file", () =>
    Effect.gen(function* () {
      const wrong = makeCase("wrong", "type: labeler.test-ports\nports: [53]\n", { "expected.json": JSON.stringify({ label: [], detail: [] }) })
      expect(yield* runGoldenCase(wrong, run)).toEqual(["label: 6 items ≠ expected 0", "detail: 6 items ≠ expected 0"])
      const missing = makeCase("missing", "type: labeler.test-ports\nports: [53]\n", {})
      expect((yield* runGoldenCase(missing, run))[0]).toMatch(/expected.json is missing; run with HASHHOUND_UPDATE_GOLDEN=1/)
    }))

  it.live("writes expected.json / expected.csv instead of comparing when HASHHOUND_UPDATE_GOLDEN=1", () =>
    Effect.gen(function* () {
      const fresh = makeCase("fresh", "type: labeler.test-ports\nports: [443]\n", {})
      const csv = makeCase("fresh-csv", "type: labeler.test-ports\nports: [443]\n", { "expected.csv": "stale\n" })
      const before = process.env[GOLDEN_UPDATE_ENV]
      process.env[GOLDEN_UPDATE_ENV] = "1"
      const results = yield* Effect.ensuring(
        Effect.all([runGoldenCase(fresh, run), runGoldenCase(csv, asRows)]),
        Effect.sync(() => {
          if (before === undefined) delete process.env[GOLDEN_UPDATE_ENV]
          else process.env[GOLDEN_UPDATE_ENV] = before
        })
      )
      expect(results).toEqual([[], []])
      expect(JSON.parse(readFileSync(join(fresh, "expected.json"), "utf8")).label[1]).toBe("mining")
      expect(readFileSync(join(csv, "expected.csv"), "utf8").split("\n")[2]).toBe("mining,dst_port 443 listed")
      expect(yield* runGoldenCase(fresh, run)).toEqual([])
      expect(existsSync(join(csv, "expected.json"))).toBe(false)
    }))

  it("lists case folders that hold a config.yaml, from dir or dir/testcases", () => {
    expect(listGoldenCases(root).map((dir) => dir.split("/").pop())).toContain("stratum-port")
    expect(listGoldenCases(join(root, "testcases")).length).toBe(listGoldenCases(root).length)
    expect(listGoldenCases("/nonexistent")).toEqual([])
  })
})
