/**
 * Labelling one batch: ask each labeler in priority order, refuse malformed answers, merge.
 *
 * Holds: `labelBatch` (the Effect edge around `mergeLabels`) and `labelColumns` (the merged
 * answer as the Arrow vectors `label`, `label_source`, `label_detail`).
 * Does not hold: the merge rule (`merge.ts`), duplicates (`duplicates.ts`; the runner marks
 * them after the merge), storage or the manifest (the runner's).
 */
import {
  PluginError,
  utf8Vector,
  type BatchInfo,
  type FlowBatch,
  type LabelerContext,
  type LabelerStage
} from "@hashhound/core"
import type { Vector } from "apache-arrow"
import { Effect } from "effect"
import { answerProblems, mergeLabels, type LabelerAnswer, type MergedLabels } from "./merge.js"

/** A made labeler: its plugin id and stage. */
export interface NamedLabeler {
  readonly id: string
  readonly stage: LabelerStage
}

/**
 * Run `labelers` (in priority order) on one batch and merge their answers; each gets `context`
 * (pipeline folder for relative paths, work folder, run-wide label skew). A labeler whose answer
 * has the wrong length or a label outside mining | benign | unknown | null fails with a
 * PluginError naming it and the batch.
 */
export const labelBatch = (
  labelers: ReadonlyArray<NamedLabeler>,
  batch: FlowBatch,
  info: BatchInfo,
  context?: LabelerContext
): Effect.Effect<MergedLabels, PluginError> =>
  Effect.gen(function* () {
    const answers: Array<LabelerAnswer> = []
    for (const labeler of labelers) {
      const answer = yield* labeler.stage.label(batch, info, context)
      const problem = answerProblems(answer, batch.numRows)
      if (problem !== undefined)
        return yield* new PluginError({
          pluginId: labeler.id,
          stage: "processing",
          input: `${info.capture} batch ${info.batch}`,
          reason: problem
        })
      answers.push({ id: labeler.id, answer })
    }
    return mergeLabels(answers, batch.numRows)
  })

/** The merged labels as the three label columns, ready for `withColumns` or a labels table. */
export const labelColumns = (merged: MergedLabels): { label: Vector; label_source: Vector; label_detail: Vector } => ({
  label: utf8Vector(merged.label),
  label_source: utf8Vector(merged.source),
  label_detail: utf8Vector(merged.detail)
})
