/**
 * The capture window: chunks read ahead from a plain file (and in place from gzip) give the
 * file's bytes at the offsets the window claims, with the bytes a parser keeps carried across
 * every boundary; a read that fails ahead of time fails the next `fill`, not the process.
 */
import { it } from "@effect/vitest"
import fc from "fast-check"
import { randomBytes } from "node:crypto"
import { gzipSync } from "node:zlib"
import { describe, expect } from "vitest"
import { ByteWindow, MAX_BLOCK, openGzipSource, openPlainSource, type ByteSource } from "../src/capture/byte-window.js"
import { tempFile } from "./helpers/temp-files.js"

const CHUNK = 64 * 1024

/** Walk the whole source, keeping `keep(step)` bytes (at most what is there) before each fill; checks every window. */
const walk = async (source: ByteSource, file: Buffer, keep: (step: number) => number): Promise<number> => {
  const w = new ByteWindow(CHUNK, 0)
  let consumed = 0
  for (let step = 0; step < 10_000; step++) {
    await w.fill(source)
    expect(w.offset).toBe(consumed)
    expect(w.buf.subarray(w.start, w.end).equals(file.subarray(w.offset, w.offset + w.available))).toBe(true)
    if (w.eof) {
      expect(w.offset + w.available).toBe(file.length)
      await w.settle()
      await source.close()
      return step
    }
    const kept = Math.min(w.available, keep(step))
    w.start = w.end - kept
    consumed = w.offset
  }
  throw new Error("the window never reached the end")
}

describe("ByteWindow", () => {
  it("plain file read ahead: every window holds the file's bytes at its offsets, kept bytes included", async () => {
    const file = randomBytes(20 * CHUNK + 12_345)
    const path = tempFile(file, "bytes.bin")
    const keeps = [0, 1, 16, CHUNK - 1, MAX_BLOCK]
    const steps = await walk(await openPlainSource(path, 0), file, (step) => keeps[step % keeps.length]!)
    expect(steps).toBeGreaterThan(20)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 * CHUNK }), { minLength: 1, maxLength: 40 }), async (plan) => {
        await walk(await openPlainSource(path, 0), file, (step) => plan[step % plan.length]!)
      }),
      { numRuns: 25 }
    )
  })

  it("a plain file opened at an offset starts there", async () => {
    const file = randomBytes(3 * CHUNK)
    const path = tempFile(file, "offset.bin")
    const w = new ByteWindow(CHUNK, 1000)
    const source = await openPlainSource(path, 1000)
    await w.fill(source)
    expect(w.offset).toBe(1000)
    expect(w.buf.subarray(w.start, w.end).equals(file.subarray(1000, 1000 + CHUNK))).toBe(true)
    await w.settle()
    await source.close()
  })

  it("gzip is read in place, chunk by chunk, with the same guarantees", async () => {
    const file = randomBytes(5 * CHUNK + 77)
    const path = tempFile(gzipSync(file), "bytes.bin.gz")
    await walk(await openGzipSource(path, 0, CHUNK), file, (step) => (step % 2 === 0 ? 0 : 100))
  })

  it("a read that fails ahead of time fails the next fill, with its own error", async () => {
    let reads = 0
    const failing: ByteSource = {
      compressed: false,
      read: async (buf, pos, length) => {
        reads++
        if (reads === 2) throw new Error("disk gone")
        buf.fill(7, pos, pos + length)
        return length
      },
      close: async () => undefined
    }
    const w = new ByteWindow(CHUNK, 0)
    await w.fill(failing)
    // the failed read ahead has settled by now; nothing is left unhandled
    await new Promise((resolve) => setTimeout(resolve, 10))
    await expect(w.fill(failing)).rejects.toThrow("disk gone")
  })

  it("refuses to carry more than a record may take", async () => {
    const file = randomBytes(2 * CHUNK)
    const source = await openPlainSource(tempFile(file, "big.bin"), 0)
    const w = new ByteWindow(CHUNK, 0)
    await w.fill(source)
    w.start = w.end - MAX_BLOCK - 65
    await expect(w.fill(source)).rejects.toThrow("more than")
    await w.settle()
    await source.close()
  })
})
