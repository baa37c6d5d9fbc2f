import { it } from "@effect/vitest"
import type { AnyPlugin } from "@hashhound/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import {
  featuresChecks,
  featuresContract,
  labelerChecks,
  labelerContract,
  qcChecks,
  qcContract,
  reportChecks,
  reportContract,
  type ContractCheck
} from "../src/index.js"
import { FULL_README, pluginFolder } from "./plugins/folder.js"
import { makeTestFeatures, makeTestLabeler, makeTestQc, makeTestReport } from "./plugins/test-stages.js"

const qcExample = pluginFolder("type: qc.test-min-rows\nmin_rows: 100\n", FULL_README(["min_rows"], "Output"))
const labelerExample = pluginFolder("type: labeler.test-ports\nports: [3333, 22]\n", FULL_README(["ports", "label"], "Output"))
const featuresExample = pluginFolder("type: features.test-ratio\nmin_packets: 1\n", FULL_README(["min_packets"], "Output"))
const reportExample = pluginFolder("type: report.test-summary\nfile_name: summary.json\n", FULL_README(["file_name"], "Output"))

// The real suites on good plugins.
qcContract(makeTestQc(), { exampleYaml: qcExample })
labelerContract(makeTestLabeler(), { exampleYaml: labelerExample })
featuresContract(makeTestFeatures(), { exampleYaml: featuresExample })
featuresContract(makeTestFeatures("sql"), { exampleYaml: featuresExample })
reportContract(makeTestReport(), { exampleYaml: reportExample })

const violationsOf = (checks: ReadonlyArray<ContractCheck>) => Effect.map(Effect.forEach(checks, (c) => c.run), (all) => all.flat().join("\n"))

describe("the qc contract catches broken checks", () => {
  const run = (flaw: Parameters<typeof makeTestQc>[0]) => violationsOf(qcChecks(makeTestQc(flaw), { exampleYaml: qcExample }))
  it.effect("plain objects instead of Finding values", () => Effect.map(run("plain-findings"), (v) => expect(v).toMatch(/item 0 is not a Finding value/)))
  it.effect("findings under another plugin's name", () => Effect.map(run("foreign-source"), (v) => expect(v).toMatch(/has source "qc.other", expected "qc.test-min-rows"/)))
  it.effect("a phase that does not exist", () => Effect.map(run("bad-phase"), (v) => expect(v).toMatch(/phase is "bogus"/)))
  it.effect("a defect on an empty batch", () => Effect.map(run("dies-on-empty"), (v) => expect(v).toMatch(/check\(empty batch\) died/)))
  it.effect("a requirement outside the catalogue", () => Effect.map(run("requires-unknown"), (v) => expect(v).toMatch(/requires "no_such_column"/)))
  it.effect("a plugin of the wrong kind", () =>
    Effect.map(violationsOf(qcChecks(makeTestLabeler() as AnyPlugin, { exampleYaml: labelerExample })), (v) => expect(v).toMatch(/kind is "labeler", not "qc"/)))
})

describe("the labeler contract catches broken labelers", () => {
  const run = (flaw: Parameters<typeof makeTestLabeler>[0]) => violationsOf(labelerChecks(makeTestLabeler(flaw), { exampleYaml: labelerExample }))
  it.effect("fewer labels than rows", () => Effect.map(run("short"), (v) => expect(v).toMatch(/5 labels for 6 rows/)))
  it.effect("a label outside mining/benign/unknown", () => Effect.map(run("bad-label"), (v) => expect(v).toMatch(/got "evil"/)))
  it.effect("a defect on a batch lacking its column", () => Effect.map(run("dies-without-column"), (v) => expect(v).toMatch(/only src_ip, dst_ip\) died/)))
  it.effect("a config given directly is used instead of example.yaml", () =>
    Effect.gen(function* () {
      expect(yield* violationsOf(labelerChecks(makeTestLabeler(), { exampleYaml: "/nonexistent.yaml", config: { type: "labeler.test-ports", ports: [53] } }))).toBe("")
      expect(yield* violationsOf(labelerChecks(makeTestLabeler(), { exampleYaml: "/nonexistent.yaml" }))).toMatch(/cannot read: .*ENOENT/)
    }))
})

describe("the features contract catches broken feature groups", () => {
  const run = (flaw: Parameters<typeof makeTestFeatures>[0], allowGuarded?: ReadonlyArray<string>) =>
    violationsOf(featuresChecks(makeTestFeatures(flaw), { exampleYaml: featuresExample, ...(allowGuarded ? { allowGuarded } : {}) }))
  it.effect("a declared feature not computed", () => Effect.map(run("missing"), (v) => expect(v).toMatch(/declared feature "bytes_per_packet" is missing/)))
  it.effect("a column longer than the batch", () => Effect.map(run("wrong-length"), (v) => expect(v).toMatch(/has 7 values for 6 rows/)))
  it.effect("a plain array instead of a Float64Array", () => Effect.map(run("plain-array"), (v) => expect(v).toMatch(/is not a Float64Array/)))
  it.effect("a camelCase feature name", () => Effect.map(run("camel-name"), (v) => expect(v).toMatch(/"bytesPerPacket" is not snake_case/)))
  it.effect("a requirement outside the catalogue", () => Effect.map(run("unknown-require"), (v) => expect(v).toMatch(/requires "fwd_bytez", which is not a catalogue column/)))
  it.effect("a guarded column, unless allowed", () =>
    Effect.gen(function* () {
      expect(yield* run("guarded")).toMatch(/reads guarded column "tls_sni"/)
      expect(yield* run("guarded", ["tls_sni"])).toBe("")
    }))
  it.effect("an undeclared column", () => Effect.map(run("undeclared"), (v) => expect(v).toMatch(/returns undeclared column "extra"/)))
  it.live("SQL that does not give one row per flow", () =>
    Effect.map(run("sql-grouped"), (v) => expect(v).toMatch(/the SQL result has 3 rows for 6 flows/)))
})

describe("the report contract catches broken reports", () => {
  const run = (flaw: Parameters<typeof makeTestReport>[0]) => violationsOf(reportChecks(makeTestReport(flaw), { exampleYaml: reportExample }))
  it.effect("an absolute path", () => Effect.map(run("absolute"), (v) => expect(v).toMatch(/"\/tmp\/summary.json" is not a relative path/)))
  it.effect("a path escaping the run folder", () => Effect.map(run("escaping"), (v) => expect(v).toMatch(/"..\/summary.json" is not a relative path/)))
  it.effect("an empty file", () => Effect.map(run("empty"), (v) => expect(v).toMatch(/"summary.json" is empty/)))
  it.effect("invalid JSON in a .json file", () => Effect.map(run("bad-json"), (v) => expect(v).toMatch(/is not valid JSON/)))
  it.effect("an untagged failure", () => Effect.map(run("untagged-failure"), (v) => expect(v).toMatch(/untagged value \(Error: no\)/)))
})
