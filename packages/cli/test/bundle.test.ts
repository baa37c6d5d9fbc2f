/**
 * The CLI bundle (bin/bundle.mjs): concurrent first runs build it once and all succeed, it runs
 * commands that start worker threads and load third-party plugins, it is rebuilt when something it
 * was built from changes (and only then), and the bin falls back to the TypeScript sources when
 * asked or when no bundle can be built. Each test group uses its own bundle folder under
 * packages/cli/dist, so the shared one is left alone.
 */
import { describeFixtures, fixture } from "@hashhound/testkit"
import { spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { BIN, type CliResult } from "./cli-support.js"

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..")
const repoRoot = join(cliDir, "..", "..")
const work = mkdtempSync(join(tmpdir(), "hh-bundle-"))
const made: Array<string> = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A fresh bundle folder (not yet created) inside the repository, removed after the tests. */
const bundleDir = (): string => {
  const dir = join(cliDir, "dist", `test-${process.pid}-${made.length}-${Date.now().toString(36)}`)
  made.push(dir)
  return dir
}

const run = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1", ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })

interface Stamp {
  readonly build: string
  readonly repo: string
  readonly inputs: Record<string, readonly [number, number]>
}

const stampOf = (dir: string): Stamp => JSON.parse(readFileSync(join(dir, "current.json"), "utf8")) as Stamp
const builds = (dir: string): ReadonlyArray<string> => readdirSync(dir).filter((name) => name.startsWith("b-"))

/*
 * Other work on the same checkout legitimately causes rebuilds, so the "built once" and "reused"
 * checks hold only when no source changed meanwhile (always so in CI).
 */
const inputNow = (path: string): readonly [number, number] => {
  const stat = statSync(join(repoRoot, path), { throwIfNoEntry: false })
  return stat === undefined ? [0, -1] : [stat.mtimeMs, stat.size]
}
/** Was a file the stamp lists changed after `since` (ms), or while that build ran? */
const sourcesChangedSince = (stamp: Stamp, since: number): boolean =>
  Object.entries(stamp.inputs).some(([path, [mtime]]) => mtime === 0 || inputNow(path)[0] >= since)
/** Does any file the stamp lists differ from what it recorded? */
const sourcesDiffer = (stamp: Stamp): boolean =>
  Object.entries(stamp.inputs).some(([path, recorded]) => inputNow(path).join() !== recorded.join())

describe("the CLI bundle", () => {
  const dir = bundleDir()
  const env = { HASHHOUND_BUNDLE_DIR: dir }

  it("concurrent first runs build it once, and every one of them runs from it", async () => {
    const started = Date.now()
    const results = await Promise.all([1, 2, 3, 4].map(() => run(["--version"], env)))
    for (const result of results) {
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.stdout.trim()).toBe("0.1.0")
    }
    // one build (the others waited for its stamp); no half-written folder or lock left behind
    if (!sourcesChangedSince(stampOf(dir), started)) expect(builds(dir)).toEqual([stampOf(dir).build])
    expect(readdirSync(dir).filter((name) => !name.startsWith("b-"))).toEqual(["current.json"])
    const files = readdirSync(join(dir, stampOf(dir).build))
    expect(files).toEqual(expect.arrayContaining(["main.js", "capture-worker.js", "histogram-worker.js", "forest-worker.js", "worker-bootstrap.mjs"]))
    const stamp = stampOf(dir)
    expect(stamp.repo).toBe(join(repoRoot))
    expect(Object.keys(stamp.inputs)).toEqual(
      expect.arrayContaining(["packages/cli/src/main.ts", "plugins/source-synthetic/src/scenario/load.ts", "packages/cli/package.json", "packages/cli/bin/bundle.mjs"])
    )
  }, 300_000)

  it("is rebuilt when a file it was built from changes or the repository moves, and only then", async () => {
    const first = stampOf(dir)
    // a real file, counted as an input: unchanged, the bundle is reused
    const probe = join(dir, "probe.txt")
    writeFileSync(probe, "one")
    const probeStat = statSync(probe)
    const probePath = relative(repoRoot, probe).split("\\").join("/")
    writeFileSync(join(dir, "current.json"), JSON.stringify({ ...first, inputs: { ...first.inputs, [probePath]: [probeStat.mtimeMs, probeStat.size] } }))
    expect((await run(["--version"], env)).code).toBe(0)
    if (!sourcesDiffer(first)) expect(stampOf(dir).build).toBe(first.build)
    // the file changes: rebuilt (the stamp names a new folder; the old one stays for runs still using it)
    writeFileSync(probe, "two, longer")
    expect((await run(["--version"], env)).stdout.trim()).toBe("0.1.0")
    const second = stampOf(dir)
    expect(second.build).not.toBe(first.build)
    expect(second.inputs[probePath]).toBeUndefined()
    expect(builds(dir)).toEqual(expect.arrayContaining([first.build, second.build]))
    // built from another checkout: rebuilt
    writeFileSync(join(dir, "current.json"), JSON.stringify({ ...second, repo: "/elsewhere/hashhound" }))
    expect((await run(["--version"], env)).code).toBe(0)
    expect(stampOf(dir).build).not.toBe(second.build)
    expect(stampOf(dir).repo).toBe(join(repoRoot))
  }, 300_000)

  it("loads a third-party plugin package that imports the TypeScript @hashhound/core", async () => {
    const pipeline = join(work, "third-party.yaml")
    writeFileSync(
      pipeline,
      [
        "name: third-party",
        "output: out",
        `plugins: [${JSON.stringify(join(repoRoot, "test-fixtures", "pipeline", "third-party-plugin"))}]`,
        "datasets:",
        "  lab: { source: { type: source.synthetic, scenario: lab, duration_s: 60, seed: 1 } }",
        "features: [features.volume, { type: features.byte-ratio, smoothing: 0.5 }]",
        ""
      ].join("\n")
    )
    const result = await run(["validate", pipeline], env)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("2 feature group(s)")

    // the same plugin as the generator shapes a package: an exports map, no `main`, entry under src/
    const folder = join(work, "exports-only-plugin")
    mkdirSync(join(folder, "src"), { recursive: true })
    copyFileSync(join(repoRoot, "test-fixtures", "pipeline", "third-party-plugin", "index.mjs"), join(folder, "src", "index.mjs"))
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "exports-only-plugin", version: "0.1.0", type: "module", exports: { ".": "./src/index.mjs" } }))
    symlinkSync(join(repoRoot, "node_modules"), join(folder, "node_modules"), "dir")
    writeFileSync(pipeline, readFileSync(pipeline, "utf8").replace(/^plugins: .*$/m, 'plugins: ["./exports-only-plugin"]'))
    const byPath = await run(["validate", pipeline], env)
    expect(byPath.stderr).toBe("")
    expect(byPath.code).toBe(0)
  }, 300_000)
})

