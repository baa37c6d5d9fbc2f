/**
 * Bytes for the Parquet writer: a growable little-endian byte sink, and the RLE / bit-packed
 * hybrid encoding that Parquet uses for definition and repetition levels and for dictionary
 * indices (parquet-format Encodings.md, "Run Length Encoding / Bit-Packing Hybrid").
 *
 * Holds: `ByteSink`, `bitWidthOf` and `writeHybrid`.
 * Does not hold: pages, columns or file metadata (see `parquet-chunks.ts`, `parquet-writer.ts`).
 * Typed arrays are written as their bytes: the host is taken to be little-endian, as every
 * platform Node runs on is.
 */

/** A byte buffer that grows by doubling; `bytes()` is a view of what was written. */
export class ByteSink {
  private buffer: Uint8Array
  private view: DataView
  length = 0

  constructor(capacity = 4096) {
    this.buffer = new Uint8Array(capacity)
    this.view = new DataView(this.buffer.buffer)
  }

  /** Room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < needed) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
    this.view = new DataView(grown.buffer)
  }

  /** Room for `extra` more bytes, written by the caller from `length` on (then it moves `length`). */
  room(extra: number): Uint8Array {
    this.reserve(extra)
    return this.buffer
  }

  u8(value: number): void {
    this.reserve(1)
    this.buffer[this.length++] = value
  }

  u32(value: number): void {
    this.reserve(4)
    this.view.setUint32(this.length, value, true)
    this.length += 4
  }

  /** Unsigned LEB128 (ULEB128) of a non-negative integer up to 2^53. */
  varint(value: number): void {
    this.reserve(8)
    let rest = value
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.buffer[this.length++] = rest
  }

  /** The little-endian value in `width` bytes (1 to 4). */
  uintLE(value: number, width: number): void {
    this.reserve(width)
    for (let byte = 0; byte < width; byte++) this.buffer[this.length++] = (value >>> (8 * byte)) & 0xff
  }

  /** A copy of `source`'s bytes. */
  append(source: Uint8Array): void {
    this.reserve(source.length)
    this.buffer.set(source, this.length)
    this.length += source.length
  }

  /** Overwrite 4 bytes at `at` (a length written before what it measures). */
  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value, true)
  }

  /** What was written, as a view (valid until the next write or `clear`). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  /** What was written, as a copy of its own. */
  copy(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }

  clear(): void {
    this.length = 0
  }
}

/** Bits needed for values up to `max` (at least 1). */
export const bitWidthOf = (max: number): number => {
  let width = 1
  while (width < 32 && max >= 2 ** width) width++
  return width
}

/** Values per bit-packed run at most (63 groups of 8: the run header stays one byte, as Arrow's writer keeps it). */
const PACKED_RUN_VALUES = 504

const writeRle = (sink: ByteSink, value: number, count: number, bitWidth: number): void => {
  sink.varint(count * 2)
  sink.uintLE(value, (bitWidth + 7) >> 3)
}

/** `count` values from `start` bit-packed, LSB first, padded with zeros to a multiple of 8. */
const writePacked = (sink: ByteSink, values: ArrayLike<number>, start: number, count: number, bitWidth: number): void => {
  for (let from = start, left = count; left > 0; ) {
    const take = Math.min(left, PACKED_RUN_VALUES)
    const groups = (take + 7) >> 3
    sink.varint(groups * 2 + 1)
    const out = sink.room(groups * bitWidth)
    let at = sink.length
    let acc = 0
    let bits = 0
    for (let index = 0; index < groups * 8; index++) {
      acc |= (index < take ? values[from + index]! : 0) << bits
      bits += bitWidth
      while (bits >= 8) {
        out[at++] = acc & 0xff
        acc >>>= 8
        bits -= 8
      }
    }
    sink.length = at
    from += take
    left -= take
  }
}

/**
 * `values[0, count)` (each below 2^bitWidth, bitWidth ≤ 16) in the hybrid encoding: a run of 8
 * or more equal values is one RLE run; the rest are bit-packed, in groups of 8. A bit-packed
 * run followed by an RLE run must hold a multiple of 8 values, so it takes its last few from
 * the head of that run. Only the last bit-packed run is padded; a reader knows the count.
 */
export const writeHybrid = (sink: ByteSink, values: ArrayLike<number>, count: number, bitWidth: number): void => {
  let literalStart = 0
  let index = 0
  while (index < count) {
    const value = values[index]!
    let end = index + 1
    while (end < count && values[end] === value) end++
    const pending = index - literalStart
    const borrow = (8 - (pending & 7)) & 7
    if (end - index - borrow >= 8) {
      if (pending + borrow > 0) writePacked(sink, values, literalStart, pending + borrow, bitWidth)
      writeRle(sink, value, end - index - borrow, bitWidth)
      literalStart = end
    }
    index = end
  }
  if (count > literalStart) writePacked(sink, values, literalStart, count - literalStart, bitWidth)
}
