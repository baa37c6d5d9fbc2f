/**
 * The direct Arrow vector constructors give the same cells as Arrow's own builders: strings
 * (ASCII, multi-byte, empty, null), bools, number lists and int64 beyond 32 bits, negatives
 * included.
 */
import { Bool, Field, Float64, Int32, List, Utf8, vectorFromArray } from "apache-arrow"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { boolVector, listVector, numericVector, utf8Vector } from "../src/arrow-vectors.js"

const cells = (vector: { length: number; get: (row: number) => unknown }): Array<unknown> =>
  Array.from({ length: vector.length }, (_, row) => {
    const value = vector.get(row)
    if (value !== null && typeof value === "object" && "toArray" in value) return Array.from((value as { toArray: () => ArrayLike<number> }).toArray())
    return typeof value === "bigint" ? Number(value) : value
  })

describe("arrow vectors built directly", () => {
  it("utf8: the same strings as Arrow's builder, nulls kept, rows past length ignored", () => {
    const values = ["pool.example", "", null, "ünïcödé ✓ 𝄞", "a".repeat(300), undefined, "tail"]
    const vector = utf8Vector(values, 6)
    expect(vector.nullCount).toBe(2)
    expect(cells(vector)).toEqual(cells(vectorFromArray(values.slice(0, 6).map((v) => v ?? null), new Utf8())))
  })

  it("utf8 over random strings equals Arrow's builder", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: "grapheme" }), { nil: null }), { maxLength: 40 }), (values) => {
        expect(cells(utf8Vector(values))).toEqual(cells(vectorFromArray(values, new Utf8())))
      }),
      { numRuns: 300 }
    )
  })

  it("bool with nulls", () => {
    const values = [true, false, null, true, undefined, false, true, true, false]
    expect(cells(boolVector(values))).toEqual(cells(vectorFromArray(values.map((v) => v ?? null), new Bool())))
  })

  it("lists of int32 and float64, empty and null lists", () => {
    const ints = [[1, -2, 3], [], null, [2147483647]]
    const floats = [[0.5, Number.NaN], null, [], [1e300]]
    expect(cells(listVector(ints, "int32"))).toEqual(cells(vectorFromArray(ints, new List(new Field("item", new Int32(), true)))))
    const got = cells(listVector(floats, "float64"))
    expect(got).toEqual(cells(vectorFromArray(floats, new List(new Field("item", new Float64(), true)))))
    expect(listVector(floats, "float64").nullCount).toBe(1)
  })

  it("int64 exact up to 2^53, negatives and nulls, no BigInt per row", () => {
    const numbers = [0, 1, -1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 7, 1_764_000_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 42]
    const values = Float64Array.from(numbers)
    const valid = Uint8Array.from(numbers.map((_, i) => (i === 9 ? 0 : 1)))
    const vector = numericVector("int64", values, valid, numbers.length)
    expect(cells(vector)).toEqual([...numbers.slice(0, 9), null])
    expect(cells(numericVector("int32", Float64Array.from([5, -3]), Uint8Array.from([1, 0]), 2))).toEqual([5, null])
    expect(cells(numericVector("float64", Float64Array.from([0.25, 9]), Uint8Array.from([1, 1]), 1))).toEqual([0.25])
  })
})
