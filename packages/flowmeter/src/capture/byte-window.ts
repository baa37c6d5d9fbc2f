/**
 * Sequential byte access to a capture: a reusable window Buffer filled in large chunks from a
 * plain file (positioned reads) or a gzip stream (decompressed on the fly).
 *
 * Holds: `ByteSource` (plain and gzip), `ByteWindow` (bytes [start, end) of the window are file
 * offsets [base + start, base + end); `fill` compacts and reads the next chunk) and `readAt`
 * (a few bytes at given offsets, for replaying app-hint payloads on resume).
 * Does not hold: any format knowledge.
 */
import { promises as fs } from "node:fs"
import { createReadStream } from "node:fs"
import { createGunzip } from "node:zlib"

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
  const file = createReadStream(path, { highWaterMark: chunkBytes })
  const gunzip = file.pipe(createGunzip({ chunkSize: 1 << 20 }))
  file.on("error", (error) => gunzip.destroy(error))
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
      file.destroy()
    }
  }
}

export class ByteWindow {
  readonly buf: Buffer
  /** file offset of buf[0] */
  base: number
  start = 0
  end = 0
  eof = false

  constructor(
    readonly chunkBytes: number,
    base: number
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes + MAX_BLOCK + 64)
    this.base = base
  }

  get available(): number {
    return this.end - this.start
  }

  /** file offset of the parse position */
  get offset(): number {
    return this.base + this.start
  }

  /** Keep [start, end), move it to the front and read more; sets `eof` when the source is done. */
  async fill(source: ByteSource): Promise<void> {
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end)
      this.base += this.start
      this.end -= this.start
      this.start = 0
    }
    const room = this.buf.length - this.end
    let want = Math.min(room, this.chunkBytes)
    while (want > 0) {
      const n = await source.read(this.buf, this.end, want)
      if (n === 0) {
        this.eof = true
        return
      }
      this.end += n
      want -= n
      // a positioned read that returns less than asked may just be a short read; one chunk is enough
      if (!source.compressed) return
    }
  }
}
