/**
 * The labeler contract: a `labeler.*` plugin's stage run on a small batch, as checks and as a
 * vitest suite (`labelerContract`).
 *
 * Holds: requires are catalogue columns; one label and one detail per row; labels are mining,
 * benign, unknown or null; details are strings or null; an empty batch gives empty answers and a
 * batch lacking columns never makes it die.
 * Does not hold: the common checks (plugin.ts) or label merging (the pipeline's).
 */
import { LABELS, type AnyPlugin, type BatchInfo, type FlowBatch, type LabelerStage } from "@hashhound/core"
import { Effect } from "effect"
import { batchFromRows, emptyBatch, sampleBatch, sampleFlowRows } from "../batches.js"
import { attempt, check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"
import { requiresViolations, withConfig, withStage, type StageContractOptions } from "./made-stage.js"
import { pluginChecks } from "./plugin.js"

export type LabelerContractOptions = StageContractOptions

const info: BatchInfo = { dataset: "contract", capture: "sample.csv", batch: 0 }

/** Problems with a labeler's answer for a batch of `rows` rows. */
export const labelAnswerViolations = (what: string, answer: unknown, rows: number): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const { label, detail } = (answer ?? {}) as { label?: unknown; detail?: unknown }
  if (!Array.isArray(label)) return [`${what}: label is not an array`]
  if (!Array.isArray(detail)) return [`${what}: detail is not an array`]
  if (label.length !== rows) problems.push(`${what}: ${label.length} labels for ${rows} rows`)
  if (detail.length !== rows) problems.push(`${what}: ${detail.length} details for ${rows} rows`)
  const badLabels = [...new Set(label.filter((value: unknown) => value !== null && !(LABELS as ReadonlyArray<unknown>).includes(value)))]
  if (badLabels.length > 0) problems.push(`${what}: labels must be ${LABELS.join(" | ")} or null, got ${badLabels.map((v) => JSON.stringify(v)).join(", ")}`)
  if (detail.some((value: unknown) => value !== null && typeof value !== "string")) problems.push(`${what}: details must be strings or null`)
  return problems
}

export const checkLabels = (stage: LabelerStage, batch: FlowBatch) =>
  Effect.map(Effect.exit(attempt(() => stage.label(batch, info))), (exit) =>
    exit._tag === "Failure" ? [...exitViolations("label(sample batch)", exit), "label(sample batch) failed"] : labelAnswerViolations("label(sample batch)", exit.value, batch.numRows)
  )

export const checkLabelerRobust = (stage: LabelerStage) =>
  Effect.gen(function* () {
    const empty = yield* Effect.exit(attempt(() => stage.label(emptyBatch(), info)))
    const lackingBatch = batchFromRows(sampleFlowRows(), { columns: ["src_ip", "dst_ip"] })
    const lacking = yield* Effect.exit(attempt(() => stage.label(lackingBatch, info)))
    return [
      ...(empty._tag === "Success" ? labelAnswerViolations("label(empty batch)", empty.value, 0) : exitViolations("label(empty batch)", empty)),
      ...(lacking._tag === "Success"
        ? labelAnswerViolations("label(batch with only src_ip, dst_ip)", lacking.value, lackingBatch.numRows)
        : exitViolations("label(batch with only src_ip, dst_ip)", lacking))
    ]
  })

export const labelerChecks = (plugin: AnyPlugin, options: LabelerContractOptions): ReadonlyArray<ContractCheck> => {
  const batch = options.batch ?? sampleBatch()
  return [
    check("requires names catalogue columns", withConfig(plugin, options, (raw) => requiresViolations(plugin, raw))),
    check("label gives one mining/benign/unknown/null label and detail per row", withStage(plugin, "labeler", options, (stage) => checkLabels(stage, batch))),
    check("an empty batch gives empty answers; one lacking columns never makes label die", withStage(plugin, "labeler", options, checkLabelerRobust))
  ]
}

/** Register the common and the labeler contract for one labeler plugin. */
export const labelerContract = (plugin: AnyPlugin, options: LabelerContractOptions): void =>
  registerChecks(`${plugin.id}: labeler contract`, [...pluginChecks(plugin, options), ...labelerChecks(plugin, options)], options.testTimeoutMs)

export const labelerContractViolations = (plugin: AnyPlugin, options: LabelerContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...labelerChecks(plugin, options)])
