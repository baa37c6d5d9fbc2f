/**
 * The shared training-input and feature-set checks: every refusal names the plugin and the
 * problem; usable input passes through unchanged.
 */
import { describe, expect, it } from "@effect/vitest"
import type { FeatureMatrix } from "@hashhound/core"
import { Either } from "effect"
import { alignFeatures, checkMatrix, checkTraining } from "../src/inputs.js"

const matrix = (names: ReadonlyArray<string>, rows: number): FeatureMatrix => ({
  names,
  rows,
  columns: names.map((_, f) => Float64Array.from({ length: rows }, (_, r) => f * 10 + r))
})

const reason = <A>(result: Either.Either<A, { readonly pluginId: string; readonly reason: string; readonly stage: string }>): string => {
  if (Either.isRight(result)) throw new Error("expected a refusal")
  expect(result.left.pluginId).toBe("model.test")
  expect(result.left.stage).toBe("processing")
  return result.left.reason
}

describe("checkMatrix", () => {
  it("refuses a name/column count mismatch, short columns and duplicate names", () => {
    expect(reason(checkMatrix("model.test", { names: ["a", "b"], rows: 2, columns: [new Float64Array(2)] }))).toBe(
      "feature matrix has 2 names but 1 columns"
    )
    expect(reason(checkMatrix("model.test", { names: ["a", "b"], rows: 3, columns: [new Float64Array(3), new Float64Array(2)] }))).toBe(
      'feature "b" has 2 values for 3 rows'
    )
    expect(reason(checkMatrix("model.test", matrix(["a", "b", "a"], 2)))).toBe('feature matrix names features twice: "a"')
  })
})

describe("checkTraining", () => {
  const x = matrix(["a", "b"], 4)
  const y = Uint8Array.from([0, 1, 0, 1])

  it("passes usable input through", () => {
    expect(Either.getOrThrow(checkTraining("model.test", x, y, Float64Array.from([1, 2, 0, 1])))).toBe(x)
  })

  it("refuses empty input, label problems and bad weights, saying which", () => {
    expect(reason(checkTraining("model.test", matrix(["a"], 0), new Uint8Array(0)))).toBe("no training rows")
    expect(reason(checkTraining("model.test", matrix([], 3), new Uint8Array(3)))).toBe("no features to train on")
    expect(reason(checkTraining("model.test", x, Uint8Array.from([0, 1, 0])))).toBe("3 labels for 4 rows")
    expect(reason(checkTraining("model.test", x, Uint8Array.from([0, 1, 2, 1])))).toBe("label 2 at row 2 is neither 0 (benign) nor 1 (mining)")
    expect(reason(checkTraining("model.test", x, Uint8Array.from([1, 1, 1, 1])))).toBe("training labels hold one class only (4 mining of 4 rows)")
    expect(reason(checkTraining("model.test", x, y, Float64Array.from([1, 1])))).toBe("2 weights for 4 rows")
    expect(reason(checkTraining("model.test", x, y, Float64Array.from([1, -1, 1, 1])))).toBe("weight -1 at row 1 is not a finite non-negative number")
    expect(reason(checkTraining("model.test", x, y, Float64Array.from([1, Number.NaN, 1, 1])))).toBe("weight NaN at row 1 is not a finite non-negative number")
    expect(reason(checkTraining("model.test", x, y, new Float64Array(4)))).toBe("weights sum to zero")
  })
})

describe("alignFeatures", () => {
  it("returns the columns in the fitted order, whatever order they come in", () => {
    const x = matrix(["b", "a"], 2)
    const columns = Either.getOrThrow(alignFeatures("model.test", ["a", "b"], x))
    expect(columns[0]).toBe(x.columns[1])
    expect(columns[1]).toBe(x.columns[0])
  })

  it("names missing and unexpected features", () => {
    expect(reason(alignFeatures("model.test", ["a", "b", "c"], matrix(["a", "d"], 2)))).toBe(
      'feature set differs from the one the model was fitted on: missing "b", "c"; unexpected "d"'
    )
  })
})
