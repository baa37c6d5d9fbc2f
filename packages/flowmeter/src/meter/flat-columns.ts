/**
 * Columns the row writer lays out flat as it writes rows, so that they become Arrow vectors
 * with no JS value per cell: address text as ASCII bytes, early-packet lists as items.
 *
 * Holds: `TextColumn` (text per row, or null: dotted-quad IPv4 written digit by digit, other
 * text char by char, UTF-8 encoded when it is not ASCII) and `ListColumn` (a run of items per
 * row, copied from a typed array range). Rows are appended in order; buffers grow by doubling;
 * `vector()` hands the buffers to an Arrow vector and starts new ones sized to what that batch
 * took (a column that is mostly null, like most app hints, keeps small buffers).
 * Does not hold: which columns are flat or what goes in them (see `flow-rows.ts`).
 */
import { columnBuffers, grownTypedArray, listVectorOfParts, utf8VectorOfParts } from "@hashhound/core"
import type { List, Utf8, Vector } from "apache-arrow"

/** Longest dotted quad: 255.255.255.255 */
const IPV4_MAX_CHARS = 15
/** Text bytes reserved per row to begin with (a dotted quad is 7 to 15) */
const TEXT_BYTES_PER_ROW = 16

const utf8 = new TextEncoder()

const int32s = (n: number): Int32Array => columnBuffers.int32(n)
const bytesOf = (n: number): Uint8Array => columnBuffers.uint8(n)
const presentFlags = (n: number): Uint8Array => columnBuffers.uint8(n).fill(1)

/** `old` grown by doubling (see grownTypedArray); `old`'s buffer goes back to the pool. */
const grown = <T extends Uint8Array | Int32Array | Float64Array>(old: T, need: number, used: number, make: (length: number) => T): T => {
  const next = grownTypedArray(old, need, used, make)
  columnBuffers.giveBack(old.buffer)
  return next
}

export class TextColumn {
  private offsets: Int32Array
  private bytes: Uint8Array
  /** 1 = present, 0 = null; made at the first null of a batch */
  private valid: Uint8Array | undefined
  private rows = 0
  private at = 0

  constructor(private capacity: number) {
    this.offsets = int32s(capacity + 1)
    this.bytes = bytesOf(capacity * TEXT_BYTES_PER_ROW)
  }

  private room(rowBytes: number): void {
    if (this.rows + 2 > this.offsets.length) this.offsets = grown(this.offsets, this.rows + 2, this.rows + 1, int32s)
    if (this.at + rowBytes > this.bytes.length) this.bytes = grown(this.bytes, this.at + rowBytes, this.at, bytesOf)
  }

  private decimal(value: number): void {
    const b = this.bytes
    if (value >= 100) b[this.at++] = 0x30 + Math.floor(value / 100)
    if (value >= 10) b[this.at++] = 0x30 + (Math.floor(value / 10) % 10)
    b[this.at++] = 0x30 + (value % 10)
  }

  /** Append the dotted quad of the big-endian word `w`. */
  ipv4(w: number): void {
    this.room(IPV4_MAX_CHARS)
    this.decimal(w >>> 24)
    this.bytes[this.at++] = 0x2e
    this.decimal((w >>> 16) & 255)
    this.bytes[this.at++] = 0x2e
    this.decimal((w >>> 8) & 255)
    this.bytes[this.at++] = 0x2e
    this.decimal(w & 255)
    this.offsets[++this.rows] = this.at
  }

  /** Append text, or a null cell. */
  text(value: string | null): void {
    if (value === null) {
      this.room(0)
      this.nullAt(this.rows)
      this.offsets[++this.rows] = this.at
      return
    }
    // a UTF-16 code unit takes at most 3 UTF-8 bytes; ASCII is copied byte by byte
    this.room(value.length * 3)
    const from = this.at
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i)
      if (code > 0x7f) {
        this.at = from + utf8.encodeInto(value, this.bytes.subarray(from)).written
        this.offsets[++this.rows] = this.at
        return
      }
      this.bytes[this.at++] = code
    }
    this.offsets[++this.rows] = this.at
  }

  private nullAt(row: number): void {
    if (this.valid === undefined) this.valid = presentFlags(Math.max(this.capacity, row + 1))
    else if (row >= this.valid.length) this.valid = grown(this.valid, row + 1, row, presentFlags)
    this.valid[row] = 0
  }

  /**
   * The rows so far as a utf8 vector; the column starts empty, with room for as many rows and
   * bytes as this batch took.
   */
  vector(): Vector<Utf8> {
    // rows after the last null may lie past the validity bytes made so far: they are present
    if (this.valid !== undefined && this.valid.length < this.rows) {
      this.valid = grown(this.valid, this.rows, this.valid.length, presentFlags)
    }
    const vector = utf8VectorOfParts(this.offsets, this.bytes, this.valid, this.rows)
    // an eighth more than this batch took, so a batch a little larger does not grow (copy) its buffer
    const bytes = Math.max(this.at + (this.at >> 3), 64)
    this.capacity = Math.max(this.capacity, this.rows)
    this.offsets = int32s(this.capacity + 1)
    this.bytes = bytesOf(bytes)
    this.valid = undefined
    this.rows = 0
    this.at = 0
    return vector
  }
}

export class ListColumn<T extends Int32Array | Float64Array> {
  private offsets: Int32Array
  private items: T
  private rows = 0
  private at = 0

  constructor(
    private readonly make: (length: number) => T,
    private capacity: number,
    itemsPerRow: number
  ) {
    this.offsets = int32s(capacity + 1)
    this.items = make(Math.max(1, capacity * itemsPerRow))
  }

  /** Append a row of `count` items: source[start .. start + count). */
  push(source: T, start: number, count: number): void {
    if (this.rows + 2 > this.offsets.length) this.offsets = grown(this.offsets, this.rows + 2, this.rows + 1, int32s)
    if (this.at + count > this.items.length) this.items = grown(this.items, this.at + count, this.at, this.make)
    const items = this.items
    for (let i = 0; i < count; i++) items[this.at + i] = source[start + i]!
    this.at += count
    this.offsets[++this.rows] = this.at
  }

  /**
   * The rows so far as a list vector; the column starts empty, with room for as many rows and
   * items as this batch took.
   */
  vector(): Vector<List> {
    const vector = listVectorOfParts(this.offsets, this.items, undefined, this.rows)
    const items = Math.max(1, this.at + (this.at >> 3))
    this.capacity = Math.max(this.capacity, this.rows)
    this.offsets = int32s(this.capacity + 1)
    this.items = this.make(items)
    this.rows = 0
    this.at = 0
    return vector
  }
}
