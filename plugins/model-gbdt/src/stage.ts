/**
 * The model.gbdt stage: Effect at the edges around the plain-TypeScript trainer.
 *
 * Holds: `makeGbdtStage` (fit: check inputs, bin, start worker threads when the data is large
 * enough, with a fall-back to one thread if they cannot start, and stop them afterwards in every
 * case; predictProba: align the feature set, then score; save/load through `model-file.ts`;
 * importance: gain).
 * Does not hold: the training algorithm (`boost.ts`, `grow.ts`).
 */
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { alignFeatures, checkTraining } from "@hashhound/ml"
import { Effect } from "effect"
import { train } from "./boost.js"
import { gbdtParams, type GbdtConfig } from "./config.js"
import { GbdtModel } from "./model.js"
import { decodeModel, encodeModel, writingError } from "./model-file.js"
import { prepareTraining, type Prepared } from "./prepare.js"
import { openPool, POOL_MIN_CELLS, serialPool, type HistogramPool } from "./threads.js"

export const PLUGIN_ID = "model.gbdt"

const processingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason })
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const asModel = (fitted: unknown): Effect.Effect<GbdtModel, PluginError> =>
  fitted instanceof GbdtModel
    ? Effect.succeed(fitted)
    : Effect.fail(processingError("the fitted value is not a model.gbdt model (was it fitted or loaded by another plugin?)"))

/** Worker threads over shared buffers, stopped when the scope closes; one thread if they cannot start. */
const histogramPool = (prepared: Prepared, threads: number) => {
  const serial = serialPool(prepared.buffers, prepared.features, prepared.layout.stride)
  if (threads <= 1 || !prepared.buffers.shared) return Effect.succeed(serial)
  return Effect.acquireRelease(
    Effect.tryPromise(() => openPool(prepared.buffers, prepared.features, prepared.layout.stride, threads - 1)),
    (pool) => Effect.promise(() => pool.close())
  ).pipe(
    Effect.catchAll((error) =>
      Effect.logWarning(`model.gbdt: worker threads unavailable, training on one thread: ${describe(error)}`).pipe(
        Effect.as<HistogramPool>(serial)
      )
    )
  )
}

export interface GbdtTuning {
  /** training rows x features from which worker threads are started (tests lower it) */
  readonly poolMinCells?: number
}

export const makeGbdtStage = (config: GbdtConfig, tuning: GbdtTuning = {}): ModelStage => {
  const poolMinCells = tuning.poolMinCells ?? POOL_MIN_CELLS
  const params = gbdtParams(config)
  return {
    params: { ...config },
    fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) =>
      Effect.gen(function* () {
        const matrix = yield* checkTraining(PLUGIN_ID, x, y, weights)
        const shared = config.threads > 1 && matrix.rows * matrix.names.length >= poolMinCells
        const prepared = yield* Effect.try({
          try: () =>
            prepareTraining(
              { names: [...matrix.names], columns: matrix.columns, rows: matrix.rows, y, ...(weights ? { weights } : {}) },
              params,
              shared
            ),
          catch: (error) => processingError(`preparing training data failed: ${describe(error)}`)
        })
        return yield* Effect.scoped(
          Effect.flatMap(histogramPool(prepared, config.threads), (pool) =>
            Effect.try({
              try: () => train(prepared, params, pool),
              catch: (error) => processingError(`training failed: ${describe(error)}`)
            })
          )
        )
      }),
    predictProba: (fitted, x) =>
      Effect.flatMap(asModel(fitted), (model) =>
        Effect.map(alignFeatures(PLUGIN_ID, model.featureNames, x), (columns) => model.probabilities(columns, x.rows))
      ),
    save: (fitted) =>
      Effect.flatMap(asModel(fitted), (model) =>
        Effect.try({
          try: () => encodeModel(model, { ...config }),
          catch: (error) => writingError(`encoding the model failed: ${describe(error)}`)
        })
      ),
    load: (bytes) => decodeModel(bytes),
    importance: (fitted) => (fitted instanceof GbdtModel ? fitted.gainImportance() : {})
  }
}
