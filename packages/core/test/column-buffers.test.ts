/**
 * The column buffer pool: arrays of the length asked for, zeroed even when a buffer comes back
 * dirty; a recycled batch's buffers (values, offsets, bitmaps, list items) are handed out again;
 * buffers the pool did not lend, buffers given back twice, buffers moved away and buffers
 * beyond the spare limit are not kept.
 */
import { Table } from "apache-arrow"
import { describe, expect, it } from "vitest"
import { listVector, numericVector, utf8Vector } from "../src/arrow-vectors.js"
import { ColumnBuffers, columnBuffers } from "../src/column-buffers.js"

describe("ColumnBuffers", () => {
  it("gives arrays of exactly the length asked for, zeroed when a dirty buffer is reused", () => {
    const pool = new ColumnBuffers(1 << 20)
    const first = pool.float64(1000)
    expect(first.length).toBe(1000)
    first.fill(7.5)
    pool.giveBack(first.buffer)
    expect(pool.held).toBe(8192)
    const again = pool.float64(900)
    expect(again.buffer).toBe(first.buffer)
    expect(again.length).toBe(900)
    expect(again.every((value) => value === 0)).toBe(true)
    expect(pool.held).toBe(0)
    const ints = pool.int32(3)
    const bytes = pool.uint8(5)
    const wide = pool.bigInt64(2)
    expect([ints.length, bytes.length, wide.length]).toEqual([3, 5, 2])
    expect([ints.buffer.byteLength, bytes.buffer.byteLength, wide.buffer.byteLength]).toEqual([64, 64, 64])
  })

  it("takes back every buffer of a recycled batch, nested ones included, and lends them again", () => {
    const before = columnBuffers.held
    const valid = new Uint8Array([1, 0, 1, 1])
    const batch = new Table({
      n: numericVector("float64", new Float64Array([1, 2, 3, 4]), valid, 4),
      i: numericVector("int64", new Float64Array([5, 6, 7, 2 ** 40]), valid, 4),
      s: utf8Vector(["a", null, "ç", "d"]),
      l: listVector([[1, 2], null, [], [3]], "int32")
    })
    const buffers = new Set<ArrayBufferLike>()
    const collect = (data: { values?: ArrayBufferView; valueOffsets?: ArrayBufferView; nullBitmap?: ArrayBufferView; children: ReadonlyArray<unknown> }): void => {
      // Arrow fills absent parts with empty arrays of its own: only buffers with bytes count
      for (const part of [data.values, data.valueOffsets, data.nullBitmap]) if (part !== undefined && part !== null && part.buffer.byteLength > 0) buffers.add(part.buffer)
      for (const child of data.children) collect(child as Parameters<typeof collect>[0])
    }
    for (const data of batch.data) collect(data as unknown as Parameters<typeof collect>[0])
    // float64, int64 and their two bitmaps; utf8 offsets, bytes, bitmap; list offsets, bitmap, items
    expect(buffers.size).toBe(10)
    columnBuffers.recycle(batch)
    expect(columnBuffers.held - before).toBe(10 * 64)
    columnBuffers.recycle(batch)
    expect(columnBuffers.held - before).toBe(10 * 64)
    const lentAgain = Array.from({ length: 10 }, () => columnBuffers.uint8(1).buffer)
    expect(new Set(lentAgain)).toEqual(buffers)
    expect(columnBuffers.held).toBe(before)
  })

  it("keeps no buffer it did not lend, none moved to another thread, none beyond its limit", () => {
    const pool = new ColumnBuffers(128)
    pool.giveBack(new ArrayBuffer(64))
    expect(pool.held).toBe(0)
    const moved = pool.uint8(10)
    structuredClone(moved.buffer, { transfer: [moved.buffer] })
    pool.giveBack(moved.buffer)
    expect(pool.held).toBe(0)
    const [a, b, c] = [pool.uint8(64), pool.uint8(64), pool.uint8(64)]
    for (const array of [a, b, c]) pool.giveBack(array.buffer)
    expect(pool.held).toBe(128)
    const taken = [pool.uint8(64), pool.uint8(64), pool.uint8(64)].map((array) => array.buffer)
    expect(taken.filter((buffer) => buffer === a.buffer || buffer === b.buffer)).toHaveLength(2)
    expect(taken).not.toContain(c.buffer)
  })
})
