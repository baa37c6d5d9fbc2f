/**
 * Where a command's output file goes, and an output file that is also an input.
 *
 * Holds: `outputTarget` (a file, replaced whole once the export is done; or a stream: `-` for
 * stdout, or a pipe or device that exists, such as /dev/stdout, which gets the finished file's
 * bytes instead of being replaced by a file), `streamOut` (that copy; a reader that stops early,
 * as `head` does, ends it quietly) and `inputsBesideOutput`: `hashhound flows a.pcap --out a.pcap`
 * replaced the capture with its flows, and a second `hashhound flows dir --out dir/flows.csv` read
 * the first run's file, so an output that an input names outright is refused (UsageError, before
 * anything is read) and one that a folder or glob reached is left out, saying so. Files are
 * compared by their real paths, so a symlink or a `./` does not hide one.
 * Does not hold: where the inputs come from (`expandPaths`) or how the output is written.
 */
import { GLOB_CHARS } from "@hashhound/flowmeter"
import { StorageError } from "@hashhound/pipeline/storage"
import { Console, Effect } from "effect"
import { createReadStream, createWriteStream, realpathSync, statSync } from "node:fs"
import { resolve } from "node:path"
import { pipeline } from "node:stream/promises"
import { UsageError } from "./exit.js"

/** A file written whole and put in place at the end, or a stream (`path` undefined: stdout) that gets its bytes. */
export type OutputTarget =
  | { readonly _tag: "file"; readonly path: string }
  | { readonly _tag: "stream"; readonly name: string; readonly path: string | undefined }

/** `-` is stdout; an existing pipe, socket or device (/dev/stdout, /dev/null) is a stream; anything else a file. */
export const outputTarget = (out: string, baseDir: string): OutputTarget => {
  if (out === "-") return { _tag: "stream", name: "stdout", path: undefined }
  const path = resolve(baseDir, out)
  const stat = statSync(path, { throwIfNoEntry: false })
  return stat !== undefined && !stat.isFile() && !stat.isDirectory() ? { _tag: "stream", name: path, path } : { _tag: "file", path }
}

const isBrokenPipe = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED")

/** The finished file `from` copied to a stream target; stdout is left open. */
export const streamOut = (from: string, target: OutputTarget & { readonly _tag: "stream" }): Effect.Effect<void, StorageError> =>
  Effect.tryPromise({
    try: () =>
      (target.path === undefined
        ? pipeline(createReadStream(from), process.stdout, { end: false })
        : pipeline(createReadStream(from), createWriteStream(target.path, { flags: "w" }))
      ).catch((error: unknown) => {
        // the reader went away (`| head`): what it wanted it has
        if (!isBrokenPipe(error)) throw error
      }),
    catch: (error) => new StorageError({ operation: "write", path: target.name, reason: error instanceof Error ? error.message : String(error) })
  })

const realPath = (path: string): string | undefined => {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

/**
 * `files` (from `patterns`, relative to `baseDir`) without the output file `out`: an error when a
 * pattern names it outright; left out with a note when a folder or glob reached it.
 */
export const inputsBesideOutput = (
  out: string,
  patterns: ReadonlyArray<string>,
  files: ReadonlyArray<string>,
  baseDir: string
): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.gen(function* () {
    // an output that does not exist yet is no input
    const target = realPath(resolve(baseDir, out))
    if (target === undefined) return files
    const named = patterns.find((pattern) => !GLOB_CHARS.test(pattern) && realPath(resolve(baseDir, pattern)) === target)
    if (named !== undefined) {
      return yield* new UsageError({ option: "--out", reason: `${out} is the input ${named}: writing it would replace it; name another file` })
    }
    const kept = files.filter((file) => realPath(file) !== target)
    if (kept.length < files.length) yield* Console.error(`left out: ${target}, the file this run writes (a folder or pattern named among the inputs reaches it)`)
    return kept
  })
