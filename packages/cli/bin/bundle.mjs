/**
 * The CLI bundle: `packages/cli/src/main.ts` and the worker modules built by esbuild into one
 * folder under `packages/cli/dist/`, so that `hashhound` starts in well under a second instead of
 * compiling hundreds of TypeScript modules through tsx on every run.
 *
 * Holds: `bundledMain` (the URL of the current bundle's `main.js`, building it first when it is
 * missing or stale; or a one-line reason to run from source instead), `readStamp`/`isCurrent`
 * (the stat-only staleness check) and `buildBundle` (esbuild's JS API, in-process).
 * Does not hold: the command itself (src/main.ts) or the tsx fallback (hashhound.mjs).
 * Plain JavaScript because it runs before tsx is (or is not) registered.
 *
 * Layout (`dist` is `packages/cli/dist`, or HASHHOUND_BUNDLE_DIR inside the repository, for tests):
 * `dist/current.json` (the stamp) names the build folder `dist/b-…/` that is current, the
 * repository root it was built from, and every file it was built from with its mtime and size.
 * A build is written to `dist/.tmp-…/`, renamed to `dist/b-…/`, then the stamp is replaced by a
 * rename, so a concurrent run sees either the old bundle or the new one, never half of one.
 * Only one process builds at a time (`dist/.lock`); the others wait for its stamp. A run marks
 * its build folder in use (mtime, refreshed every 5 minutes while it runs); folders that are not
 * current and unmarked for an hour are removed by the next build.
 *
 * Stale: the repository moved, the stamp or its folder is missing, or a source file it was built
 * from, a workspace `package.json`, the lockfiles, the tsconfigs, this file or the worker bootstrap
 * changed (mtime or size differ). Files read at run time (scenario YAML, examples) are not bundled:
 * the bundle reads them from the source tree, so they never make it stale.
 *
 * The code is minified, with a source map beside each file (read only under HASHHOUND_DEBUG=1).
 *
 * The `import.meta.url` rule: in a bundled source file, `import.meta.url` is rewritten to that
 * source file's own URL (computed relative to the bundle, so the repository can move), so code that
 * finds files beside its source (scenario YAML, the repository root, a plugin's optional packages)
 * works unchanged. The modules that locate worker threads (`WORKERS[].locatedBy` and ml's
 * `workers.ts`) keep the chunk's own URL instead: their rule "a `.js` caller starts `name.js`
 * beside itself" then finds the worker entries, which are emitted into the bundle folder under
 * their own names, with `worker-bootstrap.mjs` copied beside them. A source file that starts a
 * worker but is not listed in `WORKERS` fails the build (and the CLI runs from source).
 */
