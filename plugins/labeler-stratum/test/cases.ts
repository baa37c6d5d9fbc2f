/**
 * Golden cases of labeler.stratum: `testcases/<case>/flows.json` lists inputs, either captures
 * written out as rows (`{ capture, rows: [{ jsonrpc_methods, note }] }`) or a real capture from
 * the shared fixtures (`{ fixture: "mining/x.pcap", summary? }`) read with the flow meter.
 * The output is one record per flow (capture, endpoints, methods, label, detail), or per capture
 * a summary (counts by label and detail) when `summary` is set.
 *
 * Holds: `registerCases` (a test per case; cases that need the fixtures skip without them) and
 * `captureBatches`. Does not hold: assertions beyond the golden comparison.
 */
import { it } from "@effect/vitest"
import { readNumeric, readStrings, type AnyPlugin, type FlowBatch, type LabelerStage } from "@hashhound/core"
import { captureEvents } from "@hashhound/flowmeter"
import { batchFromRows, fixture, hasFixtures, listGoldenCases, makeFromRaw, runGoldenCase } from "@hashhound/testkit"
import { Chunk, Effect, Stream } from "effect"
import { readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { describe, expect } from "vitest"

type Input =
  | { readonly capture: string; readonly rows: ReadonlyArray<{ readonly note?: string; readonly jsonrpc_methods: string | null }> }
  | { readonly fixture: string; readonly summary?: boolean }

/** The flow batches of a real capture (default flow-meter options, no checkpoints). */
export const captureBatches = (path: string): Effect.Effect<ReadonlyArray<FlowBatch>, unknown> =>
  Effect.map(Stream.runCollect(captureEvents(path, { checkpoints: false })), (events) =>
    Chunk.toReadonlyArray(events).flatMap((event) => (event._tag === "Batch" ? [event.batch] : []))
  )

const flowRecords = (capture: string, batch: FlowBatch, label: ReadonlyArray<unknown>, detail: ReadonlyArray<unknown>) => {
  const src = readStrings(batch, "src_ip") ?? []
  const dst = readStrings(batch, "dst_ip") ?? []
  const dstPort = readNumeric(batch, "dst_port")
  const methods = readStrings(batch, "jsonrpc_methods") ?? []
  return Array.from({ length: batch.numRows }, (_, row) => ({
    capture,
    flow: `${src[row] ?? "?"} → ${dst[row] ?? "?"}:${dstPort === undefined || Number.isNaN(dstPort[row]!) ? "-" : dstPort[row]}`,
    jsonrpc_methods: methods[row] ?? null,
    label: label[row] ?? null,
    detail: detail[row] ?? null
  }))
}

const summaryOf = (capture: string, records: ReadonlyArray<{ label: unknown; detail: unknown; jsonrpc_methods: unknown }>) => {
  const labels: Record<string, number> = {}
  const details: Record<string, number> = {}
  for (const record of records) {
    const label = String(record.label)
    labels[label] = (labels[label] ?? 0) + 1
    if (record.detail !== null) details[String(record.detail)] = (details[String(record.detail)] ?? 0) + 1
  }
  return {
    capture,
    flows: records.length,
    with_methods: records.filter((r) => r.jsonrpc_methods !== null).length,
    labels,
    details: Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1)))
  }
}

const inputsOf = (caseDir: string): ReadonlyArray<Input> => JSON.parse(readFileSync(join(caseDir, "flows.json"), "utf8")) as ReadonlyArray<Input>

const runCase = (plugin: AnyPlugin) => (caseDir: string, raw: unknown) =>
  Effect.gen(function* () {
    const stage = (yield* makeFromRaw(plugin, raw)) as LabelerStage
    const out: Array<unknown> = []
    for (const input of inputsOf(caseDir)) {
      if ("rows" in input) {
        const batch = batchFromRows(input.rows.map((row) => ({ jsonrpc_methods: row.jsonrpc_methods })), { columns: ["jsonrpc_methods"] })
        const answer = yield* stage.label(batch, { dataset: "golden", capture: input.capture, batch: 0 })
        input.rows.forEach((row, i) =>
          out.push({ note: row.note ?? null, jsonrpc_methods: row.jsonrpc_methods, label: answer.label[i] ?? null, detail: answer.detail[i] ?? null })
        )
        continue
      }
      const capture = basename(input.fixture)
      const records: Array<ReturnType<typeof flowRecords>[number]> = []
      const batches = yield* captureBatches(fixture(input.fixture))
      for (const [index, batch] of batches.entries()) {
        const answer = yield* stage.label(batch, { dataset: "golden", capture, batch: index })
        records.push(...flowRecords(capture, batch, answer.label, answer.detail))
      }
      if (input.summary === true) out.push(summaryOf(capture, records))
      else out.push(...records)
    }
    return out
  })

/** One test per case folder; a case reading real captures skips when the fixtures are absent. */
export const registerCases = (plugin: AnyPlugin, dir: string): void => {
  describe(`golden cases in ${basename(dir)}`, () => {
    for (const caseDir of listGoldenCases(dir)) {
      const needsFixtures = inputsOf(caseDir).some((input) => "fixture" in input)
      const name = basename(caseDir)
      if (needsFixtures && !hasFixtures()) it.skip(`${name} [skipped: the real fixtures folder is absent]`, () => undefined)
      else
        it.live(name, () =>
          Effect.map(runGoldenCase(caseDir, runCase(plugin)), (diffs) => expect(diffs, `golden case ${caseDir}`).toEqual([]))
        )
    }
  })
}
