/**
 * The direct Arrow vector constructors give the same cells as Arrow's own builders: strings
 * (ASCII, multi-byte, empty, null), bools, number lists and int64 beyond 32 bits, negatives
 * included; and vectors over flat parts (offsets plus bytes or items in larger buffers) give
 * the cells of the same values built one by one.
 */
import { Bool, Field, Float64, Int32, List, Utf8, vectorFromArray } from "apache-arrow"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { boolVector, listVector, listVectorOfParts, numericVector, utf8Vector, utf8VectorOfParts } from "../src/arrow-vectors.js"

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
    const numbers = [0, 1, -1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 7, 1_764_000_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 42]
    const values = Float64Array.from(numbers)
    const valid = Uint8Array.from(numbers.map((_, i) => (i === 10 ? 0 : 1)))
    const vector = numericVector("int64", values, valid, numbers.length)
    expect(cells(vector)).toEqual([...numbers.slice(0, 10), null])
    expect(cells(numericVector("int32", Float64Array.from([5, -3]), Uint8Array.from([1, 0]), 2))).toEqual([5, null])
    expect(cells(numericVector("float64", Float64Array.from([0.25, 9]), Uint8Array.from([1, 1]), 1))).toEqual([0.25])
  })

  it("flat parts: utf8 and lists over larger buffers read as the values they lay out, nulls where valid is 0", () => {
    const text = ["10.0.0.1", "", "ünï", "tail"]
    const encoded = text.map((value) => new TextEncoder().encode(value))
    const offsets = new Int32Array(16)
    const bytes = new Uint8Array(64)
    encoded.forEach((item, row) => {
      bytes.set(item, offsets[row]!)
      offsets[row + 1] = offsets[row]! + item.length
    })
    const valid = new Uint8Array([1, 1, 0, 1])
    const strings = utf8VectorOfParts(offsets, bytes, valid, 4)
    expect(strings.type).toEqual(new Utf8())
    expect(cells(strings)).toEqual(["10.0.0.1", "", null, "tail"])
    expect(cells(utf8VectorOfParts(offsets, bytes, undefined, 2))).toEqual(["10.0.0.1", ""])

    const lists = [[1, 2, 3], [], [7], [-4, 5]]
    const listOffsets = new Int32Array(10)
    const items = new Int32Array(32)
    lists.forEach((list, row) => {
      items.set(list, listOffsets[row]!)
      listOffsets[row + 1] = listOffsets[row]! + list.length
    })
    const flat = listVectorOfParts(listOffsets, items, undefined, 4)
    expect(flat.type).toEqual(listVector(lists, "int32").type)
    expect(cells(flat)).toEqual(cells(listVector(lists, "int32")))
    const floats = listVectorOfParts(new Int32Array([0, 2, 2]), new Float64Array([0.5, 1.5, 9]), new Uint8Array([1, 0]), 2)
    expect(cells(floats)).toEqual([[0.5, 1.5], null])
  })
})
