/**
 * The model contract: a `model.*` plugin's estimator behaviour, as checks and as a vitest suite
 * (`modelContract`).
 *
 * Holds: seeded synthetic problems (a separable one with a margin, and one with a constant
 * feature, an all-missing feature and NaN in the informative features), and checks that a model
 * learns the separable problem (held-out ROC-AUC at least `minAuc`, default 0.99), fits
 * deterministically for a seed, round-trips save/load to identical scores, refuses garbage and
 * unknown file versions, gives finite probabilities in [0, 1] with constant and missing
 * features, refuses a mismatched feature set with a tagged error naming the features (and
 * accepts reordered columns), refuses bad training input with a tagged error, and reports
 * importance for the fitted features. The common plugin checks (example.yaml decodes, README,
 * strict config) come from `plugin.ts`.
 * Does not hold: cross-dataset evaluation (the pipeline's), model-specific behaviour (each
 * plugin's own tests).
 */
import { describe, it } from "@effect/vitest"
import type { AnyPlugin, FeatureMatrix, ModelStage } from "@hashhound/core"
import { Effect, Either, Exit } from "effect"
import { check, exitViolations, registerChecks, runChecks, type ContractCheck } from "./check.js"
import { exampleConfig, pluginChecks, type PluginContractOptions } from "./plugin.js"
import { withoutType } from "./source-read.js"

export interface ModelContractOptions extends PluginContractOptions {
  /** raw config the checks fit with (default: the example.yaml entry); keep it quick */
  readonly config?: Readonly<Record<string, unknown>>
  /** least held-out ROC-AUC on the separable problem (default 0.99) */
  readonly minAuc?: number
  /** training rows of the synthetic problems (default 2000) */
  readonly rows?: number
  /** when set, the suite is registered as skipped with this reason (e.g. an optional package is absent) */
  readonly skip?: string
}

// ---------------------------------------------------------------- problems

/** A labelled feature matrix. */
export interface ModelProblem {
  readonly x: FeatureMatrix
  readonly y: Uint8Array
}

const seededUniform = (seed: number): (() => number) => {
  let a = seed >>> 0 || 1
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Mining iff `signal_a + signal_b > 0`, with no rows closer than 0.1 to the boundary; two noise
 * features. Deterministic for a seed.
 */
export const separableProblem = (rows: number, seed: number): ModelProblem => {
  const rand = seededUniform(seed)
  const names = ["signal_a", "signal_b", "noise_gauss", "noise_uniform"]
  const columns = names.map(() => new Float64Array(rows))
  const y = new Uint8Array(rows)
  for (let r = 0; r < rows; r++) {
    let a = 0
    let b = 0
    do {
      a = rand() * 2 - 1
      b = rand() * 2 - 1
    } while (Math.abs(a + b) < 0.1)
    columns[0]![r] = a
    columns[1]![r] = b
    columns[2]![r] = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand())
    columns[3]![r] = rand()
    y[r] = a + b > 0 ? 1 : 0
  }
  return { x: { names, rows, columns }, y }
}

/** The separable problem plus a constant and an all-missing feature, with 20% NaN in each signal. */
export const awkwardProblem = (rows: number, seed: number): ModelProblem => {
  const base = separableProblem(rows, seed)
  const rand = seededUniform(seed ^ 0x5bd1e995)
  const withGaps = base.x.columns.map((column, i) =>
    i < 2 ? Float64Array.from(column, (v) => (rand() < 0.2 ? Number.NaN : v)) : column
  )
  return {
    x: {
      names: [...base.x.names, "constant", "all_missing"],
      rows,
      columns: [...withGaps, new Float64Array(rows).fill(5), new Float64Array(rows).fill(Number.NaN)]
    },
    y: base.y
  }
}

