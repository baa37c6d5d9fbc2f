/**
 * The model.xgboost-wasm stage: ml-xgboost (XGBoost compiled to WebAssembly) behind the model
 * contract, as a reference to compare model.gbdt with.
 *
 * Holds: `XgbModel` (feature names and the booster's own JSON export), `makeXgbStage` (fit
 * refuses more than `max_rows` rows, training matrices above `max_training_mib` and non-uniform
 * weights before loading the package; NaN becomes ml-xgboost's missing marker -1; the booster is
 * exported to JSON and freed right after training, and every prediction loads, predicts and frees
 * one, because WebAssembly memory is not garbage-collected; save/load wrap the booster JSON in a
 * versioned header that is checked before the package is loaded).
 * Does not hold: loading the package (`package.ts`).
 */
import { PluginError, type FeatureMatrix, type ModelStage } from "@hashhound/core"
import { alignFeatures, checkTraining, decodeModelFile } from "@hashhound/ml"
import { Effect, Schema } from "effect"
import { boosterOptions, type XgbConfig } from "./config.js"
import { denseRows, MISSING_MARKER } from "./dense.js"
import { loadPackage, PACKAGE, PLUGIN_ID, type BoosterClass } from "./package.js"

export const MODEL_FORMAT = "hashhound.model.xgboost-wasm"
export const MODEL_VERSION = 1

const error = (stage: "reading" | "processing" | "writing", reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage, reason })
const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

export class XgbModel {
  constructor(
    readonly featureNames: ReadonlyArray<string>,
    /** what the booster's toJSON() returned */
    readonly booster: unknown
  ) {}
}

const FileJson = Schema.Struct({
  format: Schema.Literal(MODEL_FORMAT),
  version: Schema.Literal(MODEL_VERSION),
  feature_names: Schema.Array(Schema.String),
  missing_marker: Schema.Literal(MISSING_MARKER),
  params: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  booster: Schema.Unknown
})

/**
 * Free a booster. After the WebAssembly module has crashed (a trap such as "memory access out of
 * bounds"), `free` traps too; that second error is dropped so the first one is what the caller sees.
 */
const freeBooster = (booster: { readonly free: () => void }) => Effect.ignore(Effect.try(() => booster.free()))

/** Load a booster from its JSON, run `use`, free it whatever happens. */
const withBooster = <A>(Booster: BoosterClass, json: unknown, what: string, use: (booster: ReturnType<BoosterClass["load"]>) => A) =>
  Effect.acquireUseRelease(
    Effect.try({ try: () => Booster.load(json), catch: (cause) => error("reading", `${PACKAGE} could not load the model: ${describe(cause)}`) }),
    (booster) => Effect.try({ try: () => use(booster), catch: (cause) => error("processing", `${PACKAGE} failed while ${what}: ${describe(cause)}`) }),
    freeBooster
  )

const asModel = (fitted: unknown): Effect.Effect<XgbModel, PluginError> =>
  fitted instanceof XgbModel
    ? Effect.succeed(fitted)
    : Effect.fail(error("processing", "the fitted value is not a model.xgboost-wasm model (was it fitted or loaded by another plugin?)"))

/** `load` gives the booster class; tests pass a stand-in to exercise the glue without the package. */
export const makeXgbStage = (config: XgbConfig, load: Effect.Effect<BoosterClass, PluginError> = loadPackage): ModelStage => ({
  params: { ...config },
  fit: (x: FeatureMatrix, y: Uint8Array, weights?: Float64Array) =>
    Effect.gen(function* () {
      const matrix = yield* checkTraining(PLUGIN_ID, x, y, weights)
      if (matrix.rows > config.max_rows) {
        return yield* Effect.fail(
          error(
            "processing",
            `refusing ${matrix.rows} training rows (max_rows ${config.max_rows}): ${PACKAGE} runs single-threaded exact-greedy XGBoost in WebAssembly; use model.gbdt for large data or raise max_rows`
          )
        )
      }
      const mib = (matrix.rows * (matrix.names.length + 1) * 4) / 2 ** 20
      if (mib > config.max_training_mib) {
        return yield* Effect.fail(
          error(
            "processing",
            `refusing a ${mib.toFixed(2)} MiB training matrix (max_training_mib ${config.max_training_mib}): ${PACKAGE} copies it onto its 5 MiB WebAssembly stack; use model.gbdt or fewer rows`
          )
        )
      }
      if (weights !== undefined && weights.some((w) => w !== weights[0])) {
        return yield* Effect.fail(error("processing", `${PACKAGE} takes no sample weights; use class_weight, fit without weights, or use model.gbdt`))
      }
      const Booster = yield* load
      let positives = 0
      for (const label of y) positives += label
      const json = yield* Effect.acquireUseRelease(
        Effect.try({
          try: () => new Booster(boosterOptions(config, positives, matrix.rows - positives)),
          catch: (cause) => error("processing", `${PACKAGE} could not create a booster: ${describe(cause)}`)
        }),
        (booster) =>
          Effect.try({
            try: () => {
              booster.train(denseRows(matrix.columns, matrix.rows), Array.from(y))
              return booster.toJSON()
            },
            catch: (cause) => error("processing", `${PACKAGE} failed while training: ${describe(cause)}`)
          }),
        freeBooster
      )
      return new XgbModel([...matrix.names], json)
    }),
  predictProba: (fitted, x) =>
    Effect.gen(function* () {
      const model = yield* asModel(fitted)
      const columns = yield* alignFeatures(PLUGIN_ID, model.featureNames, x)
      if (x.rows === 0) return new Float64Array(0)
      const Booster = yield* load
      const raw = yield* withBooster(Booster, model.booster, "predicting", (booster) => booster.predict(denseRows(columns, x.rows)))
      if (!Array.isArray(raw) || raw.length !== x.rows || raw.some((v) => typeof v !== "number")) {
        return yield* Effect.fail(error("processing", `${PACKAGE} returned ${Array.isArray(raw) ? raw.length : typeof raw} predictions for ${x.rows} rows`))
      }
      return Float64Array.from(raw as Array<number>)
    }),
  save: (fitted) =>
    Effect.flatMap(asModel(fitted), (model) =>
      Effect.try({
        try: () =>
          new TextEncoder().encode(
            JSON.stringify({
              format: MODEL_FORMAT,
              version: MODEL_VERSION,
              feature_names: model.featureNames,
              missing_marker: MISSING_MARKER,
              params: { ...config },
              booster: model.booster
            })
          ),
        catch: (cause) => error("writing", `encoding the model failed: ${describe(cause)}`)
      })
    ),
  load: (bytes) =>
    Effect.gen(function* () {
      const file = yield* decodeModelFile(PLUGIN_ID, bytes, MODEL_FORMAT, MODEL_VERSION, FileJson)
      // check the booster loads now, so a bad file fails at load rather than at the first prediction
      const Booster = yield* load
      yield* withBooster(Booster, file.booster, "loading", () => undefined)
      return new XgbModel(file.feature_names, file.booster)
    })
})
