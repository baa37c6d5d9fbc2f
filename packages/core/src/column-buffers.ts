/**
 * Column buffers lent to batches, and given back by the consumer that is done with a batch.
 *
 * Holds: `ColumnBuffers`, a pool of ArrayBuffers in power-of-two sizes. `float64`, `int32`,
 * `uint8` and `bigInt64` give zeroed typed arrays of exactly the length asked for over a pooled
 * buffer; `recycle(batch)` takes back every buffer this pool lent that lies under the batch's
 * columns (any depth: list items, offsets, validity bitmaps). `columnBuffers` is this thread's
 * pool, which the batch builders draw from.
 * Why: a stream of batches makes the same column buffers again and again. Unrecycled, they
 * live until a major GC, which V8 starts only after tens of MB of them have piled up; that
 * pile was the largest part of `hashhound flows`' memory on a long capture.
 * Does not hold: knowing when a batch is done with. Only the holder of a batch's last
 * reference may recycle it (the flows export does, once the batch is written): a recycled
 * buffer is handed out again and overwritten. A batch that is never recycled costs nothing
 * more than before: its buffers are collected with it. Buffers that were not lent by this
 * pool (made elsewhere, moved from a worker) are left alone, and recycling twice is harmless.
 */
import type { Data, Table } from "apache-arrow"

/** The smallest buffer the pool makes: tiny columns do not get a class each. */
const MIN_BYTES = 64

const sizeClass = (bytes: number): number => {
  let size = MIN_BYTES
  while (size < bytes) size *= 2
  return size
}

export class ColumnBuffers {
  private readonly spare = new Map<number, Array<ArrayBuffer>>()
  private readonly lent = new WeakSet<ArrayBuffer>()
  private spareBytes = 0

  /** `maxSpareBytes`: buffers given back beyond this are left to the GC. */
  constructor(readonly maxSpareBytes: number) {}

  /** Bytes held for reuse now. */
  get held(): number {
    return this.spareBytes
  }

  /** A buffer of at least `bytes` bytes whose first `bytes` are zero. */
  private take(bytes: number): ArrayBuffer {
    const size = sizeClass(bytes)
    const buffer = this.spare.get(size)?.pop()
    if (buffer === undefined) {
      const made = new ArrayBuffer(size)
      this.lent.add(made)
      return made
    }
    this.spareBytes -= size
    new Uint8Array(buffer, 0, bytes).fill(0)
    this.lent.add(buffer)
    return buffer
  }

  float64(length: number): Float64Array<ArrayBuffer> {
    return new Float64Array(this.take(length * 8), 0, length)
  }

  int32(length: number): Int32Array<ArrayBuffer> {
    return new Int32Array(this.take(length * 4), 0, length)
  }

  uint8(length: number): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.take(length), 0, length)
  }

  bigInt64(length: number): BigInt64Array<ArrayBuffer> {
    return new BigInt64Array(this.take(length * 8), 0, length)
  }

  /** Take back one buffer, when this pool lent it and it is still lent. */
  giveBack(buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || !this.lent.has(buffer)) return
    this.lent.delete(buffer)
    const size = buffer.byteLength
    // a buffer moved to another thread is detached (length 0) and is not reused
    if (size === 0 || this.spareBytes + size > this.maxSpareBytes) return
    const list = this.spare.get(size)
    if (list === undefined) this.spare.set(size, [buffer])
    else list.push(buffer)
    this.spareBytes += size
  }

  /** Take back every buffer of the batch's columns that this pool lent. */
  recycle(batch: Table): void {
    for (const data of batch.data) this.recycleData(data)
  }

  private recycleData(data: Data): void {
    const parts: ReadonlyArray<ArrayBufferView | null | undefined> = [data.values, data.valueOffsets, data.nullBitmap, data.typeIds]
    for (const part of parts) if (part !== null && part !== undefined) this.giveBack(part.buffer)
    for (const child of data.children) this.recycleData(child)
  }
}

/** This thread's pool: up to 32 MiB of spare buffers, a few batches' worth. */
export const columnBuffers = new ColumnBuffers(32 << 20)
