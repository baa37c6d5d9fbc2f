/**
 * Fixture locator for the real third-party captures and exports in `../shared/fixtures`.
 *
 * Holds: where the folder is (HASHHOUND_FIXTURES, else `<repo>/../shared/fixtures`), a path
 * helper, and `describeFixtures`, which skips a test group with a clear message when the
 * folder is absent. Fixtures are read in place and never copied into the repository.
 * Does not hold: inputs the project makes itself (those live in `test-fixtures/`).
 */
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe } from "vitest"

/** The repository root: the nearest folder above this file that holds nx.json. */
export const repoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, "nx.json"))) {
    const parent = dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
  return dir
}

export const fixturesDir = (): string =>
  process.env["HASHHOUND_FIXTURES"] !== undefined && process.env["HASHHOUND_FIXTURES"] !== ""
    ? resolve(process.env["HASHHOUND_FIXTURES"])
    : resolve(repoRoot(), "..", "shared", "fixtures")

export const hasFixtures = (): boolean => existsSync(join(fixturesDir(), "PROVENANCE.md"))

/** Absolute path of a fixture file, e.g. `fixture("mining/peafowl-stratum.pcap")`. */
export const fixture = (relative: string): string => join(fixturesDir(), relative)

/** Inputs the project generates itself, under `test-fixtures/`. */
export const projectFixture = (relative: string): string => join(repoRoot(), "test-fixtures", relative)

const skipMessage = (): string =>
  `skipped: the real fixtures folder ${fixturesDir()} is absent (set HASHHOUND_FIXTURES or check out ../shared/fixtures)`

/** A describe block that runs only when the real fixtures are present, and says why when not. */
export const describeFixtures = (name: string, body: () => void): void => {
  if (hasFixtures()) describe(name, body)
  else describe.skip(`${name} [${skipMessage()}]`, body)
}
