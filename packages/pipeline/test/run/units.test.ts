/**
 * Pure pieces of the run: rank ROC-AUC, checkpoint headers, part names.
 */
import { describe, expect, it } from "vitest"
import { decodeCheckpoint, encodeCheckpoint, parsePartName, partName, rocAuc } from "../../src/run/index.js"

describe("rocAuc", () => {
  it("is the rank statistic with ties averaged", () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75)
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5)
    expect(rocAuc([1, 2, 3], [0, 0, 0])).toBeUndefined()
    expect(rocAuc([Number.NaN, 0.2], [1, 0])).toBe(0)
  })
})

describe("checkpoint files and part names", () => {
  it("keep the batch a checkpoint belongs to", () => {
    const file = encodeCheckpoint(7, new Uint8Array([1, 2, 3]))
    expect([...decodeCheckpoint(file, 7)!]).toEqual([1, 2, 3])
    expect(decodeCheckpoint(file, 8)).toBeUndefined()
    expect(decodeCheckpoint(new Uint8Array([1, 2]), 7)).toBeUndefined()
  })

  it("name parts by unit and batch", () => {
    expect(partName(3, 12)).toBe("part-00003-00012.parquet")
    expect(parsePartName("part-00003-00012.parquet")).toEqual({ unit: 3, batch: 12 })
    expect(parsePartName("batch-123456-00001.json")).toEqual({ unit: 123456, batch: 1 })
    expect(parsePartName("part-00003-00012.parquet.tmp")).toBeUndefined()
  })
})
