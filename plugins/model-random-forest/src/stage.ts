/**
 * The model.random-forest stage: Effect at the edges around the plain-TypeScript forest.
 *
 * Holds: `makeForestStage` (fit: check inputs, bin, grow trees on worker threads when the work
 * is large enough, falling back to one thread if they cannot start, then assemble with the
 * out-of-bag score; predictProba: align the feature set, then score; save/load; importance).
 * Does not hold: the algorithm (`forest.ts`, `forest-tree.ts`).
 */
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { alignFeatures, checkTraining } from "@hashhound/ml"
import { Effect } from "effect"
import type { ForestConfig } from "./config.js"
import { assembleForest, growSerial, prepareForest } from "./forest.js"
import { ForestModel } from "./model.js"
import { decodeForest, encodeForest, writingError } from "./model-file.js"
import { growInWorkers, PARALLEL_MIN_WORK } from "./threads.js"

export const PLUGIN_ID = "model.random-forest"

const processingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "processing", reason })
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const asForest = (fitted: unknown): Effect.Effect<ForestModel, PluginError> =>
  fitted instanceof ForestModel
    ? Effect.succeed(fitted)
    : Effect.fail(processingError("the fitted value is not a model.random-forest model (was it fitted or loaded by another plugin?)"))

export interface ForestTuning {
  /** rows x features x trees from which worker threads are started (tests lower it) */
  readonly parallelMinWork?: number
}

export const makeForestStage = (config: ForestConfig, tuning: ForestTuning = {}): ModelStage => ({
  params: { ...config },
  fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) =>
    Effect.gen(function* () {
      const matrix = yield* checkTraining(PLUGIN_ID, x, y, weights)
      const threads = Math.min(config.threads, config.trees)
      const parallel = threads > 1 && matrix.rows * matrix.names.length * config.trees >= (tuning.parallelMinWork ?? PARALLEL_MIN_WORK)
      const prepared = yield* Effect.try({
        try: () =>
          prepareForest({ names: [...matrix.names], columns: matrix.columns, rows: matrix.rows, y, ...(weights ? { weights } : {}) }, config, parallel),
        catch: (error) => processingError(`preparing training data failed: ${describe(error)}`)
      })
      const serial = Effect.try({
        try: () => ({ grown: growSerial(prepared), threads: 1 }),
        catch: (error) => processingError(`training failed: ${describe(error)}`)
      })
      const grown = parallel
        ? yield* Effect.tryPromise(() => growInWorkers(prepared, threads)).pipe(
            Effect.map((trees) => ({ grown: trees, threads })),
            Effect.catchAll((error) =>
              Effect.zipRight(Effect.logWarning(`model.random-forest: worker threads failed, growing on one thread: ${describe(error)}`), serial)
            )
          )
        : yield* serial
      return yield* Effect.try({
        try: () => assembleForest(prepared, grown.grown, grown.threads),
        catch: (error) => processingError(`assembling the forest failed: ${describe(error)}`)
      })
    }),
  predictProba: (fitted, x) =>
    Effect.flatMap(asForest(fitted), (model) =>
      Effect.map(alignFeatures(PLUGIN_ID, model.featureNames, x), (columns) => model.probabilities(columns, x.rows))
    ),
  save: (fitted) =>
    Effect.flatMap(asForest(fitted), (model) =>
      Effect.try({ try: () => encodeForest(model, { ...config }), catch: (error) => writingError(`encoding the model failed: ${describe(error)}`) })
    ),
  load: (bytes) => decodeForest(bytes),
  importance: (fitted) => (fitted instanceof ForestModel ? { ...fitted.importance } : {})
})
