import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { describe, expect, it } from "vitest"

describe("the test run's temporary folder (tools/vitest/temp-root.ts)", () => {
  it("is one folder of this run's, for the test files and the processes they start", () => {
    const root = tmpdir()
    expect(basename(root)).toMatch(/^hashhound-test-/)
    expect(existsSync(root)).toBe(true)
    expect(dirname(mkdtempSync(join(tmpdir(), "hh-root-")))).toBe(root)
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(require('node:os').tmpdir())"], { encoding: "utf8" })
    expect(child.stdout).toBe(root)
  })
})
