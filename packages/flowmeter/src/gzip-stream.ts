/**
 * Reading gzip files: a gunzip stream fed by the file, and what a break in it means. What came
 * out before a break is good data; the break itself is a finding, not a failed run.
 *
 * Holds: `openGunzip` (the file piped into gunzip, with the two links `pipe()` leaves out: a
 * failed read ends gunzip with that error, and gunzip closing closes the file, so a reader that
 * stops early leaves no file open); `gunzipHead` (the first bytes unpacked, for format checks,
 * kept when the stream breaks after them); `gzipBreak` (the finding code and text for zlib's message:
 * `truncated_file` when the stream ends early, `corrupt_record` when its data is damaged), shared
 * by the capture reader (`session.ts`) and the text readers (`files.ts`); and `GzipDamage`, the
 * error `rawChunks` fails with when zlib, not the file read, broke.
 * Does not hold: parsing what comes out, or deciding that a file is gzip (the callers check the
 * magic number).
 */
import { createReadStream } from "node:fs"
import { createGunzip, type Gunzip } from "node:zlib"
import { Schema } from "effect"

export interface GunzippedFile {
  /** the unpacked bytes, in chunks of up to `outChunk` bytes */
  readonly stream: Gunzip
  /** the file read's error, when that (and not zlib) is what ended `stream` */
  readonly readError: () => Error | undefined
}

/** `path` read in `fileChunk`-byte reads through gunzip. Destroying `stream` closes the file. */
export const openGunzip = (path: string, fileChunk = 1 << 20, outChunk = 1 << 20): GunzippedFile => {
  const file = createReadStream(path, { highWaterMark: fileChunk })
  const stream = createGunzip({ chunkSize: outChunk })
  let failed: Error | undefined
  file.on("error", (error) => {
    failed = error
    stream.destroy(error)
  })
  stream.on("close", () => file.destroy())
  file.pipe(stream)
  return { stream, readError: () => failed }
}

/**
 * The first `bytes` unpacked bytes of gzip file `path` (fewer when it is shorter), and the error
 * that stopped it early, if one did (a cut or damaged stream, a failed read): what came out
 * before is kept either way.
 */
export const gunzipHead = async (path: string, bytes: number): Promise<{ readonly head: Buffer; readonly error: Error | undefined }> => {
  const chunks: Array<Buffer> = []
  let have = 0
  let error: Error | undefined
  const stream = openGunzip(path, 64 << 10, 16 << 10).stream
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      have += chunk.length
      if (have >= bytes) break
    }
  } catch (caught) {
    error = caught instanceof Error ? caught : new Error(String(caught))
  } finally {
    stream.destroy()
  }
  return { head: Buffer.concat(chunks).subarray(0, bytes), error }
}

export interface GzipBreak {
  readonly code: "truncated_file" | "corrupt_record"
  readonly text: string
}

/** The finding for a gzip stream that zlib stopped with `message`. */
export const gzipBreak = (message: string): GzipBreak => {
  const cut = /unexpected end/i.test(message)
  return { code: cut ? "truncated_file" : "corrupt_record", text: `gzip stream ${cut ? "ends early" : "is damaged"}: ${message}` }
}

/** zlib stopped decompressing `path` with `reason` (the file itself was read). */
export class GzipDamage extends Schema.TaggedError<GzipDamage>()("GzipDamage", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.path}: ${gzipBreak(this.reason).text}`
  }
}