/** ROC-AUC by the rank-sum formula (ties count half); NaN when a class is absent. */
export const contractRocAuc = (scores: Float64Array, y: Uint8Array): number => {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let rankSum = 0
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        positives++
        rankSum += (i + j + 2) / 2
      }
    }
    i = j + 1
  }
  const negatives = order.length - positives
  return positives === 0 || negatives === 0 ? Number.NaN : (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

// ---------------------------------------------------------------- helpers

const sameScores = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

/** First index where two score arrays differ, for messages. */
const firstDifference = (a: Float64Array, b: Float64Array): string => {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`
  const i = a.findIndex((v, k) => !Object.is(v, b[k]))
  return `row ${i}: ${a[i]} vs ${b[i]}`
}

const scoreViolations = (what: string, scores: unknown, rows: number): ReadonlyArray<string> => {
  if (!(scores instanceof Float64Array)) return [`${what}: predictProba did not return a Float64Array`]
  if (scores.length !== rows) return [`${what}: ${scores.length} scores for ${rows} rows`]
  const bad = scores.findIndex((v) => !(v >= 0 && v <= 1))
  return bad >= 0 ? [`${what}: score ${scores[bad]} at row ${bad} is not a probability in [0, 1]`] : []
}

/** A failure that must be tagged; its message must mention every string in `mentions`. */
const taggedFailure = (what: string, exit: Exit.Exit<unknown, unknown>, mentions: ReadonlyArray<string> = []): ReadonlyArray<string> => {
  const problems = [...exitViolations(what, exit, false)]
  if (problems.length > 0 || Exit.isSuccess(exit)) return problems
  const text = exit.cause.toString()
  for (const word of mentions) if (!text.includes(word)) problems.push(`${what} failed, but its error does not mention "${word}": ${text.split("\n")[0]}`)
  return problems
}

interface Fitted {
  readonly stage: ModelStage
  readonly fitted: unknown
}

/** The config the checks fit with. */
const contractConfig = (plugin: AnyPlugin, options: ModelContractOptions): Effect.Effect<Record<string, unknown>, string> =>
  options.config !== undefined
    ? Effect.succeed(withoutType(options.config))
    : Effect.flatMap(exampleConfig(plugin, options.exampleYaml), Either.match({ onLeft: (v) => Effect.fail(v.join("; ")), onRight: Effect.succeed }))

const makeStage = (plugin: AnyPlugin, options: ModelContractOptions): Effect.Effect<ModelStage, unknown> =>
  plugin.kind !== "model"
    ? Effect.fail(`kind is "${plugin.kind}", not "model"`)
    : Effect.flatMap(contractConfig(plugin, options), (raw) => Effect.suspend(() => plugin.make(raw)) as Effect.Effect<ModelStage, unknown>)

const fitOn = (plugin: AnyPlugin, options: ModelContractOptions, problem: ModelProblem): Effect.Effect<Fitted, unknown> =>
  Effect.flatMap(makeStage(plugin, options), (stage) =>
    Effect.map(Effect.suspend(() => stage.fit(problem.x, problem.y)), (fitted) => ({ stage, fitted }))
  )

// ---------------------------------------------------------------- checks

/** The model checks (without the common plugin checks). */
export const modelChecks = (plugin: AnyPlugin, options: ModelContractOptions): ReadonlyArray<ContractCheck> => {
  const rows = options.rows ?? 2000
  const minAuc = options.minAuc ?? 0.99
  const train = separableProblem(rows, 101)
  const test = separableProblem(Math.max(500, Math.floor(rows / 2)), 202)
  // one fit on the separable problem, shared by the checks that only need a fitted model
  const fitted = Effect.runSync(Effect.cached(fitOn(plugin, options, train)))
  const predict = (model: Fitted, x: FeatureMatrix) => Effect.suspend(() => model.stage.predictProba(model.fitted, x))

  return [
    check(
      `learns a separable problem (held-out ROC-AUC >= ${minAuc})`,
      Effect.gen(function* () {
        const model = yield* fitted
        const scores = yield* predict(model, test.x)
        const problems = [...scoreViolations("held-out scores", scores, test.x.rows)]
        const auc = contractRocAuc(scores, test.y)
        if (!(auc >= minAuc)) problems.push(`held-out ROC-AUC is ${auc.toFixed(4)}, below ${minAuc}`)
        return problems
      })
    ),
    check(
      "scores are probabilities in [0, 1], one per row",
      Effect.gen(function* () {
        const model = yield* fitted
        return [
          ...scoreViolations("training rows", yield* predict(model, train.x), train.x.rows),
          ...scoreViolations("a single row", yield* predict(model, { ...test.x, rows: 1, columns: test.x.columns.map((c) => c.slice(0, 1)) }), 1)
        ]
      })
    ),
    check(
      "fit is deterministic for a seed (two fits give identical scores)",
      Effect.gen(function* () {
        const first = yield* fitted
        const second = yield* fitOn(plugin, options, train)
        const a = yield* predict(first, test.x)
        const b = yield* predict(second, test.x)
        return sameScores(a, b) ? [] : [`two fits with the same config differ (${firstDifference(a, b)})`]
      })
    ),
    check(
      "save/load round-trips to identical scores",
      Effect.gen(function* () {
        const model = yield* fitted
        const bytes = yield* Effect.suspend(() => model.stage.save(model.fitted))
        if (!(bytes instanceof Uint8Array)) return ["save did not return a Uint8Array"]
        const loaded = yield* Effect.suspend(() => model.stage.load(bytes))
        const a = yield* predict(model, test.x)
        const b = yield* predict({ stage: model.stage, fitted: loaded }, test.x)
        const problems = sameScores(a, b) ? [] : [`loaded model scores differ (${firstDifference(a, b)})`]
        // a second stage (a later process) loads the same bytes
        const fresh = yield* makeStage(plugin, options)
        const reloaded = yield* Effect.suspend(() => fresh.load(bytes))
        const c = yield* predict({ stage: fresh, fitted: reloaded }, test.x)
        if (!sameScores(a, c)) problems.push(`a fresh stage scores the loaded model differently (${firstDifference(a, c)})`)
        return problems
      })
    ),
    check(
      "load refuses garbage and an unknown file version with a tagged error",
      Effect.gen(function* () {
        const model = yield* fitted
        const problems = [
          ...taggedFailure("load(garbage)", yield* Effect.exit(Effect.suspend(() => model.stage.load(new TextEncoder().encode("not a model file")))))
        ]
        const bytes = yield* Effect.suspend(() => model.stage.save(model.fitted))
        let parsed: unknown
        try {
          parsed = JSON.parse(new TextDecoder().decode(bytes))
        } catch {
          parsed = undefined
        }
        if (typeof parsed === "object" && parsed !== null && typeof (parsed as { version?: unknown }).version === "number") {
          const future = new TextEncoder().encode(JSON.stringify({ ...(parsed as object), version: 999 }))
          problems.push(...taggedFailure("load(version 999)", yield* Effect.exit(Effect.suspend(() => model.stage.load(future))), ["version"]))
        }
        return problems
      })
    ),
    check(
      "constant features and missing values (NaN) give finite probabilities",
      Effect.gen(function* () {
        const awkward = awkwardProblem(rows, 303)
        const model = yield* fitOn(plugin, options, awkward)
        const held = awkwardProblem(500, 404)
        const problems = [...scoreViolations("with NaN and constant features", yield* predict(model, held.x), held.x.rows)]
        // every value missing at prediction time
        const allMissing = { ...held.x, columns: held.x.columns.map((c) => new Float64Array(c.length).fill(Number.NaN)) }
        problems.push(...scoreViolations("with every value missing", yield* predict(model, allMissing), held.x.rows))
        // missing values where training had none
        const model2 = yield* fitted
        const gappy = { ...test.x, columns: test.x.columns.map((c, i) => (i === 0 ? c.map((v, r) => (r % 3 === 0 ? Number.NaN : v)) : c)) }
        problems.push(...scoreViolations("NaN in a feature that had none in training", yield* predict(model2, gappy), test.x.rows))
        return problems
      })
    ),
    check(
      "a mismatched feature set is refused with a tagged error naming the features; reordered columns are fine",
      Effect.gen(function* () {
        const model = yield* fitted
        const renamed = { ...test.x, names: test.x.names.map((n) => (n === "signal_b" ? "signal_z" : n)) }
        const dropped = { ...test.x, names: test.x.names.slice(0, -1), columns: test.x.columns.slice(0, -1) }
        const extra = { ...test.x, names: [...test.x.names, "surprise"], columns: [...test.x.columns, new Float64Array(test.x.rows)] }
        const problems = [
          ...taggedFailure("predict with a renamed feature", yield* Effect.exit(predict(model, renamed)), ["signal_b", "signal_z"]),
          ...taggedFailure("predict without a feature", yield* Effect.exit(predict(model, dropped)), [test.x.names[test.x.names.length - 1]!]),
          ...taggedFailure("predict with an extra feature", yield* Effect.exit(predict(model, extra)), ["surprise"])
        ]
        const order = test.x.names.map((_, i) => i).reverse()
        const reordered = { ...test.x, names: order.map((i) => test.x.names[i]!), columns: order.map((i) => test.x.columns[i]!) }
        const a = yield* predict(model, test.x)
        const b = yield* predict(model, reordered)
        if (!sameScores(a, b)) problems.push(`reordered columns give other scores (${firstDifference(a, b)})`)
        return problems
      })
    ),
    check(
      "bad training input fails with a tagged error, never a throw",
      Effect.gen(function* () {
        const stage = yield* makeStage(plugin, options)
        const small = separableProblem(200, 505)
        const fit = (x: FeatureMatrix, y: Uint8Array, w?: Float64Array) => Effect.exit(Effect.suspend(() => stage.fit(x, y, w)))
        return [
          ...taggedFailure("fit with one class", yield* fit(small.x, new Uint8Array(small.x.rows))),
          ...taggedFailure("fit with too few labels", yield* fit(small.x, small.y.slice(1))),
          ...taggedFailure("fit with label 2", yield* fit(small.x, Uint8Array.from(small.y, (v, i) => (i === 0 ? 2 : v)))),
          ...taggedFailure("fit with a negative weight", yield* fit(small.x, small.y, new Float64Array(small.x.rows).fill(-1))),
          ...taggedFailure("fit with zero rows", yield* fit({ ...small.x, rows: 0, columns: small.x.columns.map(() => new Float64Array(0)) }, new Uint8Array(0)))
        ]
      })
    ),
    check(
      "importance (when offered) covers the fitted features with finite non-negative values",
      Effect.gen(function* () {
        const model = yield* fitted
        if (model.stage.importance === undefined) return []
        const importance = model.stage.importance(model.fitted)
        const problems: Array<string> = []
        for (const name of train.x.names) {
          const value = importance[name]
          if (value === undefined) problems.push(`importance has no entry for "${name}"`)
          else if (!(Number.isFinite(value) && value >= 0)) problems.push(`importance of "${name}" is ${value}`)
        }
        for (const name of Object.keys(importance)) if (!train.x.names.includes(name)) problems.push(`importance names unknown feature "${name}"`)
        const top = Math.max(importance["signal_a"] ?? 0, importance["signal_b"] ?? 0)
        const noise = Math.max(importance["noise_gauss"] ?? 0, importance["noise_uniform"] ?? 0)
        if (!(top > noise)) problems.push(`a noise feature (${noise}) is at least as important as the signals (${top})`)
        return problems
      })
    )
  ]
}

/** Register the common plugin checks and the model checks as vitest tests. */
export const modelContract = (plugin: AnyPlugin, options: ModelContractOptions): void => {
  if (options.skip !== undefined) {
    describe.skip(`${plugin.id}: model contract [skipped: ${options.skip}]`, () => {
      it("model contract", () => undefined)
    })
    return
  }
  registerChecks(`${plugin.id}: model contract`, [...pluginChecks(plugin, options), ...modelChecks(plugin, options)], options.testTimeoutMs)
}

/** Every model-contract violation of a plugin, prefixed by check name (for tools and tests). */
export const modelContractViolations = (plugin: AnyPlugin, options: ModelContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...modelChecks(plugin, options)])
