/**
 * Vitest global setup: every test run gets one temporary folder of its own, made before the first
 * test file starts and removed when the run ends, pass or fail.
 *
 * It points `TMPDIR` at that folder, so `os.tmpdir()` in the test files, and in every `hashhound`
 * process a test starts, lands inside it. Tests that forget to clean up (the demo writes about
 * 900 MB) can then no longer fill the disk of the machine that runs them run after run.
 *
 * It does not clean up within a run; tests that write much still remove their own output.
 * `HASHHOUND_KEEP_TEST_TMP=1` keeps the folder and prints where it is, to look at what a test wrote.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export default function setup(): () => void {
  const previous = process.env["TMPDIR"]
  const root = mkdtempSync(join(tmpdir(), "hashhound-test-"))
  process.env["TMPDIR"] = root
  return () => {
    if (previous === undefined) delete process.env["TMPDIR"]
    else process.env["TMPDIR"] = previous
    if (process.env["HASHHOUND_KEEP_TEST_TMP"] === "1") {
      process.stdout.write(`test files kept in ${root}\n`)
      return
    }
    rmSync(root, { recursive: true, force: true })
  }
}
