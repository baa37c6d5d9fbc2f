/**
 * Input files for file-based sources: expanding `paths:` into units, fingerprints, heads,
 * and streaming text lines (gzip detected by magic number).
 *
 * Holds: `planFiles` (globs and folders → sorted SourceUnits with a SHA-256 content hash, or a
 * stat fingerprint for one-shot conversions),
 * `readHead` / `readContentHead` (first bytes, for format detection; the latter unpacks gzip),
 * `rawChunks` and `textLines` (a Stream of lines with the byte offset of each, so a bad row can be
 * reported where it is; a gzip stream that breaks partway can end it with what came before).
 * Does not hold: any format knowledge; sources own their parsing.
 */
import { createHash } from "node:crypto"
import { createReadStream, promises as fs } from "node:fs"
import { basename, isAbsolute, relative, resolve } from "node:path"
import { InputError, type SourceUnit } from "@hashhound/core"
import { Effect, Stream } from "effect"
import { glob } from "tinyglobby"
import { GzipDamage, gunzipHead, gzipBreak, openGunzip, type GzipBreak } from "./gzip-stream.js"

/** A pattern with any of these is a glob; without, a path. */
export const GLOB_CHARS = /[*?[\]{}]/

const hashFile = (path: string): Effect.Effect<string, InputError> =>
  Effect.async<string, InputError>((resume) => {
    const hash = createHash("sha256")
    const stream = createReadStream(path, { highWaterMark: 1 << 20 })
    stream.on("data", (chunk) => hash.update(chunk))
    stream.on("error", (error) => resume(Effect.fail(new InputError({ path, reason: error.message }))))
    stream.on("end", () => resume(Effect.succeed(hash.digest("hex"))))
    return Effect.sync(() => stream.destroy())
  })

const NOT_A_FILE = "not a regular file (a pipe, socket or device): hashhound reads capture and flow-export files; write the capture to a file first"

/**
 * Files named by patterns (globs, plain files or folders, relative to `baseDir`), sorted, without
 * duplicates: a file reached under several names (symlinks) is listed once. A path named that is
 * a pipe, socket or device is refused (InputError); folders and globs list regular files only.
 */
export const expandPaths = (
  patterns: ReadonlyArray<string>,
  baseDir: string
): Effect.Effect<ReadonlyArray<string>, InputError> =>
  Effect.gen(function* () {
    const found = new Set<string>()
    for (const pattern of patterns) {
      const absolute = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern)
      if (GLOB_CHARS.test(pattern)) {
        const matches = yield* Effect.tryPromise({
          try: () => glob([pattern], { cwd: baseDir, absolute: true, onlyFiles: true, dot: false }),
          catch: (error) => new InputError({ path: pattern, reason: `bad glob: ${String(error)}` })
        })
        if (matches.length === 0) return yield* new InputError({ path: absolute, reason: "no file matches this pattern" })
        for (const match of matches) found.add(resolve(match))
        continue
      }
      const stat = yield* Effect.tryPromise({
        try: () => fs.stat(absolute),
        catch: () => new InputError({ path: absolute, reason: "no such file or folder" })
      })
      if (stat.isDirectory()) {
        const matches = yield* Effect.tryPromise({
          try: () => glob(["**/*"], { cwd: absolute, absolute: true, onlyFiles: true, dot: false }),
          catch: (error) => new InputError({ path: absolute, reason: String(error) })
        })
        for (const match of matches) found.add(resolve(match))
      } else if (stat.isFile()) found.add(absolute)
      else {
        // opening a pipe waits for a writer, and a positioned read cannot go back in one: refused
        // before anything opens it (folders and globs list regular files only)
        return yield* new InputError({ path: absolute, reason: NOT_A_FILE })
      }
    }
    // one file reached by two names (a symlink, a folder walk through a link back up) is read once,
    // under the first name in path order
    const seen = new Set<string>()
    const unique: Array<string> = []
    for (const path of [...found].sort()) {
      const real = yield* Effect.promise(() => fs.realpath(path).catch(() => path))
      if (seen.has(real)) continue
      seen.add(real)
      unique.push(path)
    }
    return unique
  })

/** Unit id for a file: its path relative to `baseDir` when inside it, else its base name. */
export const unitIdFor = (path: string, baseDir: string): string => {
  const rel = relative(baseDir, path)
  return rel.startsWith("..") || isAbsolute(rel) ? basename(path) : rel.split("\\").join("/")
}

/** How `planFiles` fingerprints the files of a stage in this context. */
export const fingerprintFor = (ctx: { readonly resumable?: boolean }): "content" | "stat" => (ctx.resumable === false ? "stat" : "content")

/**
 * Expand `paths:` into units with size and fingerprint, in path order: the SHA-256 of the
 * content, or with `fingerprint: "stat"` size, mtime and inode (no extra read of the file).
 */
export const planFiles = (
  patterns: ReadonlyArray<string>,
  baseDir: string,
  fingerprint: "content" | "stat" = "content"
): Effect.Effect<ReadonlyArray<SourceUnit>, InputError> =>
  Effect.gen(function* () {
    const paths = yield* expandPaths(patterns, baseDir)
    return yield* Effect.forEach(paths, (path) =>
      Effect.gen(function* () {
        const stat = yield* Effect.tryPromise({
          try: () => fs.stat(path),
          catch: () => new InputError({ path, reason: "cannot stat file" })
        })
        const print = fingerprint === "stat" ? `stat:${stat.size}:${stat.mtimeMs}:${stat.ino}` : yield* hashFile(path)
        return { id: unitIdFor(path, baseDir), path, fingerprint: print, sizeBytes: stat.size } satisfies SourceUnit
      })
    )
  })

