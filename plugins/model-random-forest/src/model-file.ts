/**
 * The model.random-forest file: UTF-8 JSON with a header (`format`, `version`), the feature
 * names, importance, training record and the trees as parallel arrays.
 *
 * Holds: `encodeForest` / `decodeForest`. Numbers use JavaScript's shortest round-trip form, so a
 * loaded forest scores exactly like the saved one; infinite thresholds are written as the strings
 * "Infinity" / "-Infinity". Loading refuses another format, an unknown version and trees with
 * out-of-range children or features, with a PluginError.
 * Does not hold: file I/O.
 */
import { PluginError } from "@hashhound/core"
import { decodeModelFile } from "@hashhound/ml"
import { Either, Schema } from "effect"
import { ForestModel, type ForestTree } from "./model.js"

export const MODEL_FORMAT = "hashhound.model.random-forest"
export const MODEL_VERSION = 1
const PLUGIN_ID = "model.random-forest"

export const readingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "reading", reason })
export const writingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "writing", reason })

const Threshold = Schema.Union(Schema.Number, Schema.Literal("Infinity", "-Infinity"))

const FileJson = Schema.Struct({
  format: Schema.Literal(MODEL_FORMAT),
  version: Schema.Literal(MODEL_VERSION),
  feature_names: Schema.Array(Schema.String),
  params: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  importance: Schema.Record({ key: Schema.String, value: Schema.Number }),
  info: Schema.Struct({
    training_rows: Schema.Number,
    trees: Schema.Number,
    features_per_split: Schema.Number,
    oob_rows: Schema.Number,
    oob_roc_auc: Schema.NullOr(Schema.Number),
    oob_accuracy: Schema.NullOr(Schema.Number),
    threads_used: Schema.Number
  }),
  trees: Schema.Array(
    Schema.Struct({
      feature: Schema.Array(Schema.Int),
      threshold: Schema.Array(Threshold),
      missing_left: Schema.Array(Schema.Literal(0, 1)),
      left: Schema.Array(Schema.Int),
      right: Schema.Array(Schema.Int),
      value: Schema.Array(Schema.Number)
    })
  )
})

export const encodeForest = (model: ForestModel, params: Readonly<Record<string, unknown>>): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      feature_names: model.featureNames,
      params,
      importance: model.importance,
      info: model.info,
      trees: model.trees.map((tree) => ({
        feature: Array.from(tree.feature),
        threshold: Array.from(tree.threshold, (v) => (Number.isFinite(v) ? v : String(v))),
        missing_left: Array.from(tree.missingLeft),
        left: Array.from(tree.left),
        right: Array.from(tree.right),
        value: Array.from(tree.value)
      }))
    })
  )

const treeProblem = (tree: ForestTree, features: number, index: number): string | undefined => {
  const n = tree.feature.length
  if (n === 0 || [tree.threshold, tree.missingLeft, tree.left, tree.right, tree.value].some((a) => a.length !== n)) {
    return `tree ${index} has arrays of different lengths`
  }
  for (let node = 0; node < n; node++) {
    const f = tree.feature[node]!
    if (f >= features) return `tree ${index} node ${node} uses feature ${f} of ${features}`
    if (f >= 0 && !(tree.left[node]! > node && tree.left[node]! < n && tree.right[node]! > node && tree.right[node]! < n)) {
      return `tree ${index} node ${node} has children out of range`
    }
  }
  return undefined
}

export const decodeForest = (bytes: Uint8Array): Either.Either<ForestModel, PluginError> =>
  Either.flatMap(decodeModelFile(PLUGIN_ID, bytes, MODEL_FORMAT, MODEL_VERSION, FileJson), (file) => {
    const trees: Array<ForestTree> = file.trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold, (v) => (typeof v === "number" ? v : Number(v))),
      missingLeft: Uint8Array.from(t.missing_left),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value)
    }))
    for (let i = 0; i < trees.length; i++) {
      const problem = treeProblem(trees[i]!, file.feature_names.length, i)
      if (problem !== undefined) return Either.left(readingError(`corrupt model file: ${problem}`))
    }
    return Either.right(new ForestModel(file.feature_names, trees, file.importance, file.info))
  })
