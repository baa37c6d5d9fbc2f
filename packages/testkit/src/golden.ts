/**
 * The golden-case runner: one test per `testcases/<case>/` folder of a plugin.
 *
 * Holds: `goldenCases(dir, run)` which, for every case folder holding a `config.yaml`, parses
 * the stage entry, runs it with the caller's `run(caseDir, configRaw)` and compares the result
 * with `expected.json` (deep equality, numbers with a relative tolerance) or `expected.csv`
 * (rows); with `HASHHOUND_UPDATE_GOLDEN=1` it writes the expected file instead. Also
 * `runGoldenCase` for a single folder.
 * Does not hold: the comparison itself (see `golden-compare.ts`).
 */
import { existsSync, readdirSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parse } from "yaml"
import { repoRoot } from "./fixtures.js"
import { csvDiff, goldenDiff, rowsToCsv, toGoldenJson, type Tolerance } from "./golden-compare.js"

export interface GoldenOptions extends Tolerance {
  /** per-case time limit in ms (vitest's default when absent) */
  readonly timeoutMs?: number
}

export const GOLDEN_UPDATE_ENV = "HASHHOUND_UPDATE_GOLDEN"

export const isGoldenUpdate = (): boolean => process.env[GOLDEN_UPDATE_ENV] === "1"

/** The folder holding the cases: `dir/testcases` when there is one, else `dir`. */
export const casesFolder = (dir: string): string => (existsSync(join(dir, "testcases")) ? join(dir, "testcases") : dir)

/** Case folders (those with a config.yaml), sorted by name. */
export const listGoldenCases = (dir: string): ReadonlyArray<string> => {
  const root = casesFolder(dir)
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "config.yaml")))
    .map((entry) => join(root, entry.name))
    .sort()
}

const readText = (path: string) => Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (error) => new Error(`cannot read ${path}: ${String(error)}`) })
const writeText = (path: string, text: string) =>
  Effect.tryPromise({ try: () => writeFile(path, text), catch: (error) => new Error(`cannot write ${path}: ${String(error)}`) })

const asRows = (value: unknown): ReadonlyArray<Readonly<Record<string, unknown>>> | undefined => {
  const json = toGoldenJson(value)
  return Array.isArray(json) && json.every((row) => typeof row === "object" && row !== null && !Array.isArray(row))
    ? (json as ReadonlyArray<Record<string, unknown>>)
    : undefined
}

/**
 * Run one case folder and return the differences from its expected file (empty = pass). In
 * update mode the expected file is written and the result is empty.
 */
export const runGoldenCase = <E, R>(
  caseDir: string,
  run: (caseDir: string, configRaw: unknown) => Effect.Effect<unknown, E, R>,
  options: Tolerance = {}
): Effect.Effect<ReadonlyArray<string>, E | Error, R> =>
  Effect.gen(function* () {
    const configText = yield* readText(join(caseDir, "config.yaml"))
    const configRaw: unknown = yield* Effect.try({ try: () => parse(configText) as unknown, catch: (error) => new Error(`config.yaml: ${String(error)}`) })
    const actual = yield* run(caseDir, configRaw)
    const jsonPath = join(caseDir, "expected.json")
    const csvPath = join(caseDir, "expected.csv")
    const csvMode = existsSync(csvPath) && !existsSync(jsonPath)
    if (csvMode) {
      const rows = asRows(actual)
      if (rows === undefined) return ["expected.csv needs the run to return rows (an array of objects or an Arrow table)"]
      if (isGoldenUpdate()) return yield* Effect.as(writeText(csvPath, rowsToCsv(rows)), [])
      return csvDiff(rowsToCsv(rows), yield* readText(csvPath), options)
    }
    const json = toGoldenJson(actual)
    if (isGoldenUpdate()) return yield* Effect.as(writeText(jsonPath, `${JSON.stringify(json, null, 2)}\n`), [])
    if (!existsSync(jsonPath)) return [`${jsonPath} is missing; run with ${GOLDEN_UPDATE_ENV}=1 to write it`]
    const expectedText = yield* readText(jsonPath)
    const expected: unknown = yield* Effect.try({ try: () => JSON.parse(expectedText) as unknown, catch: (error) => new Error(`expected.json: ${String(error)}`) })
    return goldenDiff(json, expected, options)
  })

/** Register one live test per case folder under `dir` (or `dir/testcases`). */
export const goldenCases = <E>(
  dir: string,
  run: (caseDir: string, configRaw: unknown) => Effect.Effect<unknown, E>,
  options: GoldenOptions = {}
): void => {
  const cases = listGoldenCases(dir)
  const where = relative(repoRoot(), casesFolder(dir))
  describe(`golden cases in ${where.startsWith("..") ? casesFolder(dir) : where}`, () => {
    if (cases.length === 0) {
      it("has at least one case", () => {
        expect.fail(`no case folders with a config.yaml under ${casesFolder(dir)}`)
      })
      return
    }
    for (const caseDir of cases) {
      it.live(
        basename(caseDir),
        () => Effect.map(runGoldenCase(caseDir, run, options), (diffs) => expect(diffs, `golden case ${caseDir}`).toEqual([])),
        options.timeoutMs
      )
    }
  })
}
