/**
 * The model.gbdt file: UTF-8 JSON with a header (`format`, `version`), the feature names, the base
 * score, the trees as parallel arrays and the training record.
 *
 * Holds: `encodeModel` / `decodeModel`. Numbers are written with JavaScript's shortest
 * round-trip form, so a loaded model scores exactly like the saved one; infinite thresholds
 * are written as the strings "Infinity" / "-Infinity". Loading refuses another format, an
 * unknown version (both checked by `@hashhound/ml`'s `decodeModelFile`), and trees whose child or
 * feature indices are out of range, with a PluginError.
 * Does not hold: file I/O (the pipeline writes the bytes where it wants).
 */
import { PluginError } from "@hashhound/core"
import { decodeModelFile } from "@hashhound/ml"
import { Either, Schema } from "effect"
import { GbdtModel } from "./model.js"
import type { Tree } from "./tree.js"

export const MODEL_FORMAT = "hashhound.model.gbdt"
export const MODEL_VERSION = 1
const PLUGIN_ID = "model.gbdt"

const Threshold = Schema.Union(Schema.Number, Schema.Literal("Infinity", "-Infinity"))

const TreeJson = Schema.Struct({
  feature: Schema.Array(Schema.Int),
  threshold: Schema.Array(Threshold),
  threshold_bin: Schema.Array(Schema.Int),
  missing_left: Schema.Array(Schema.Literal(0, 1)),
  left: Schema.Array(Schema.Int),
  right: Schema.Array(Schema.Int),
  value: Schema.Array(Schema.Number),
  gain: Schema.Array(Schema.Number),
  cover: Schema.Array(Schema.Number)
})

const InfoJson = Schema.Struct({
  training_rows: Schema.Number,
  validation_rows: Schema.Number,
  trees_trained: Schema.Number,
  trees_kept: Schema.Number,
  // files written before the refit existed lack these four
  best_round: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  refit: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  validation_metric: Schema.optionalWith(Schema.NullOr(Schema.Literal("logloss", "roc_auc")), { default: () => null }),
  validation_score: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  validation_logloss: Schema.NullOr(Schema.Number),
  threads_used: Schema.Number
})

const FileJson = Schema.Struct({
  format: Schema.Literal(MODEL_FORMAT),
  version: Schema.Literal(MODEL_VERSION),
  feature_names: Schema.Array(Schema.String),
  base_score: Schema.Number,
  params: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  info: InfoJson,
  trees: Schema.Array(TreeJson)
})

export const writingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "writing", reason })
const readingError = (reason: string) => new PluginError({ pluginId: PLUGIN_ID, stage: "reading", reason })

const encodeThreshold = (v: number): number | string => (Number.isFinite(v) ? v : String(v))

export const encodeModel = (model: GbdtModel, params: Readonly<Record<string, unknown>>): Uint8Array => {
  const body = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    feature_names: model.featureNames,
    base_score: model.baseScore,
    params,
    info: model.info,
    trees: model.trees.map((tree) => ({
      feature: Array.from(tree.feature),
      threshold: Array.from(tree.threshold, encodeThreshold),
      threshold_bin: Array.from(tree.thresholdBin),
      missing_left: Array.from(tree.missingLeft),
      left: Array.from(tree.left),
      right: Array.from(tree.right),
      value: Array.from(tree.value),
      gain: Array.from(tree.gain),
      cover: Array.from(tree.cover)
    }))
  }
  return new TextEncoder().encode(JSON.stringify(body))
}

const checkTree = (tree: Tree, features: number, index: number): string | undefined => {
  const n = tree.feature.length
  const lengths = [tree.threshold, tree.thresholdBin, tree.missingLeft, tree.left, tree.right, tree.value, tree.gain, tree.cover]
  if (n === 0 || lengths.some((array) => array.length !== n)) return `tree ${index} has arrays of different lengths`
  for (let node = 0; node < n; node++) {
    const f = tree.feature[node]!
    if (f >= features) return `tree ${index} node ${node} uses feature ${f} of ${features}`
    if (f >= 0) {
      const l = tree.left[node]!
      const r = tree.right[node]!
      // children come after their parent, so traversal always ends
      if (!(l > node && l < n && r > node && r < n)) return `tree ${index} node ${node} has children out of range`
    }
  }
  return undefined
}

export const decodeModel = (bytes: Uint8Array): Either.Either<GbdtModel, PluginError> =>
  Either.flatMap(decodeModelFile(PLUGIN_ID, bytes, MODEL_FORMAT, MODEL_VERSION, FileJson), (file) => {
    const trees: Array<Tree> = file.trees.map((t) => ({
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold, (v) => (typeof v === "number" ? v : Number(v))),
      thresholdBin: Int32Array.from(t.threshold_bin),
      missingLeft: Uint8Array.from(t.missing_left),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
      gain: Float64Array.from(t.gain),
      cover: Float64Array.from(t.cover)
    }))
    for (let i = 0; i < trees.length; i++) {
      const problem = checkTree(trees[i]!, file.feature_names.length, i)
      if (problem !== undefined) return Either.left(readingError(`corrupt model file: ${problem}`))
    }
    return Either.right(new GbdtModel(file.feature_names, file.base_score, trees, file.info))
  })
