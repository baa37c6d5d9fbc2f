/**
 * The model.logistic stage: Effect at the edges around the Newton fit.
 *
 * Holds: `makeLogisticStage` (fit: check inputs, weights, standardise, Newton; predictProba:
 * align the feature set, then score; save/load; importance).
 * Does not hold: the fit itself (`newton.ts`).
 */
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { alignFeatures, checkTraining, sampleWeights } from "@hashhound/ml"
import { Effect } from "effect"
import type { LogisticConfig } from "./config.js"
import { LogisticModel } from "./model.js"
import { decodeLogistic, encodeLogistic, writingError } from "./model-file.js"
import { fitNewton, standardiser } from "./newton.js"

export const PLUGIN_ID = "model.logistic"

const processingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason })
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const asLogistic = (fitted: unknown): Effect.Effect<LogisticModel, PluginError> =>
  fitted instanceof LogisticModel
    ? Effect.succeed(fitted)
    : Effect.fail(processingError("the fitted value is not a model.logistic model (was it fitted or loaded by another plugin?)"))

export const makeLogisticStage = (config: LogisticConfig): ModelStage => ({
  params: { ...config },
  fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) =>
    Effect.flatMap(checkTraining(PLUGIN_ID, x, y, weights), (matrix) =>
      Effect.try({
        try: () => {
          const s = standardiser(matrix.columns, matrix.rows, config.clip_sd)
          const w = sampleWeights(y, weights, config.class_weight)
          const result = fitNewton(matrix.columns, matrix.rows, y, w, s, { l2: config.l2, maxIter: config.max_iter, tol: config.tol })
          return new LogisticModel([...matrix.names], s, result.intercept, result.coefficients, {
            training_rows: matrix.rows,
            iterations: result.iterations,
            converged: result.converged,
            objective: result.objective
          })
        },
        catch: (error) => processingError(`fitting failed: ${describe(error)}`)
      })
    ),
  predictProba: (fitted, x) =>
    Effect.flatMap(asLogistic(fitted), (model) =>
      Effect.map(alignFeatures(PLUGIN_ID, model.featureNames, x), (columns) => model.probabilities(columns, x.rows))
    ),
  save: (fitted) =>
    Effect.flatMap(asLogistic(fitted), (model) =>
      Effect.try({ try: () => encodeLogistic(model, { ...config }), catch: (error) => writingError(`encoding the model failed: ${describe(error)}`) })
    ),
  load: (bytes) => decodeLogistic(bytes),
  importance: (fitted) => (fitted instanceof LogisticModel ? fitted.importance() : {})
})
