/**
 * Atomic files: everything the run writes appears under its final name only when complete.
 *
 * Holds: `tmpPathOf` (the `.tmp` name beside a final name), `writeFileAtomic` (write tmp,
 * fsync, rename, fsync the folder), `commitFile` (fsync a finished tmp file and rename it into
 * place), removal that ignores missing files, removal of `.tmp` leftovers of a killed run, and
 * small JSON/byte readers that answer `undefined` for a missing file.
 * Does not hold: what the files contain (see `parquet.ts` and `run/`).
 */
import { promises as fs } from "node:fs"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { reasonOf, StorageError } from "./errors.js"

export const TMP_SUFFIX = ".tmp"

export const tmpPathOf = (path: string): string => `${path}${TMP_SUFFIX}`

const attempt = <A>(operation: string, path: string, run: () => Promise<A>): Effect.Effect<A, StorageError> =>
  Effect.tryPromise({ try: run, catch: (error) => new StorageError({ operation, path, reason: reasonOf(error) }) })

const isMissing = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT"

export const ensureDir = (path: string): Effect.Effect<void, StorageError> =>
  attempt("create folder", path, () => fs.mkdir(path, { recursive: true }).then(() => undefined))

const fsyncPath = async (path: string): Promise<void> => {
  const handle = await fs.open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** fsync a folder so a rename inside it survives a power cut (best effort where folders cannot be opened). */
const fsyncDir = async (path: string): Promise<void> => {
  try {
    await fsyncPath(path)
  } catch {
    // some platforms refuse to open folders; the rename itself is still atomic
  }
}

/** fsync `tmp` and rename it to `path`. */
export const commitFile = (tmp: string, path: string, options: { readonly syncDir?: boolean } = {}): Effect.Effect<void, StorageError> =>
  attempt("commit", path, async () => {
    await fsyncPath(tmp)
    await fs.rename(tmp, path)
    if (options.syncDir === true) await fsyncDir(dirname(path))
  })

/** Write `contents` beside `path`, fsync, and rename into place. */
export const writeFileAtomic = (
  path: string,
  contents: string | Uint8Array,
  options: { readonly syncDir?: boolean } = {}
): Effect.Effect<void, StorageError> =>
  attempt("write", path, async () => {
    await fs.mkdir(dirname(path), { recursive: true })
    const tmp = tmpPathOf(path)
    const handle = await fs.open(tmp, "w")
    try {
      await handle.writeFile(contents)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, path)
    if (options.syncDir === true) await fsyncDir(dirname(path))
  })

/** Remove a file; a missing file is fine. */
export const removeFile = (path: string): Effect.Effect<void, StorageError> =>
  attempt("remove", path, () => fs.rm(path, { force: true }))

/** Remove a folder and what is in it; a missing folder is fine. */
export const removeDir = (path: string): Effect.Effect<void, StorageError> =>
  attempt("remove folder", path, () => fs.rm(path, { recursive: true, force: true }))

/** File names in a folder (empty when the folder does not exist). */
export const listDir = (path: string): Effect.Effect<ReadonlyArray<string>, StorageError> =>
  attempt("list", path, async () => {
    try {
      return (await fs.readdir(path)).sort()
    } catch (error) {
      if (isMissing(error)) return []
      throw error
    }
  })

/** Remove every `*.tmp` file or folder under `root`, not descending into folders named in `skip`. */
export const removeTmpLeftovers = (root: string, skip: (dir: string) => boolean): Effect.Effect<number, StorageError> =>
  attempt("remove leftovers", root, async () => {
    let removed = 0
    const visit = async (dir: string): Promise<void> => {
      let entries
      try {
        entries = await fs.readdir(dir, { withFileTypes: true })
      } catch (error) {
        if (isMissing(error)) return
        throw error
      }
      for (const entry of entries) {
        const path = join(dir, entry.name)
        if (entry.name.endsWith(TMP_SUFFIX)) {
          await fs.rm(path, { recursive: true, force: true })
          removed++
        } else if (entry.isDirectory() && !skip(path)) await visit(path)
      }
    }
    await visit(root)
    return removed
  })

/** The bytes of a file, or undefined when it does not exist. */
export const readBytes = (path: string): Effect.Effect<Uint8Array | undefined, StorageError> =>
  attempt("read", path, async () => {
    try {
      return new Uint8Array(await fs.readFile(path))
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  })

/** A JSON file parsed, or undefined when it does not exist. */
export const readJson = (path: string): Effect.Effect<unknown, StorageError> =>
  Effect.flatMap(readBytes(path), (bytes) =>
    bytes === undefined
      ? Effect.succeed(undefined)
      : Effect.try({
          try: (): unknown => JSON.parse(new TextDecoder().decode(bytes)),
          catch: (error) => new StorageError({ operation: "parse json", path, reason: reasonOf(error) })
        })
  )

export const fileExists = (path: string): Effect.Effect<boolean, StorageError> =>
  attempt("stat", path, async () => {
    try {
      await fs.stat(path)
      return true
    } catch (error) {
      if (isMissing(error)) return false
      throw error
    }
  })
