/** Growing a typed array: the used prefix kept, room for what is needed, sizes by doubling. */
import { describe, expect, it } from "vitest"
import { grownTypedArray } from "../src/typed-growth.js"

describe("grownTypedArray", () => {
  it("keeps the used prefix, doubles until the need fits, and makes the caller's type", () => {
    const old = new Int32Array([7, -8, 9, 10])
    const next = grownTypedArray(old, 13, 3, (n) => new Int32Array(n))
    expect(next).toBeInstanceOf(Int32Array)
    expect(next.length).toBe(16)
    expect(Array.from(next.subarray(0, 4))).toEqual([7, -8, 9, 0])
    expect(grownTypedArray(new Float64Array(0), 3, 0, (n) => new Float64Array(n)).length).toBe(4)
    expect(grownTypedArray(new Uint8Array([1, 2]), 3, 2, (n) => new Uint8Array(n).fill(9))).toEqual(new Uint8Array([1, 2, 9, 9]))
  })
})
