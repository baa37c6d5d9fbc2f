/**
 * labeler.dataset: the labeler contract, golden cases (testcases/<case>/flows.json: rows of
 * `label_raw` values, or a real flow export from the shared fixtures whose label column is read
 * as `label_raw`; expected.json = label and detail per row, or counts for a real export) and
 * the mapping rule's edges.
 */
import { it } from "@effect/vitest"
import type { LabelerStage } from "@hashhound/core"
import { batchFromRows, fixture, hasFixtures, labelerContract, listGoldenCases, makeFromRaw, makeFromYaml, runGoldenCase } from "@hashhound/testkit"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { datasetLabeler } from "../src/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

type Input =
  | { readonly capture: string; readonly rows: ReadonlyArray<{ readonly label_raw: string | null }> }
  | { readonly fixture: string; readonly column: string }

/** The values of one column of a plain CSV export (no quoted commas), header included. */
const csvColumn = (path: string, column: string): Array<string | null> => {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((line) => line !== "")
  const header = (lines[0] ?? "").split(",").map((name) => name.trim())
  const at = header.indexOf(column)
  if (at < 0) throw new Error(`${path} has no column ${column}`)
  return lines.slice(1).map((line) => line.split(",")[at] ?? null)
}

const inputsOf = (caseDir: string): ReadonlyArray<Input> => JSON.parse(readFileSync(join(caseDir, "flows.json"), "utf8")) as ReadonlyArray<Input>

const runCase = (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = (yield* makeFromRaw(datasetLabeler, raw)) as LabelerStage
    const out: Array<unknown> = []
    for (const input of inputsOf(caseDir)) {
      const values = "rows" in input ? input.rows.map((row) => row.label_raw) : csvColumn(fixture(input.fixture), input.column)
      const capture = "rows" in input ? input.capture : basename(input.fixture)
      const answer = yield* stage.label(batchFromRows(values.map((label_raw) => ({ label_raw })), { columns: ["label_raw"] }), { dataset: "golden", capture, batch: 0 })
      if ("rows" in input) values.forEach((value, i) => out.push({ label_raw: value, label: answer.label[i] ?? null, detail: answer.detail[i] ?? null }))
      else {
        const counts: Record<string, number> = {}
        values.forEach((value, i) => {
          const key = `${JSON.stringify(value)} → ${answer.label[i] ?? "null"} (${answer.detail[i] ?? "no detail"})`
          counts[key] = (counts[key] ?? 0) + 1
        })
        out.push({ capture, rows: values.length, counts })
      }
    }
    return out
  })

labelerContract(datasetLabeler, { exampleYaml: join(root, "example.yaml") })

describe("golden cases in testcases", () => {
  for (const caseDir of listGoldenCases(join(root, "testcases"))) {
    const name = basename(caseDir)
    if (inputsOf(caseDir).some((input) => "fixture" in input) && !hasFixtures()) it.skip(`${name} [skipped: the real fixtures folder is absent]`, () => undefined)
    else it.live(name, () => Effect.map(runGoldenCase(caseDir, runCase), (diffs) => expect(diffs, caseDir).toEqual([])))
  }
})

describe("labeler.dataset", () => {
  const paths = (raw: unknown) =>
    Either.match(datasetLabeler.decode(raw, "labels.0"), { onLeft: (i) => [...new Set(i.map((x) => x.path))], onRight: () => [] })

  it("refuses a bad regex, an unknown label, case-folded keys that disagree and a config with nothing to say", () => {
    expect(paths({ patterns: [{ match: "(unclosed", label: "benign" }] })).toEqual(["labels.0.patterns.0.match"])
    expect(paths({ map: { BENIGN: "clean" } })).toEqual(["labels.0.map.BENIGN"])
    expect(paths({ map: { Benign: "benign", BENIGN: "mining" }, case_insensitive: true })).toEqual(["labels.0"])
    expect(paths({ map: { Benign: "benign", BENIGN: "mining" } })).toEqual([])
    expect(paths({})).toEqual(["labels.0"])
  })

  it.effect("exact map before patterns, patterns in order, default only for values nothing matched", () =>
    Effect.gen(function* () {
      const stage = yield* makeFromYaml(
        datasetLabeler,
        'type: labeler.dataset\nmap: { "Bot": benign }\npatterns:\n  - { match: "Bot", label: mining }\n  - { match: "o", label: unknown }\ndefault: benign\n'
      )
      const batch = batchFromRows([{ label_raw: "Bot" }, { label_raw: "Botnet" }, { label_raw: "foo" }, { label_raw: "xyz" }, { label_raw: null }, { label_raw: "BOT" }], {
        columns: ["label_raw"]
      })
      const answer = yield* stage.label(batch, { dataset: "t", capture: "c", batch: 0 })
      expect(answer.label).toEqual(["benign", "mining", "unknown", "benign", null, "benign"])
      expect(answer.detail[1]).toBe('label_raw "Botnet" matches /Bot/')
      expect(answer.detail[5]).toBe('label_raw "BOT" (default)')
    }))
})
