/**
 * A small binary codec for checkpoints: a growable writer and a bounds-checked reader of
 * little-endian numbers, strings and typed-array slices.
 *
 * Holds: `ByteWriter`, `ByteReader` and `CheckpointFormatError` (a reader that runs past the
 * end or meets a bad tag throws it; the caller turns it into "replay from the start").
 * Does not hold: what a checkpoint contains (see `meter-state.ts` and `../session.ts`).
 */
import { grownTypedArray } from "@hashhound/core"

export class CheckpointFormatError extends Error {}

export class ByteWriter {
  private buf = new Uint8Array(1 << 16)
  private view = new DataView(this.buf.buffer)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    this.buf = grownTypedArray(this.buf, this.length + n, this.length, (size) => new Uint8Array(size))
    this.view = new DataView(this.buf.buffer)
  }

  u8(v: number): void {
    this.room(1)
    this.buf[this.length++] = v
  }

  u32(v: number): void {
    this.room(4)
    this.view.setUint32(this.length, v, true)
    this.length += 4
  }

  i32(v: number): void {
    this.room(4)
    this.view.setInt32(this.length, v, true)
    this.length += 4
  }

  f64(v: number): void {
    this.room(8)
    this.view.setFloat64(this.length, v, true)
    this.length += 8
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length)
    this.room(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }

  str(s: string): void {
    this.bytes(Buffer.from(s, "utf8"))
  }

  optStr(s: string | null): void {
    if (s === null) this.u8(0)
    else {
      this.u8(1)
      this.str(s)
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}

export class ByteReader {
  private readonly view: DataView
  at = 0

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  private need(n: number): void {
    if (n < 0 || this.at + n > this.buf.length) throw new CheckpointFormatError("checkpoint ends early")
  }

  u8(): number {
    this.need(1)
    return this.buf[this.at++]!
  }

  u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.at, true)
    this.at += 4
    return v
  }

  i32(): number {
    this.need(4)
    const v = this.view.getInt32(this.at, true)
    this.at += 4
    return v
  }

  f64(): number {
    this.need(8)
    const v = this.view.getFloat64(this.at, true)
    this.at += 8
    return v
  }

  bytes(): Uint8Array {
    const n = this.u32()
    this.need(n)
    const out = this.buf.slice(this.at, this.at + n)
    this.at += n
    return out
  }

  str(): string {
    return Buffer.from(this.bytes()).toString("utf8")
  }

  optStr(): string | null {
    return this.u8() === 0 ? null : this.str()
  }

  get done(): boolean {
    return this.at === this.buf.length
  }
}
