/**
 * The QC contract: a `qc.*` plugin's stage run on a small batch, as checks and as a vitest suite
 * (`qcContract`).
 *
 * Holds: requires are catalogue columns; `phase` is flows or labels; `check` returns Finding
 * values reported by this plugin; an empty batch and a batch lacking columns never make it die;
 * `finish` over a stored dataset returns Finding values.
 * Does not hold: the common checks (plugin.ts).
 */
import { Finding, type AnyPlugin, type BatchInfo, type DatasetAccess, type FlowBatch, type QcStage } from "@hashhound/core"
import { Effect, Schema, Stream } from "effect"
import { batchFromRows, emptyBatch, sampleBatch, sampleFlowRows } from "../batches.js"
import { attempt, check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"
import { requiresViolations, withConfig, withStage, type StageContractOptions } from "./made-stage.js"
import { pluginChecks } from "./plugin.js"

export type QcContractOptions = StageContractOptions

const info = (batch = 0): BatchInfo => ({ dataset: "contract", capture: "sample.csv", batch })

/** Findings that are not Finding values from this plugin. */
export const findingViolations = (pluginId: string, what: string, findings: unknown): ReadonlyArray<string> => {
  if (!Array.isArray(findings)) return [`${what} did not return an array`]
  return findings.flatMap((finding: unknown, index) => {
    if (!Schema.is(Finding)(finding)) return [`${what}: item ${index} is not a Finding value (${JSON.stringify(finding)})`]
    return finding.source === pluginId ? [] : [`${what}: finding "${finding.code}" has source "${finding.source}", expected "${pluginId}"`]
  })
}

/** A DatasetAccess over one in-memory dataset. */
export const datasetAccess = (batches: ReadonlyArray<FlowBatch>, dataset = "contract"): DatasetAccess => ({
  dataset,
  datasets: [dataset],
  read: () => Stream.fromIterable(batches)
})

export const checkQcFindings = (pluginId: string, stage: QcStage, batch: FlowBatch) =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    if (stage.phase !== "flows" && stage.phase !== "labels") problems.push(`phase is "${String(stage.phase)}", not flows or labels`)
    const exit = yield* Effect.exit(attempt(() => stage.check(batch, info())))
    if (exit._tag === "Failure") problems.push(...exitViolations("check(sample batch)", exit), "check(sample batch) failed")
    else problems.push(...findingViolations(pluginId, "check(sample batch)", exit.value))
    return problems
  })

export const checkQcRobust = (stage: QcStage) =>
  Effect.gen(function* () {
    const empty = yield* Effect.exit(attempt(() => stage.check(emptyBatch(), info())))
    const lacking = yield* Effect.exit(attempt(() => stage.check(batchFromRows(sampleFlowRows(), { columns: ["src_ip", "dst_ip"] }), info(1))))
    return [...exitViolations("check(empty batch)", empty), ...exitViolations("check(batch with only src_ip, dst_ip)", lacking)]
  })

export const checkQcFinish = (pluginId: string, stage: QcStage, batch: FlowBatch) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(attempt(() => stage.finish(datasetAccess([batch]), [])))
    if (exit._tag === "Failure") return [...exitViolations("finish(dataset)", exit), "finish(dataset) failed"]
    return findingViolations(pluginId, "finish(dataset)", exit.value)
  })

export const qcChecks = (plugin: AnyPlugin, options: QcContractOptions): ReadonlyArray<ContractCheck> => {
  const batch = options.batch ?? sampleBatch()
  return [
    check("requires names catalogue columns", withConfig(plugin, options, (raw) => requiresViolations(plugin, raw))),
    check("check returns Finding values reported by this plugin", withStage(plugin, "qc", options, (stage) => checkQcFindings(plugin.id, stage, batch))),
    check("an empty batch or one lacking columns never makes check die", withStage(plugin, "qc", options, checkQcRobust)),
    check("finish over a stored dataset returns Finding values", withStage(plugin, "qc", options, (stage) => checkQcFinish(plugin.id, stage, batch)))
  ]
}

/** Register the common and the QC contract for one QC plugin. */
export const qcContract = (plugin: AnyPlugin, options: QcContractOptions): void =>
  registerChecks(`${plugin.id}: qc contract`, [...pluginChecks(plugin, options), ...qcChecks(plugin, options)], options.testTimeoutMs)

export const qcContractViolations = (plugin: AnyPlugin, options: QcContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...qcChecks(plugin, options)])
