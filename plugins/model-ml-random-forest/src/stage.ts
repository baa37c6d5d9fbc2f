/**
 * The model.ml-random-forest stage: ml-random-forest's `RandomForestClassifier` behind the model
 * contract, as a reference to compare the project's own forest with.
 *
 * Holds: `MlForestModel` (feature names, training means used for missing values, the classifier,
 * importance), `makeMlForestStage` (fit refuses more than `max_rows` rows and non-uniform
 * weights before loading the package; missing values become training means; probabilities are
 * the share of trees voting "mining"; save/load wrap the package's own JSON in a versioned
 * header that is checked before the package is loaded).
 * Does not hold: loading the package (`package.ts`).
 */
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { alignFeatures, checkTraining, decodeModelFile } from "@hashhound/ml"
import { Effect, Schema } from "effect"
import { forestOptions, type MlForestConfig } from "./config.js"
import { columnMeans, denseRows } from "./dense.js"
import { loadPackage, PACKAGE, PLUGIN_ID, type ForestClass, type ForestInstance } from "./package.js"

export const MODEL_FORMAT = "hashhound.model.ml-random-forest"
export const MODEL_VERSION = 1

const error = (stage: "reading" | "processing" | "writing", reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage, reason })
const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

export class MlForestModel {
  constructor(
    readonly featureNames: ReadonlyArray<string>,
    readonly means: ReadonlyArray<number>,
    readonly forest: ForestInstance,
    readonly importance: Readonly<Record<string, number>>
  ) {}
}

const FileJson = Schema.Struct({
  format: Schema.Literal(MODEL_FORMAT),
  version: Schema.Literal(MODEL_VERSION),
  feature_names: Schema.Array(Schema.String),
  means: Schema.Array(Schema.Number),
  params: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  importance: Schema.Record({ key: Schema.String, value: Schema.Number }),
  model: Schema.Unknown
})

/** Share of trees voting 1 per row. */
const votes = (forest: ForestInstance, rows: Array<Array<number>>): Float64Array => {
  const matrix = forest.predictionValues(rows)
  if (typeof matrix?.get !== "function" || matrix.rows !== rows.length || !(matrix.columns > 0)) {
    throw new Error(`${PACKAGE} predictionValues returned an unexpected shape`)
  }
  const out = new Float64Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    let ones = 0
    for (let t = 0; t < matrix.columns; t++) if (matrix.get(r, t) === 1) ones++
    out[r] = ones / matrix.columns
  }
  return out
}

const asModel = (fitted: unknown): Effect.Effect<MlForestModel, PluginError> =>
  fitted instanceof MlForestModel
    ? Effect.succeed(fitted)
    : Effect.fail(error("processing", "the fitted value is not a model.ml-random-forest model (was it fitted or loaded by another plugin?)"))

/** `load` gives the classifier class; tests pass a stand-in to exercise the glue without the package. */
export const makeMlForestStage = (config: MlForestConfig, load: Effect.Effect<ForestClass, PluginError> = loadPackage): ModelStage => ({
  params: { ...config },
  fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) =>
    Effect.gen(function* () {
      const matrix = yield* checkTraining(PLUGIN_ID, x, y, weights)
      if (matrix.rows > config.max_rows) {
        return yield* Effect.fail(
          error(
            "processing",
            `refusing ${matrix.rows} training rows (max_rows ${config.max_rows}): ${PACKAGE} sorts every node's rows for every candidate split and its time grows with rows squared; use model.random-forest for large data or raise max_rows`
          )
        )
      }
      if (weights !== undefined && weights.some((w) => w !== weights[0])) {
        return yield* Effect.fail(error("processing", `${PACKAGE} takes no sample weights; fit without weights or use model.random-forest`))
      }
      const Forest = yield* load
      return yield* Effect.try({
        try: () => {
          const means = columnMeans(matrix.columns, matrix.rows)
          const forest = new Forest(forestOptions(config, matrix.names.length))
          forest.train(denseRows(matrix.columns, matrix.rows, means), Array.from(y))
          const raw = typeof forest.featureImportance === "function" ? forest.featureImportance() : []
          const importance: Record<string, number> = {}
          matrix.names.forEach((name, f) => {
            const value = raw[f]
            importance[name] = typeof value === "number" && Number.isFinite(value) ? value : 0
          })
          return new MlForestModel([...matrix.names], means, forest, importance)
        },
        catch: (cause) => error("processing", `${PACKAGE} failed while training: ${describe(cause)}`)
      })
    }),
  predictProba: (fitted, x) =>
    Effect.flatMap(asModel(fitted), (model) =>
      Effect.flatMap(alignFeatures(PLUGIN_ID, model.featureNames, x), (columns) =>
        Effect.try({
          try: () => votes(model.forest, denseRows(columns, x.rows, model.means)),
          catch: (cause) => error("processing", `${PACKAGE} failed while predicting: ${describe(cause)}`)
        })
      )
    ),
  save: (fitted) =>
    Effect.flatMap(asModel(fitted), (model) =>
      Effect.try({
        try: () =>
          new TextEncoder().encode(
            JSON.stringify({
              format: MODEL_FORMAT,
              version: MODEL_VERSION,
              feature_names: model.featureNames,
              means: model.means,
              params: { ...config },
              importance: model.importance,
              model: model.forest.toJSON()
            })
          ),
        catch: (cause) => error("writing", `encoding the model failed: ${describe(cause)}`)
      })
    ),
  load: (bytes) =>
    Effect.gen(function* () {
      const file = yield* decodeModelFile(PLUGIN_ID, bytes, MODEL_FORMAT, MODEL_VERSION, FileJson)
      if (file.means.length !== file.feature_names.length) {
        return yield* Effect.fail(error("reading", `corrupt model file: ${file.feature_names.length} features but ${file.means.length} means`))
      }
      const Forest = yield* load
      const forest = yield* Effect.try({
        try: () => Forest.load(file.model),
        catch: (cause) => error("reading", `${PACKAGE} could not load the model: ${describe(cause)}`)
      })
      return new MlForestModel(file.feature_names, file.means, forest, file.importance)
    }),
  importance: (fitted) => (fitted instanceof MlForestModel ? { ...fitted.importance } : {})
})