/** An error's message (what anything thrown says about itself). */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Why a file could not be read, in words; a pipe (`<(zcat …)`) says what to do instead. */
const readFailure = (path: string, error: unknown): InputError => {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined
  const reason =
    code === "ESPIPE"
      ? "a pipe, not a file: inputs are read more than once (format check, then the data), so save the stream to a file first (gzip'd captures are read as they are)"
      : errorText(error)
  return new InputError({ path, reason })
}

/** The first `bytes` bytes of a file (fewer for a short file). */
export const readHead = (path: string, bytes = 65_536): Effect.Effect<Uint8Array, InputError> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => fs.open(path, "r"), catch: (e) => readFailure(path, e) }),
    (handle) =>
      Effect.tryPromise({
        try: async () => {
          const buffer = Buffer.alloc(bytes)
          const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
          return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead)
        },
        catch: (e) => readFailure(path, e)
      }),
    (handle) => Effect.promise(() => handle.close())
  )

export const isGzip = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b

/**
 * The head of a file after gunzip when it is gzip-compressed (for detecting the format inside).
 * A gzip stream that breaks (cut short, corrupt) after giving some bytes gives those as the head:
 * the reader then keeps what comes before the break and reports it. One that breaks before any
 * byte fails with zlib's reason.
 */
export const readContentHead = (path: string, bytes = 65_536): Effect.Effect<Uint8Array, InputError> =>
  Effect.flatMap(readHead(path, 2), (magic) =>
    isGzip(magic)
      ? Effect.tryPromise({ try: () => gunzipHead(path, bytes), catch: (error) => readFailure(path, error) }).pipe(
          Effect.flatMap(({ head, error }) =>
            error !== undefined && head.length === 0
              ? Effect.fail(readFailure(path, error))
              : Effect.succeed(new Uint8Array(head.buffer, head.byteOffset, head.length))
          )
        )
      : readHead(path, bytes)
  )

/**
 * The decompressed bytes of a file as a stream of Buffers (gzip detected by magic number),
 * read in large sequential chunks. A failed read is an InputError; zlib stopping partway is a
 * GzipDamage, after every byte that came out before it.
 */
export const rawChunks = (path: string, chunkBytes = 1 << 20): Stream.Stream<Buffer, InputError | GzipDamage> =>
  Stream.unwrap(
    Effect.map(readHead(path, 2), (magic) => {
      if (!isGzip(magic)) {
        const file = createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>
        return Stream.fromAsyncIterable(file, (error) => readFailure(path, error))
      }
      const gunzipped = openGunzip(path, chunkBytes, chunkBytes)
      return Stream.fromAsyncIterable(gunzipped.stream as AsyncIterable<Buffer>, (error): InputError | GzipDamage => {
        const read = gunzipped.readError()
        return read !== undefined ? readFailure(path, read) : new GzipDamage({ path, reason: errorText(error) })
      })
    })
  )

export interface TextLine {
  readonly text: string
  /** 1-based line number */
  readonly line: number
  /** byte offset of the line's start in the (decompressed) content */
  readonly offset: number
}

/**
 * Where a gzip stream broke under `textLines`: `offset` is where the line it cut starts (every
 * line before it was read), `dropped` that line's bytes, which are not read.
 */
export type OnGzipBreak = (broke: GzipBreak, offset: number, dropped: number) => void

/**
 * Lines of a text file (LF or CRLF), with line numbers and byte offsets; gzip transparent. A
 * gzip stream that breaks partway fails the stream, unless `onGzipBreak` is given: then the lines
 * before the break are the whole stream and the handler is told where it broke.
 */
export const textLines = (path: string, onGzipBreak?: OnGzipBreak): Stream.Stream<TextLine, InputError> =>
  Stream.suspend(() => {
    let carry: Buffer = Buffer.alloc(0)
    let lineNo = 0
    let offset = 0
    const split = (chunk: Buffer, final: boolean): Array<TextLine> => {
      const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
      const out: Array<TextLine> = []
      let start = 0
      for (let i = data.indexOf(10, start); i !== -1; i = data.indexOf(10, start)) {
        const end = i > start && data[i - 1] === 13 ? i - 1 : i
        lineNo++
        out.push({ text: data.toString("utf8", start, end), line: lineNo, offset })
        offset += i + 1 - start
        start = i + 1
      }
      carry = data.subarray(start)
      if (final && carry.length > 0) {
        lineNo++
        const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length
        out.push({ text: carry.toString("utf8", 0, end), line: lineNo, offset })
        offset += carry.length
        carry = Buffer.alloc(0)
      }
      return out
    }
    return rawChunks(path).pipe(
      Stream.map((chunk) => split(chunk, false)),
      Stream.catchTag("GzipDamage", (damage) =>
        Stream.suspend(() => {
          if (onGzipBreak === undefined) return Stream.fail(new InputError({ path, reason: damage.reason }))
          onGzipBreak(gzipBreak(damage.reason), offset, carry.length)
          carry = Buffer.alloc(0)
          return Stream.empty
        })
      ),
      Stream.concat(Stream.sync(() => split(Buffer.alloc(0), true))),
      Stream.flattenIterables
    )
  })
