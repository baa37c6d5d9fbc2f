/**
 * Flat columns of the row writer: dotted quads written digit by digit equal the text of
 * `ipv4Text` for every octet width, other text (nulls, non-ASCII) reads back as written, lists
 * equal their source ranges, all grow past their starting capacity, and `vector()` hands over
 * the rows and starts empty, sized to the batch before.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ipv4Text, ipv6Text } from "../src/meter/address.js"
import { ListColumn, TextColumn } from "../src/meter/flat-columns.js"

const strings = (vector: { length: number; get: (row: number) => unknown }): Array<unknown> =>
  Array.from({ length: vector.length }, (_, row) => vector.get(row))
const lists = (vector: { length: number; get: (row: number) => unknown }): Array<Array<number>> =>
  Array.from({ length: vector.length }, (_, row) => Array.from((vector.get(row) as { toArray: () => ArrayLike<number> }).toArray()))

describe("flat columns", () => {
  it("text: dotted quads of every octet width, IPv6 text, past the starting capacity", () => {
    const words = [0, 0xffffffff, 0x0a000001, 0xc0a86409, 0x01020304, 0x63640a00]
    const column = new TextColumn(2)
    for (const w of words) column.ipv4(w)
    const v6 = [0x20010db8, 0, 0, 1]
    column.text(ipv6Text(v6, 0))
    const vector = column.vector()
    expect(strings(vector)).toEqual([...words.map(ipv4Text), "2001:db8::1"])
    expect(strings(vector)).toContain("255.255.255.255")
    expect(vector.nullCount).toBe(0)
    column.ipv4(0x7f000001)
    expect(strings(column.vector())).toEqual(["127.0.0.1"])
    expect(column.vector().length).toBe(0)
  })

  it("text: nulls and non-ASCII text between ASCII rows, past the starting capacity", () => {
    const values = ["pool.example", null, "ünïcödé ✓ 𝄞", "", null, "a".repeat(300), "tls"]
    const column = new TextColumn(2)
    for (const value of values) column.text(value)
    const vector = column.vector()
    expect(strings(vector)).toEqual(values)
    expect(vector.nullCount).toBe(2)
    column.text("next")
    const next = column.vector()
    expect(strings(next)).toEqual(["next"])
    expect(next.nullCount).toBe(0)
  })

  it("text: any address word reads back as ipv4Text", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 200 }), (words) => {
        const column = new TextColumn(4)
        for (const w of words) column.ipv4(w)
        expect(strings(column.vector())).toEqual(words.map(ipv4Text))
      })
    )
  })

  it("lists: each row is its source range, empty rows included, past the starting capacity", () => {
    const source = new Int32Array([5, -1, 7, 9, 11, 13, 15])
    const column = new ListColumn((n) => new Int32Array(n), 1, 2)
    const ranges: Array<[number, number]> = [
      [0, 3],
      [2, 0],
      [1, 6],
      [6, 1]
    ]
    for (const [start, count] of ranges) column.push(source, start, count)
    expect(lists(column.vector())).toEqual(ranges.map(([start, count]) => Array.from(source.subarray(start, start + count))))
    const floats = new ListColumn((n) => new Float64Array(n), 2, 20)
    floats.push(new Float64Array([0.25, 1e300]), 0, 2)
    const vector = floats.vector()
    expect(lists(vector)).toEqual([[0.25, 1e300]])
    expect(floats.vector().length).toBe(0)
  })

  it("batches of any size in a row: each starts where the last one's size left the buffers, and grows past it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.option(fc.string({ maxLength: 40 }), { nil: null }), { maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        (batches) => {
          const text = new TextColumn(2)
          const list = new ListColumn((n) => new Float64Array(n), 2, 3)
          const source = Float64Array.from({ length: 64 }, (_, k) => k / 4)
          for (const batch of batches) {
            for (const value of batch) {
              text.text(value)
              list.push(source, (value?.length ?? 0) % 32, (value?.length ?? 0) % 9)
            }
            expect(strings(text.vector())).toEqual(batch)
            expect(lists(list.vector())).toEqual(batch.map((value) => Array.from(source.subarray((value?.length ?? 0) % 32, ((value?.length ?? 0) % 32) + ((value?.length ?? 0) % 9)))))
          }
        }
      ),
      { numRuns: 200 }
    )
  })
})