describeFixtures("the CLI bundle on real captures", () => {
  const dir = bundleDir()
  const env = { HASHHOUND_BUNDLE_DIR: dir }
  // two captures are read at once: one in the main thread, the other, started while the first is
  // still being read (both take a while), on a worker
  const inputs = [fixture("normal/pcapplusplus-example.pcap"), fixture("normal/pcapplusplus-example2.pcap")]
  const sortedLines = (file: string): ReadonlyArray<string> => readFileSync(file, "utf8").trim().split("\n").sort()

  it("meters captures on worker threads started from the bundle folder, with the flows the sources give", async () => {
    const bundled = await run(["flows", ...inputs, "--out", join(work, "bundled.csv"), "--format", "csv"], env)
    expect(bundled.code).toBe(0)
    expect(bundled.stderr).not.toContain("running from source")
    const source = await run(["flows", ...inputs, "--out", join(work, "source.csv"), "--format", "csv"], { HASHHOUND_FROM_SOURCE: "1" })
    expect(source.code).toBe(0)
    const rows = sortedLines(join(work, "bundled.csv"))
    expect(rows.length).toBeGreaterThan(3)
    expect(rows).toEqual(sortedLines(join(work, "source.csv")))
    // the workers were started from the bundle folder: without their entry the same run fails
    rmSync(join(dir, stampOf(dir).build, "capture-worker.js"))
    const broken = await run(["flows", ...inputs, "--out", join(work, "broken.csv"), "--format", "csv"], env)
    expect(broken.code).not.toBe(0)
    expect(broken.stderr).toContain("capture-worker.js")
  }, 300_000)
})

describe("running from source", () => {
  it("HASHHOUND_FROM_SOURCE=1 runs the TypeScript sources and builds nothing", async () => {
    const dir = bundleDir()
    const result = await run(["--version"], { HASHHOUND_FROM_SOURCE: "1", HASHHOUND_BUNDLE_DIR: dir })
    expect(result).toEqual({ code: 0, stdout: "0.1.0\n\n", stderr: "" })
    expect(existsSync(dir)).toBe(false)
  }, 120_000)

  it("a bundle that cannot be built: one line on stderr, then the command runs from source", async () => {
    const result = await run(["--version"], { HASHHOUND_BUNDLE_DIR: join(work, "outside") })
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe("0.1.0")
    expect(result.stderr).toMatch(/^hashhound: the bundle folder .* is outside the repository .*; running from source\n$/)
  }, 120_000)
})
