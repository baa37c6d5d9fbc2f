/**
 * The model.logistic file: UTF-8 JSON with a header (`format`, `version`), the feature names,
 * standardiser, intercept, coefficients and training record.
 *
 * Holds: `encodeLogistic` / `decodeLogistic`. Numbers use JavaScript's shortest round-trip form,
 * so a loaded model scores exactly like the saved one. Loading refuses another format, an
 * unknown version and arrays whose lengths do not match the features, with a PluginError.
 * Does not hold: file I/O.
 */
import { PluginError } from "@hashhound/core"
import { decodeModelFile } from "@hashhound/ml"
import { Either, Schema } from "effect"
import { LogisticModel } from "./model.js"

export const MODEL_FORMAT = "hashhound.model.logistic"
export const MODEL_VERSION = 1
const PLUGIN_ID = "model.logistic"

export const readingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "reading", reason })
export const writingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "writing", reason })

const FileJson = Schema.Struct({
  format: Schema.Literal(MODEL_FORMAT),
  version: Schema.Literal(MODEL_VERSION),
  feature_names: Schema.Array(Schema.String),
  params: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  means: Schema.Array(Schema.Number),
  sds: Schema.Array(Schema.Number.pipe(Schema.greaterThan(0))),
  clip_sd: Schema.Number.pipe(Schema.greaterThan(0)),
  intercept: Schema.Number,
  coefficients: Schema.Array(Schema.Number),
  info: Schema.Struct({
    training_rows: Schema.Number,
    iterations: Schema.Number,
    converged: Schema.Boolean,
    objective: Schema.Number
  })
})

export const encodeLogistic = (model: LogisticModel, params: Readonly<Record<string, unknown>>): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      feature_names: model.featureNames,
      params,
      means: Array.from(model.standardiser.means),
      sds: Array.from(model.standardiser.sds),
      clip_sd: model.standardiser.clip,
      intercept: model.intercept,
      coefficients: Array.from(model.coefficients),
      info: model.info
    })
  )

export const decodeLogistic = (bytes: Uint8Array): Either.Either<LogisticModel, PluginError> =>
  Either.flatMap(decodeModelFile(PLUGIN_ID, bytes, MODEL_FORMAT, MODEL_VERSION, FileJson), (file) => {
    const p = file.feature_names.length
    if (file.means.length !== p || file.sds.length !== p || file.coefficients.length !== p) {
      return Either.left(readingError(`corrupt model file: ${p} features but ${file.means.length} means, ${file.sds.length} sds, ${file.coefficients.length} coefficients`))
    }
    return Either.right(
      new LogisticModel(
        file.feature_names,
        { means: Float64Array.from(file.means), sds: Float64Array.from(file.sds), clip: file.clip_sd },
        file.intercept,
        Float64Array.from(file.coefficients),
        file.info
      )
    )
  })
