/**
 * What a TCP direction sends: chunks of a byte stream, each able to write any slice of itself
 * into a frame, so segments are filled in place without copies or per-packet allocation.
 *
 * Holds: literal bytes (protocol messages), filler (bulk bodies, from a fixed random table),
 * TLS record streams (5-byte headers around opaque bodies, exact record sizes), concatenation,
 * and the FIN marker. A chunk may carry `onSent`, called when its last segment is captured.
 * Does not hold: segmentation or timing (see `tcp.ts`).
 */
import { Rng } from "./prng.js"

const FILLER_SIZE = 1 << 16
/** 128 KiB of fixed random bytes; filler reads any 64 KiB window of it. */
const FILLER = (() => {
  const table = Buffer.alloc(FILLER_SIZE * 2)
  new Rng(0x5eed).fill(table)
  return table
})()

export abstract class Chunk {
  abstract readonly length: number
  /** called with the capture time (µs) of the chunk's last segment */
  onSent: ((timeUs: number) => void) | undefined = undefined
  /** write bytes [offset, offset+length) of this chunk into `dst` at `at` */
  abstract fill(dst: Buffer, at: number, offset: number, length: number): void
}

export class LiteralChunk extends Chunk {
  readonly length: number
  constructor(readonly bytes: Buffer) {
    super()
    this.length = bytes.length
  }
  fill(dst: Buffer, at: number, offset: number, length: number): void {
    this.bytes.copy(dst, at, offset, offset + length)
  }
}

/** Copy from the filler table starting at a salted position. */
export const fillFiller = (dst: Buffer, at: number, position: number, length: number): void => {
  let done = 0
  while (done < length) {
    const start = (position + done) & (FILLER_SIZE - 1)
    const n = Math.min(length - done, FILLER_SIZE)
    FILLER.copy(dst, at + done, start, start + n)
    done += n
  }
}

export class FillerChunk extends Chunk {
  constructor(
    readonly length: number,
    private readonly salt: number
  ) {
    super()
  }
  fill(dst: Buffer, at: number, offset: number, length: number): void {
    fillFiller(dst, at, this.salt + offset, length)
  }
}

/**
 * A run of TLS records carrying `plainLength` bytes: records of at most `maxPlain` bytes, each
 * `overhead` bytes longer on the wire (nonce, tag, inner type) plus the 5-byte header.
 */
export class TlsRecordsChunk extends Chunk {
  readonly length: number
  private readonly fullRecord: number
  private readonly fullCount: number
  private readonly lastBody: number

  constructor(
    plainLength: number,
    private readonly overhead: number,
    private readonly contentType = 23,
    private readonly version = 0x0303,
    private readonly maxPlain = 16_384,
    private readonly salt = 0
  ) {
    super()
    const plain = Math.max(1, plainLength)
    this.fullCount = Math.floor(plain / maxPlain)
    const rest = plain - this.fullCount * maxPlain
    this.fullRecord = 5 + maxPlain + overhead
    this.lastBody = rest > 0 ? rest + overhead : 0
    this.length = this.fullCount * this.fullRecord + (rest > 0 ? 5 + this.lastBody : 0)
  }

  /** number of records */
  get records(): number {
    return this.fullCount + (this.lastBody > 0 ? 1 : 0)
  }

  private headerByte(index: number, body: number): number {
    switch (index) {
      case 0:
        return this.contentType
      case 1:
        return this.version >>> 8
      case 2:
        return this.version & 0xff
      case 3:
        return body >>> 8
      default:
        return body & 0xff
    }
  }

  fill(dst: Buffer, at: number, offset: number, length: number): void {
    let pos = offset
    let out = at
    const end = offset + length
    while (pos < end) {
      const index = Math.floor(pos / this.fullRecord)
      const recordStart = index * this.fullRecord
      const body = index < this.fullCount ? this.fullRecord - 5 : this.lastBody
      const inRecord = pos - recordStart
      if (inRecord < 5) {
        const n = Math.min(5 - inRecord, end - pos)
        for (let k = 0; k < n; k++) dst[out + k] = this.headerByte(inRecord + k, body)
        pos += n
        out += n
      } else {
        const n = Math.min(5 + body - inRecord, end - pos)
        fillFiller(dst, out, this.salt + pos, n)
        pos += n
        out += n
      }
    }
  }
}

export class ConcatChunk extends Chunk {
  readonly length: number
  constructor(private readonly parts: ReadonlyArray<Chunk>) {
    super()
    this.length = parts.reduce((sum, part) => sum + part.length, 0)
  }
  fill(dst: Buffer, at: number, offset: number, length: number): void {
    let skip = offset
    let out = at
    let left = length
    for (const part of this.parts) {
      if (left <= 0) break
      if (skip >= part.length) {
        skip -= part.length
        continue
      }
      const n = Math.min(part.length - skip, left)
      part.fill(dst, out, skip, n)
      out += n
      left -= n
      skip = 0
    }
  }
}

/** Queued after the data: the sender closes its direction with FIN. */
export class FinMarker extends Chunk {
  readonly length = 0
  fill(): void {}
}

export const literal = (text: string | Buffer): LiteralChunk =>
  new LiteralChunk(typeof text === "string" ? Buffer.from(text, "latin1") : text)
