/**
 * Labelling one batch: ask each labeler in priority order, refuse malformed answers, merge.
 *
 * Holds: `labelBatch` (the Effect edge around `mergeLabels`) and `labelColumns` (the merged
 * answer as the Arrow vectors `label`, `label_source`, `label_detail`).
 * Does not hold: the merge rule (`merge.ts`), storage or the manifest (the runner's).
 */
import {
  PluginError,
  utf8Vector,
  type BatchInfo,
  type FlowBatch,
  type LabelAnswer,
  type LabelerStage,
  type StageContext
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
 * A labeler's `label` as labelers that read files (`labeler.scenario`, `labeler.ioc`) accept it:
 * with the stage context as an optional third argument, so that relative paths in their config
 * resolve from the pipeline's folder. core's `LabelerStage.label` does not have it yet; a
 * two-argument function is assignable to this type, so every labeler fits.
 */
export type LabelWithContext = (
  batch: FlowBatch,
  info: BatchInfo,
  context?: StageContext
) => Effect.Effect<LabelAnswer, PluginError>

/**
 * Run `labelers` (in priority order) on one batch and merge their answers. A labeler whose answer
 * has the wrong length or a label outside mining | benign | unknown | null fails with a
 * PluginError naming it and the batch.
 */
export const labelBatch = (
  labelers: ReadonlyArray<NamedLabeler>,
  batch: FlowBatch,
  info: BatchInfo,
  context?: StageContext
): Effect.Effect<MergedLabels, PluginError> =>
  Effect.gen(function* () {
    const answers: Array<LabelerAnswer> = []
    for (const labeler of labelers) {
      const label: LabelWithContext = labeler.stage.label
      const answer = yield* label(batch, info, context)
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
