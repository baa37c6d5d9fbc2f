/**
 * Loading scenarios: the built-in `lab` and `production` files shipped in `scenarios/`, or a
 * scenario YAML file; overrides from the plugin config or CLI (duration, seed, time
 * compression, host group sizes); strict decoding plus the semantic checks.
 *
 * Holds: `loadScenario`, `BUILTIN_SCENARIOS`, `builtinScenarioPath`, `ScenarioOverrides`.
 * Does not hold: the format (see `schema.ts`) or generation.
 */
import { ConfigError, ConfigIssue, decodeStrict } from "@hashhound/core"
import { Effect, Either } from "effect"
import { readFile } from "node:fs/promises"
import { isAbsolute, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { checkScenario } from "./check.js"
import { Scenario } from "./schema.js"

export const BUILTIN_SCENARIOS = ["lab", "production"] as const
export type BuiltinScenario = (typeof BUILTIN_SCENARIOS)[number]

export const isBuiltinScenario = (name: string): name is BuiltinScenario => (BUILTIN_SCENARIOS as ReadonlyArray<string>).includes(name)

export const builtinScenarioPath = (name: BuiltinScenario): string => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url))

export interface ScenarioOverrides {
  readonly durationS?: number | undefined
  readonly seed?: number | undefined
  readonly timeCompression?: number | undefined
  /** host group name → host count */
  readonly hosts?: Readonly<Record<string, number>> | undefined
}

export interface LoadedScenario {
  readonly scenario: Scenario
  /** the file it came from */
  readonly file: string
}

/** Load `ref` (a built-in name or a path relative to `baseDir`), apply overrides, decode and check. */
export const loadScenario = (ref: string, baseDir: string, overrides: ScenarioOverrides = {}): Effect.Effect<LoadedScenario, ConfigError> =>
  Effect.gen(function* () {
    const file = isBuiltinScenario(ref) ? builtinScenarioPath(ref) : isAbsolute(ref) ? ref : resolve(baseDir, ref)
    const fail = (path: string, message: string) => new ConfigError({ file, issues: [new ConfigIssue({ path, message })] })
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: () => fail("", isBuiltinScenario(ref) ? "built-in scenario file is missing" : `cannot read scenario file (not "lab", "production" or a readable YAML file)`)
    })
    const raw: unknown = yield* Effect.try({ try: () => parse(text) as unknown, catch: (error) => fail("", `not valid YAML: ${String(error)}`) })
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return yield* fail("", "a scenario is a YAML mapping")
    const patched: Record<string, unknown> = { ...(raw as Record<string, unknown>) }
    if (overrides.durationS !== undefined) patched["duration_s"] = overrides.durationS
    if (overrides.seed !== undefined) patched["seed"] = overrides.seed
    if (overrides.timeCompression !== undefined) patched["time_compression"] = overrides.timeCompression
    const decoded = decodeStrict(Scenario)(patched)
    if (Either.isLeft(decoded)) return yield* new ConfigError({ file, issues: decoded.left })
    let scenario = decoded.right
    const hosts = overrides.hosts
    if (hosts !== undefined) {
      const known = new Set(scenario.host_groups.map((group) => group.name))
      const unknown = Object.keys(hosts).filter((name) => !known.has(name))
      if (unknown.length > 0) return yield* fail("hosts", `no host group named ${unknown.map((n) => `"${n}"`).join(", ")} (groups: ${[...known].join(", ")})`)
      scenario = { ...scenario, host_groups: scenario.host_groups.map((group) => (hosts[group.name] === undefined ? group : { ...group, count: hosts[group.name]! })) }
    }
    const issues = checkScenario(scenario)
    if (issues.length > 0) return yield* new ConfigError({ file, issues })
    return { scenario, file }
  })
