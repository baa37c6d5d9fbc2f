/**
 * Checks on what a model stage is given: the training matrix, labels and weights, and the
 * feature set at prediction time.
 *
 * Holds: `checkMatrix` (column count, column lengths, duplicate names), `checkTraining` (shape,
 * unique names, labels 0/1 with both classes present, finite non-negative weights with a positive
 * sum) and `alignFeatures`, which returns the columns of a matrix in the fitted model's feature
 * order and refuses a matrix whose feature set differs, naming the missing and extra features.
 * All answer with a `PluginError` carrying the calling plugin's id, never a throw.
 * Does not hold: anything model-specific (row limits, weight support: each plugin's own).
 */
import { PluginError, type FeatureMatrix } from "@hashhound/core"
import { Either } from "effect"

const fail = (pluginId: string, reason: string): Either.Either<never, PluginError> =>
  Either.left(new PluginError({ pluginId, stage: "processing", reason }))

const list = (names: ReadonlyArray<string>): string => names.map((n) => JSON.stringify(n)).join(", ")

/** Shape problems of a matrix: column count, column lengths, duplicate names. */
export const checkMatrix = (pluginId: string, x: FeatureMatrix): Either.Either<FeatureMatrix, PluginError> => {
  if (x.columns.length !== x.names.length) {
    return fail(pluginId, `feature matrix has ${x.names.length} names but ${x.columns.length} columns`)
  }
  const seen = new Set<string>()
  const duplicates: Array<string> = []
  for (const name of x.names) {
    if (seen.has(name)) duplicates.push(name)
    seen.add(name)
  }
  if (duplicates.length > 0) return fail(pluginId, `feature matrix names features twice: ${list(duplicates)}`)
  const bad = x.columns.findIndex((column) => column.length !== x.rows)
  if (bad >= 0) {
    return fail(pluginId, `feature ${JSON.stringify(x.names[bad])} has ${x.columns[bad]!.length} values for ${x.rows} rows`)
  }
  return Either.right(x)
}

/** Training input checks; passes the matrix through when everything is usable. */
export const checkTraining = (
  pluginId: string,
  x: FeatureMatrix,
  y: Uint8Array,
  weights?: Float64Array
): Either.Either<FeatureMatrix, PluginError> =>
  Either.flatMap(checkMatrix(pluginId, x), (matrix) => {
    if (matrix.rows === 0) return fail(pluginId, "no training rows")
    if (matrix.names.length === 0) return fail(pluginId, "no features to train on")
    if (y.length !== matrix.rows) return fail(pluginId, `${y.length} labels for ${matrix.rows} rows`)
    let positives = 0
    for (let i = 0; i < y.length; i++) {
      const label = y[i]!
      if (label > 1) return fail(pluginId, `label ${label} at row ${i} is neither 0 (benign) nor 1 (mining)`)
      positives += label
    }
    if (positives === 0 || positives === y.length) {
      return fail(pluginId, `training labels hold one class only (${positives} mining of ${y.length} rows)`)
    }
    if (weights !== undefined) {
      if (weights.length !== matrix.rows) return fail(pluginId, `${weights.length} weights for ${matrix.rows} rows`)
      let sum = 0
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i]!
        if (!(w >= 0) || !Number.isFinite(w)) return fail(pluginId, `weight ${w} at row ${i} is not a finite non-negative number`)
        sum += w
      }
      if (!(sum > 0)) return fail(pluginId, "weights sum to zero")
    }
    return Either.right(matrix)
  })

/** The columns of `x` in `expected` order, or an error naming missing and extra features. */
export const alignFeatures = (
  pluginId: string,
  expected: ReadonlyArray<string>,
  x: FeatureMatrix
): Either.Either<ReadonlyArray<Float64Array>, PluginError> =>
  Either.flatMap(checkMatrix(pluginId, x), (matrix) => {
    const position = new Map(matrix.names.map((name, i) => [name, i] as const))
    const wanted = new Set(expected)
    const missing = expected.filter((name) => !position.has(name))
    const extra = matrix.names.filter((name) => !wanted.has(name))
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${list(missing)}` : "",
        extra.length > 0 ? `unexpected ${list(extra)}` : ""
      ].filter((part) => part !== "")
      return fail(pluginId, `feature set differs from the one the model was fitted on: ${parts.join("; ")}`)
    }
    return Either.right(expected.map((name) => matrix.columns[position.get(name)!]!))
  })
