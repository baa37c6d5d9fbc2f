/**
 * Sequential byte access to a capture: a reusable window Buffer filled in large chunks from a
 * plain file (positioned reads) or a gzip stream (decompressed on the fly).
 *
 * Holds: `ByteSource` (plain and gzip) and `ByteWindow` (bytes [start, end) of the window are
 * file offsets [base + start, base + end); `fill` brings the next chunk, read ahead from a plain
 * file).
 * Does not hold: any format knowledge.
 */
import { promises as fs } from "node:fs"
import { openGunzip } from "../gzip-stream.js"

/** The longest record or block a parser will hold in the window at once. */
export const MAX_BLOCK = 1 << 20

export interface ByteSource {
  /** read up to `length` bytes into `buf` at `pos`; 0 means the end */
  read(buf: Buffer, pos: number, length: number): Promise<number>
  close(): Promise<void>
  readonly compressed: boolean
}

/** Positioned reads from a plain file, starting at `offset`. */
export const openPlainSource = async (path: string, offset: number): Promise<ByteSource> => {
  const handle = await fs.open(path, "r")
  let position = offset
  return {
    compressed: false,
    read: async (buf, pos, length) => {
      const { bytesRead } = await handle.read(buf, pos, length, position)
      position += bytesRead
      return bytesRead
    },
    close: () => handle.close()
  }
}

/** The decompressed bytes of a gzip file (members concatenated), skipping the first `offset`. */
export const openGzipSource = async (path: string, offset: number, chunkBytes: number): Promise<ByteSource> => {
  const gunzip = openGunzip(path, chunkBytes).stream
  const iterator = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  let pending: Buffer = Buffer.alloc(0)
  let done = false
  let toSkip = offset
  const next = async (): Promise<boolean> => {
    if (done) return false
    const step = await iterator.next()
    if (step.done === true) {
      done = true
      return false
    }
    pending = step.value
    return true
  }
  return {
    compressed: true,
    read: async (buf, pos, length) => {
      while (pending.length === 0 || toSkip > 0) {
        if (pending.length === 0 && !(await next())) return 0
        if (toSkip > 0) {
          const drop = Math.min(toSkip, pending.length)
          toSkip -= drop
          pending = pending.subarray(drop)
        }
      }
      const n = Math.min(length, pending.length)
      pending.copy(buf, pos, 0, n)
      pending = pending.subarray(n)
      return n
    },
    close: async () => {
      gunzip.destroy()
    }
  }
}

/**
 * Room before each chunk for the bytes kept from the last one: a parser asks for more only
 * while it holds part of one record or block, and none is longer than MAX_BLOCK.
 */
const HEAD = MAX_BLOCK + 64

/** A read issued ahead: how many bytes it gave, or what it failed with. */
interface Ahead {
  readonly n: number
  readonly error?: unknown
}

/**
 * The bytes being parsed. Each chunk lands at offset HEAD of a buffer, with the bytes kept from
 * the previous chunk copied just before it, so a record cut by a chunk boundary is contiguous.
 * From a plain file the next chunk is read ahead into a second buffer while this one is
 * parsed (the read runs on libuv's pool; before, the meter waited for every 4 MB read), and
 * `fill` swaps the two; a gzip stream is read in place.
 */
export class ByteWindow {
  /** the buffer parsed now (swapped by `fill`: read it again after each fill) */
  buf: Buffer
  /** file offset of buf[0] (negative before the first chunk) */
  base: number
  start: number
  end: number
  eof = false
  /** plain files: the buffer the next chunk is being read into, and that read */
  private spare: Buffer | undefined
  private ahead: Promise<Ahead> | undefined

  constructor(
    readonly chunkBytes: number,
    base: number
  ) {
    this.buf = Buffer.allocUnsafe(HEAD + chunkBytes)
    this.base = base - HEAD
    this.start = HEAD
    this.end = HEAD
  }

  /**
   * Start over at `base` of another source, keeping the buffers: the next piece of a capture cut
   * into several files. Settle a read issued ahead first.
   */
  reset(base: number): void {
    this.base = base - HEAD
    this.start = HEAD
    this.end = HEAD
    this.eof = false
  }

  get available(): number {
    return this.end - this.start
  }

  /** file offset of the parse position */
  get offset(): number {
    return this.base + this.start
  }

  /** Keep [start, end) before the next chunk and make that the window; sets `eof` when the source is done. */
  async fill(source: ByteSource): Promise<void> {
    const kept = this.end - this.start
    if (kept > HEAD) throw new Error(`${kept} bytes held across a read, more than the ${HEAD} a record may take`)
    const from = this.buf
    let into = from
    let n = 0
    if (this.ahead !== undefined && this.spare !== undefined) {
      const got = await this.ahead
      this.ahead = undefined
      if (got.error !== undefined) throw got.error
      into = this.spare
      n = got.n
    }
    from.copy(into, HEAD - kept, this.start, this.end)
    this.base += this.start - (HEAD - kept)
    this.start = HEAD - kept
    this.end = HEAD
    if (into === from) {
      n = await this.readInPlace(source)
    } else {
      this.spare = from
      this.buf = into
      this.end = HEAD + n
    }
    if (n === 0) {
      this.eof = true
      return
    }
    if (!source.compressed) this.readAhead(source)
  }

  /** Wait for a read issued ahead (its bytes are not wanted): before the source is closed. */
  async settle(): Promise<void> {
    const ahead = this.ahead
    this.ahead = undefined
    if (ahead !== undefined) await ahead
  }

  private readAhead(source: ByteSource): void {
    const spare = (this.spare ??= Buffer.allocUnsafe(HEAD + this.chunkBytes))
    // settled at once, so a failed read is never an unhandled rejection; `fill` rethrows it
    this.ahead = source.read(spare, HEAD, this.chunkBytes).then(
      (n) => ({ n }),
      (error: unknown) => ({ n: 0, error })
    )
  }

  /**
   * One chunk into this buffer after HEAD: one read from a plain file, as many as it takes from
   * gzip. `end` moves with every read, so the bytes before a read that fails (a gzip stream cut
   * short) stay in the window.
   */
  private async readInPlace(source: ByteSource): Promise<number> {
    let n = 0
    while (n < this.chunkBytes) {
      const got = await source.read(this.buf, HEAD + n, this.chunkBytes - n)
      if (got === 0) break
      n += got
      this.end = HEAD + n
      // a positioned read that returns less than asked may just be a short read; one chunk is enough
      if (!source.compressed) break
    }
    return n
  }
}