import { randomBytes } from "node:crypto"
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { dirname, extname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** bumped when the layout or build options change in a way the input list does not show */
const FORMAT = 2
const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const repoRoot = resolve(cliDir, "..", "..")
/**
 * Where bundles live: `packages/cli/dist`, or HASHHOUND_BUNDLE_DIR (tests). It must lie inside the
 * repository: the bundle finds the packages it leaves out (EXTERNAL) in node_modules above it.
 */
export const defaultDistDir = () => {
  const chosen = process.env.HASHHOUND_BUNDLE_DIR
  return chosen !== undefined && chosen !== "" ? resolve(chosen) : join(cliDir, "dist")
}
const stampFileIn = (distDir) => join(distDir, "current.json")
const lockDirIn = (distDir) => join(distDir, ".lock")

/** Worker entry modules (emitted as `<name>.js`) and the module that starts each. */
const WORKERS = [
  { name: "capture-worker", entry: "packages/flowmeter/src/worker/capture-worker.ts", locatedBy: "packages/flowmeter/src/worker/worker-stream.ts" },
  { name: "histogram-worker", entry: "plugins/model-gbdt/src/histogram-worker.ts", locatedBy: "plugins/model-gbdt/src/threads.ts" },
  { name: "forest-worker", entry: "plugins/model-random-forest/src/forest-worker.ts", locatedBy: "plugins/model-random-forest/src/threads.ts" },
  { name: "part-writer-worker", entry: "packages/pipeline/src/storage/part-writer-worker.ts", locatedBy: "packages/pipeline/src/storage/part-writer.ts" }
]
const WORKER_BOOTSTRAP = "packages/ml/src/worker-bootstrap.mjs"
const KEEP_CHUNK_URL = new Set([...WORKERS.map((worker) => worker.locatedBy), "packages/ml/src/workers.ts"])
const STARTS_WORKER = /\bnew Worker\(|\bworkerEntry\(/

/** Left out of the bundle: native bindings; playwright (a browser driver the CLI never runs); tsx (loaded on demand, it finds its own files). */
const EXTERNAL = ["@duckdb/node-bindings", "@duckdb/node-bindings-*", "playwright-core", "tsx", "tsx/*"]
/** ESM output has no `require`; bundled CommonJS code (undici, duckdb's API) needs one. */
const BANNER = "import { createRequire as __hashhoundRequire } from 'node:module'; const require = __hashhoundRequire(import.meta.url);"

const LOCK_STALE_MS = 120_000
const WAIT_LIMIT_MS = 180_000
/** a run refreshes its build folder's mtime this often; a folder not current and older than UNUSED_MS is removed */
const IN_USE_MARK_MS = 5 * 60_000
const UNUSED_MS = 60 * 60_000

const firstLine = (error) => {
  // esbuild's own errors say what and where in `errors`; its message only counts them
  const detail = error?.errors?.[0]
  if (detail !== undefined) return detail.location ? `${detail.location.file}:${detail.location.line}: ${detail.text}` : detail.text
  return String(error instanceof Error ? error.message : error).split("\n")[0]?.trim() ?? ""
}
const toPosix = (path) => path.split(sep).join("/")
const fileStat = (path) => {
  const stat = statSync(path, { throwIfNoEntry: false })
  return stat === undefined ? null : [stat.mtimeMs, stat.size]
}

/** The stamp of the current build, or null when there is none (or it cannot be read). */
export const readStamp = (distDir) => {
  try {
    return JSON.parse(readFileSync(stampFileIn(distDir), "utf8"))
  } catch {
    return null
  }
}

/** Is the build the stamp names usable and built from exactly the files as they are now? Stats only. */
export const isCurrent = (distDir, stamp) => {
  try {
    return matches(distDir, stamp)
  } catch {
    return false
  }
}

const matches = (distDir, stamp) => {
  if (stamp === null || typeof stamp !== "object" || stamp.format !== FORMAT || stamp.repo !== repoRoot) return false
  if (typeof stamp.build !== "string" || typeof stamp.inputs !== "object" || stamp.inputs === null) return false
  if (fileStat(join(distDir, stamp.build, "main.js")) === null) return false
  for (const [path, recorded] of Object.entries(stamp.inputs)) {
    const now = fileStat(join(repoRoot, path))
    if (now === null || !Array.isArray(recorded) || now[0] !== recorded[0] || now[1] !== recorded[1]) return false
  }
  return true
}

/** Files outside the module graph that a build depends on: package manifests, lockfiles, tsconfigs, the builder. */
const manifestFiles = () => {
  const workspaces = ["packages", "plugins"].flatMap((group) =>
    readdirSync(join(repoRoot, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${group}/${entry.name}/package.json`)
  )
  const fixed = ["package.json", "package-lock.json", "node_modules/.package-lock.json", "tsconfig.json", "tsconfig.base.json", WORKER_BOOTSTRAP]
  return [...fixed, ...workspaces, toPosix(relative(repoRoot, fileURLToPath(import.meta.url)))].filter((path) => fileStat(join(repoRoot, path)) !== null)
}

const LOADERS = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx" }

/** esbuild plugin: the `import.meta.url` rule (see the header) for the repository's own sources. */
const sourceUrls = (outdir) => ({
  name: "hashhound-source-urls",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      const path = toPosix(relative(repoRoot, args.path))
      if (path.startsWith("..") || path.split("/").includes("node_modules")) return undefined
      const text = await readFile(args.path, "utf8")
      if (KEEP_CHUNK_URL.has(path)) return undefined
      if (STARTS_WORKER.test(text)) {
        return { errors: [{ text: `${path} starts a worker thread but is not listed in WORKERS in packages/cli/bin/bundle.mjs` }] }
      }
      if (!text.includes("import.meta.url")) return undefined
      const own = `new URL(${JSON.stringify(toPosix(relative(outdir, args.path)))}, import.meta.url).href`
      return { contents: text.replaceAll("import.meta.url", own), loader: LOADERS[extname(args.path)] ?? "ts" }
    })
  }
})

/** Build into a fresh folder under dist/ and make it current; resolves to its stamp. */
export const buildBundle = async (distDir) => {
  const esbuild = await import("esbuild")
  const started = Date.now()
  const tmp = join(distDir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`)
  mkdirSync(tmp, { recursive: true })
  try {
    const result = await esbuild.build({
      absWorkingDir: repoRoot,
      entryPoints: { main: "packages/cli/src/main.ts", ...Object.fromEntries(WORKERS.map((worker) => [worker.name, worker.entry])) },
      entryNames: "[name]",
      chunkNames: "chunk-[hash]",
      outdir: tmp,
      bundle: true,
      splitting: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: EXTERNAL,
      banner: { js: BANNER },
      // minified code compiles faster and holds less (start-up 0.83 → 0.76 s, 131 → 124 MB for
      // `flows` on a 10-packet capture); the source maps beside it name the sources in a
      // HASHHOUND_DEBUG=1 stack (hashhound.mjs turns them on then)
      minify: true,
      sourcemap: "linked",
      metafile: true,
      logLevel: "silent",
      plugins: [sourceUrls(tmp)]
    })
    copyFileSync(join(repoRoot, WORKER_BOOTSTRAP), join(tmp, "worker-bootstrap.mjs"))
    const sources = Object.keys(result.metafile.inputs).filter((path) => !path.includes(":") && !path.split("/").includes("node_modules"))
    const inputs = {}
    for (const path of [...sources, ...manifestFiles()]) {
      const stat = fileStat(join(repoRoot, path))
      // a file changed while esbuild ran may not be what it read: record it so that the next run rebuilds
      inputs[path] = stat === null || stat[0] >= started ? [0, -1] : stat
    }
    const build = `b-${started.toString(36)}-${process.pid}`
    renameSync(tmp, join(distDir, build))
    const stamp = { format: FORMAT, repo: repoRoot, build, builtAt: new Date(started).toISOString(), esbuild: esbuild.version, inputs }
    const stampTmp = `${stampFileIn(distDir)}.${process.pid}`
    writeFileSync(stampTmp, `${JSON.stringify(stamp, null, 1)}\n`)
    renameSync(stampTmp, stampFileIn(distDir))
    return stamp
  } finally {
    rmSync(tmp, { recursive: true, force: true })
    // the esbuild service is a child process; the command that follows does not need it
    await esbuild.stop()
  }
}

/** Remove build folders that are not current and not marked in use for an hour, and leftovers of killed builds. */
const removeOldBuilds = (distDir, current) => {
  for (const entry of readdirSync(distDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current || !/^(b-|\.tmp-)/.test(entry.name)) continue
    const path = join(distDir, entry.name)
    const stat = fileStat(path)
    if (stat !== null && Date.now() - stat[0] > UNUSED_MS) rmSync(path, { recursive: true, force: true })
  }
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

const lockHolderGone = (lockDir) => {
  const stat = fileStat(lockDir)
  if (stat === null) return true
  if (Date.now() - stat[0] > LOCK_STALE_MS) return true
  try {
    const pid = Number(readFileSync(join(lockDir, "pid"), "utf8"))
    process.kill(pid, 0)
    return false
  } catch (error) {
    // ESRCH: no such process; EPERM: it exists (another user); no pid file yet: just created
    return error?.code === "ESRCH"
  }
}

/** Take the build lock, or wait until another process has built a current bundle. */
const lockOrWait = async (distDir) => {
  const lockDir = lockDirIn(distDir)
  const until = Date.now() + WAIT_LIMIT_MS
  while (Date.now() < until) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, "pid"), String(process.pid))
      return { locked: true }
    } catch (error) {
      if (error?.code !== "EEXIST") throw error
    }
    const stamp = readStamp(distDir)
    if (isCurrent(distDir, stamp)) return { locked: false, stamp }
    if (lockHolderGone(lockDir)) rmSync(lockDir, { recursive: true, force: true })
    else await sleep(100)
  }
  throw new Error(`another process has held ${relative(repoRoot, lockDir)} for over ${WAIT_LIMIT_MS / 1000} s`)
}

/** Mark a build folder as in use (its mtime), now and every few minutes while this process runs. */
const markInUse = (folder) => {
  const touch = () => {
    try {
      const now = new Date()
      utimesSync(folder, now, now)
    } catch {
      // best effort: at worst an old folder is kept, or removed an hour after its last mark
    }
  }
  touch()
  setInterval(touch, IN_USE_MARK_MS).unref()
}

const mainUrl = (distDir, stamp) => {
  const folder = join(distDir, stamp.build)
  markInUse(folder)
  return pathToFileURL(join(folder, "main.js")).href
}

/**
 * `{ url }` of the current bundle's main.js (built first when missing or stale), or `{ note }`,
 * one line saying why the bundle cannot be used.
 */
export const bundledMain = async (distDir = defaultDistDir()) => {
  if (relative(repoRoot, distDir).startsWith("..")) return { note: `the bundle folder ${distDir} is outside the repository ${repoRoot}` }
  const stamp = readStamp(distDir)
  if (isCurrent(distDir, stamp)) return { url: mainUrl(distDir, stamp) }
  try {
    mkdirSync(distDir, { recursive: true })
    const taken = await lockOrWait(distDir)
    if (!taken.locked) return { url: mainUrl(distDir, taken.stamp) }
    try {
      const again = readStamp(distDir)
      const built = isCurrent(distDir, again) ? again : await buildBundle(distDir)
      removeOldBuilds(distDir, built.build)
      return { url: mainUrl(distDir, built) }
    } finally {
      rmSync(lockDirIn(distDir), { recursive: true, force: true })
    }
  } catch (error) {
    return { note: `cannot build the bundle (${firstLine(error)})` }
  }
}
