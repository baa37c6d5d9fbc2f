/**
 * The installed command (bin/hashhound, the shell launcher npm links as node_modules/.bin/hashhound):
 * it sets glibc's arena limit unless the environment has one, passes Node no V8 flags (they
 * cost Node's built-in code cache), finds hashhound.mjs through the symlink it is called by, hands
 * every argument on unchanged, and becomes the Node process (exec),
 * so exit codes and streams are the command's own. A stand-in `node` on PATH records what it got;
 * the last test runs the real command through a symlink.
 */
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

const binDir = join(dirname(fileURLToPath(import.meta.url)), "..", "bin")
const LAUNCHER = join(binDir, "hashhound")
const work = mkdtempSync(join(tmpdir(), "hh-launcher-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A folder holding a `node` that writes its arguments and MALLOC_ARENA_MAX to `record`, then exits 7. */
const standInNode = (record: string): string => {
  const dir = mkdtempSync(join(work, "path-"))
  const node = join(dir, "node")
  writeFileSync(
    node,
    `#!/bin/sh\n{ printf 'arena=%s\\n' "\${MALLOC_ARENA_MAX-unset}"; for a in "$@"; do printf 'arg=%s\\n' "$a"; done; } > '${record}'\nexit 7\n`
  )
  chmodSync(node, 0o755)
  return dir
}

const launch = (command: string, args: ReadonlyArray<string>, env: Record<string, string | undefined>) => {
  const merged: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) merged[key] = value
  return spawnSync(command, [...args], { encoding: "utf8", env: merged, timeout: 60_000 })
}

describe("bin/hashhound", () => {
  it("sets MALLOC_ARENA_MAX=2, runs hashhound.mjs beside it with every argument as given and no V8 flag, and exits with node's code", () => {
    const record = join(work, "plain.txt")
    const path = standInNode(record)
    const args = ["flows", "a capture.pcap", "--out", "x y.csv", "", "$HOME", "*"]
    const result = launch(LAUNCHER, args, { PATH: [path, process.env["PATH"]].join(delimiter), MALLOC_ARENA_MAX: undefined })
    expect(result.status).toBe(7)
    expect(readFileSync(record, "utf8").split("\n").filter((l) => l !== "")).toEqual([
      "arena=2",
      `arg=${join(binDir, "hashhound.mjs")}`,
      ...args.map((a) => `arg=${a}`)
    ])
  })

  it("keeps a MALLOC_ARENA_MAX the environment already has", () => {
    const record = join(work, "kept.txt")
    const path = standInNode(record)
    launch(LAUNCHER, ["--version"], { PATH: [path, process.env["PATH"]].join(delimiter), MALLOC_ARENA_MAX: "5" })
    expect(readFileSync(record, "utf8")).toContain("arena=5\n")
  })

  it("finds hashhound.mjs through a symlink, as npm links it into node_modules/.bin", () => {
    const record = join(work, "linked.txt")
    const path = standInNode(record)
    const link = join(mkdtempSync(join(work, "bin-")), "hashhound")
    symlinkSync(LAUNCHER, link)
    launch(link, ["plugins"], { PATH: [path, process.env["PATH"]].join(delimiter) })
    // hashhound.mjs first, as for every command
    expect(readFileSync(record, "utf8").split("\n")[1]).toBe(`arg=${join(binDir, "hashhound.mjs")}`)
  })

  it("runs the real command: --version prints the version, bad usage exits 2", () => {
    const link = join(mkdtempSync(join(work, "real-")), "hashhound")
    symlinkSync(LAUNCHER, link)
    const path = { PATH: [dirname(process.execPath), process.env["PATH"]].join(delimiter), NO_COLOR: "1" }
    const version = launch(link, ["--version"], path)
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toBe("0.1.0")
    const usage = launch(link, ["flows"], path)
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain("--out")
  }, 120_000)
})
