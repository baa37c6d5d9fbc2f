/**
 * An output file that is also an input: `hashhound flows a.pcap --out a.pcap` replaced the capture
 * with its flows, and a second `hashhound flows dir --out dir/flows.csv` read the first run's file.
 *
 * Holds: `inputsBesideOutput`, which refuses an output that an input names outright (UsageError,
 * before anything is read) and leaves it out of the files a folder or glob reached, saying so.
 * Files are compared by their real paths, so a symlink or a `./` does not hide one.
 * Does not hold: where the inputs come from (`expandPaths`) or how the output is written.
 */
import { Console, Effect } from "effect"
import { realpathSync } from "node:fs"
import { resolve } from "node:path"
import { UsageError } from "./exit.js"

const GLOB_CHARS = /[*?[\]{}]/

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
