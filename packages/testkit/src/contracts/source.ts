/**
 * The source contract: what every `source.*` plugin must do with a real input, as checks and
 * as a vitest suite (`sourceContract`).
 *
 * Holds: plan gives stable units; a read ends, is interruptible (take(1), or interrupt
 * mid-stream) and can be read again the same way; file handles are released on every path;
 * batch indices run 0,1,2…; columns are catalogue columns (with catalogue types) or declared in
 * `provides`; at most MAX_BATCH_ROWS rows a batch; findings are Finding values from this plugin;
 * a missing input fails with a tagged error, never a defect.
 * Does not hold: the common checks (plugin.ts) or how sources are read (source-read.ts).
 */
import { createHash } from "node:crypto"
import { join } from "node:path"
import {
  arrowTypeOf,
  COLUMN_BY_NAME,
  Finding,
  MAX_BATCH_ROWS,
  type AnyPlugin,
  type Plugin,
  type SourceEvent,
  type SourceStage,
  type SourceUnit,
  type StageContext
} from "@hashhound/core"
import type { DataType } from "apache-arrow"
import { Deferred, Effect, Fiber, Option, Schema, Stream } from "effect"
import { rowsOf } from "../batches.js"
import { check, exitViolations, registerChecks, runChecks, withinLive, type ContractCheck } from "./check.js"
import { pluginChecks, type PluginContractOptions } from "./plugin.js"
import { collectUnit, makeSource, openFileCount, scopedContext, settleOpenFiles, withoutType } from "./source-read.js"

export interface SourceInput {
  /** raw stage config for a real read (with or without `type`) */
  readonly config: unknown
  /** folder the config's relative paths resolve from */
  readonly baseDir: string
  /** id of the unit to read (default: the first planned unit) */
  readonly unit?: string
}

export interface SourceContractOptions extends PluginContractOptions {
  readonly input: SourceInput
  /** a raw config whose plan must fail (default: `input.config` with `paths` pointing nowhere, when it has `paths`) */
  readonly missingInput?: unknown
  /** a read of the input must end within this (default 30 s) */
  readonly readTimeoutMs?: number
  /** an interrupted read must end within this (default 5 s) */
  readonly interruptTimeoutMs?: number
  /** how long released file handles may take to close (default 2 s) */
  readonly settleMs?: number
}

interface Prepared {
  readonly stage: SourceStage
  readonly unit: SourceUnit
  readonly ctx: StageContext
  readonly provides: ReadonlyArray<string>
}

type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly violations: ReadonlyArray<string> }

const MISSING = "hh-contract-missing/nothing-here.bin"

/** Make the stage, plan and pick the unit; scoped (the work folder goes away afterwards). */
const prepare = (plugin: Plugin<"source">, input: SourceInput) =>
  Effect.gen(function* () {
    const ctx = yield* scopedContext(input.baseDir)
    const made = yield* Effect.either(makeSource(plugin, input.config))
    if (made._tag === "Left") return { ok: false, violations: [`make(input config) failed: ${made.left.message}`] } as Outcome<Prepared>
    const stage = made.right
    const planned = yield* Effect.either(Effect.suspend(() => stage.plan(ctx)))
    if (planned._tag === "Left") return { ok: false, violations: [`plan(input) failed: ${planned.left.message}`] } as Outcome<Prepared>
    const unit = input.unit === undefined ? planned.right[0] : planned.right.find((u) => u.id === input.unit)
    if (unit === undefined)
      return { ok: false, violations: [input.unit === undefined ? "plan(input) gave no units" : `plan(input) has no unit "${input.unit}"`] } as Outcome<Prepared>
    const provides = plugin.columnsFor(withoutType(input.config)).provides
    return { ok: true, value: { stage, unit, ctx, provides } } as Outcome<Prepared>
  })

/** Run `body` with a prepared stage, or report why it could not be prepared. */
const withPrepared = (
  plugin: AnyPlugin,
  input: SourceInput,
  body: (prepared: Prepared) => Effect.Effect<ReadonlyArray<string>, unknown>
): Effect.Effect<ReadonlyArray<string>, unknown> => {
  if (plugin.kind !== "source") return Effect.succeed([`kind is "${plugin.kind}", not "source"`])
  return Effect.scoped(Effect.flatMap(prepare(plugin, input), (outcome) => (outcome.ok ? body(outcome.value) : Effect.succeed(outcome.violations))))
}

/** Read the unit to the end within the time limit. */
const fullRead = (prepared: Prepared, timeoutMs: number): Effect.Effect<Outcome<ReadonlyArray<SourceEvent>>> =>
  Effect.map(Effect.either(withinLive(timeoutMs, collectUnit(prepared.stage, prepared.unit, prepared.ctx))), (result) =>
    result._tag === "Left"
      ? { ok: false, violations: [`read(${prepared.unit.id}) failed: ${result.left.message}`] }
      : Option.match(result.right, {
          onNone: () => ({ ok: false, violations: [`read(${prepared.unit.id}) did not end within ${timeoutMs} ms (the stream must be finite)`] }),
          onSome: (events) => ({ ok: true, value: events })
        })
  )

const batchesOf = (events: ReadonlyArray<SourceEvent>) => events.flatMap((event) => (event._tag === "Batch" ? [event] : []))

/** Rows beyond this many in one read are compared by shape only, not by content. */
const CONTENT_COMPARE_ROWS = 20_000

/** A comparable fingerprint of a read: per batch its index, rows, columns (and content when small); the findings. */
const shapeOf = (events: ReadonlyArray<SourceEvent>): string => {
  const small = batchesOf(events).reduce((sum, event) => sum + event.batch.numRows, 0) <= CONTENT_COMPARE_ROWS
  return JSON.stringify(
    events.map((event) =>
      event._tag === "Batch"
        ? [
            event.index,
            event.batch.numRows,
            event.batch.schema.fields.map((field) => field.name),
            small ? createHash("sha1").update(JSON.stringify(rowsOf(event.batch), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).digest("hex") : ""
          ]
        : [event.finding.code, event.finding.offset ?? null]
    )
  )
}

const typeMatches = (actual: DataType, expected: DataType): boolean => {
  const inner = (actual as { dictionary?: DataType }).dictionary ?? actual
  return String(inner) === String(expected)
}

/** Judge the events of one full read. */
export const eventViolations = (pluginId: string, events: ReadonlyArray<SourceEvent>, provides: ReadonlyArray<string>) => {
  const indices: Array<string> = []
  const columns: Array<string> = []
  const sizes: Array<string> = []
  const findings: Array<string> = []
  const batches = batchesOf(events)
  if (batches.length === 0 || batches.every((event) => event.batch.numRows === 0)) indices.push("the read gave no flows at all")
  batches.forEach((event, position) => {
    if (event.index !== position) indices.push(`batch #${position} has index ${event.index} (expected ${position})`)
    const batch = event.batch
    if (typeof batch?.numRows !== "number" || batch.schema === undefined) {
      columns.push(`batch ${event.index} is not an Arrow table`)
      return
    }
    if (batch.numRows > MAX_BATCH_ROWS) sizes.push(`batch ${event.index} has ${batch.numRows} rows (max ${MAX_BATCH_ROWS})`)
    for (const field of batch.schema.fields) {
      const spec = COLUMN_BY_NAME.get(field.name)
      if (spec === undefined) {
        if (!provides.includes(field.name)) columns.push(`batch ${event.index}: column "${field.name}" is neither a catalogue column nor in provides`)
      } else if (!typeMatches(field.type, arrowTypeOf(spec.type)))
        columns.push(`batch ${event.index}: column "${field.name}" is ${String(field.type)}, the catalogue says ${String(arrowTypeOf(spec.type))}`)
    }
  })
  for (const event of events) {
    if (event._tag !== "Finding") continue
    if (!Schema.is(Finding)(event.finding)) findings.push(`a finding is not a Finding value: ${JSON.stringify(event.finding)}`)
    else if (event.finding.source !== pluginId) findings.push(`finding "${event.finding.code}" has source "${event.finding.source}", expected "${pluginId}"`)
  }
  return { indices, columns: [...new Set(columns)], sizes, findings }
}

/** Interrupt a read after its first event; violations when it does not end in time or dies. */
export const checkInterruptible = (prepared: Prepared, readTimeoutMs: number, interruptTimeoutMs: number) =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    // a daemon, so uninterruptible work left behind by a broken source does not hold up the check
    const fiber = yield* Effect.forkDaemon(
      Stream.runDrain(Stream.tap(Stream.suspend(() => prepared.stage.read(prepared.unit, prepared.ctx)), () => Deferred.succeed(started, undefined)))
    )
    const first = yield* withinLive(readTimeoutMs, Deferred.await(started))
    yield* Fiber.interruptFork(fiber)
    const done = yield* withinLive(interruptTimeoutMs, Fiber.await(fiber))
    const problems: Array<string> = []
    if (Option.isNone(first)) problems.push(`no event within ${readTimeoutMs} ms`)
    if (Option.isNone(done)) problems.push(`interrupting the read did not end it within ${interruptTimeoutMs} ms (uninterruptible work in the stream?)`)
    else if (done.value._tag === "Failure") problems.push(...exitViolations("the interrupted read", done.value).filter((p) => !p.endsWith("was interrupted")))
    return problems
  })

/** take(1) then a full read again: the second read gives what a fresh read gives. */
export const checkTakeOneThenReread = (prepared: Prepared, readTimeoutMs: number) =>
  Effect.gen(function* () {
    const before = yield* fullRead(prepared, readTimeoutMs)
    if (!before.ok) return before.violations
    const one = yield* Effect.either(withinLive(readTimeoutMs, Stream.runCollect(Stream.take(Stream.suspend(() => prepared.stage.read(prepared.unit, prepared.ctx)), 1))))
    if (one._tag === "Left") return [`read(...).take(1) failed: ${one.left.message}`]
    if (Option.isNone(one.right)) return [`read(...).take(1) did not end within ${readTimeoutMs} ms`]
    const after = yield* fullRead(prepared, readTimeoutMs)
    if (!after.ok) return after.violations.map((v) => `after take(1): ${v}`)
    return shapeOf(before.value) === shapeOf(after.value) ? [] : ["a read after take(1) differs from a fresh read (batches, rows, columns or findings)"]
  })

/** Descriptors opened by a full read, a take(1) and an interrupted read are all closed again. */
export const checkFilesReleased = (prepared: Prepared, options: { readonly readTimeoutMs: number; readonly interruptTimeoutMs: number; readonly settleMs: number }) =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    const read = () => Stream.suspend(() => prepared.stage.read(prepared.unit, prepared.ctx))
    // one read first, so what a plugin opens once and keeps (a lazily loaded module) is in the baseline
    const before = openFileCount()
    yield* Effect.ignore(withinLive(options.readTimeoutMs, Stream.runDrain(read())))
    yield* settleOpenFiles(before, options.settleMs)
    const baseline = openFileCount()
    const leaks = (what: string) =>
      Effect.map(settleOpenFiles(baseline, options.settleMs), (extra) => {
        if (extra > 0) problems.push(`${extra} file descriptor(s) stayed open after ${what}`)
      })
    yield* Effect.ignore(withinLive(options.readTimeoutMs, Stream.runDrain(read())))
    yield* leaks("a full read")
    yield* Effect.ignore(withinLive(options.readTimeoutMs, Stream.runDrain(Stream.take(read(), 1))))
    yield* leaks("take(1)")
    yield* Effect.ignore(checkInterruptible(prepared, options.readTimeoutMs, options.interruptTimeoutMs))
    yield* leaks("an interrupted read")
    return problems
  })

/** A missing input: plan fails with a tagged error, reading a missing file never dies. */
export const checkMissingInput = (plugin: AnyPlugin, options: SourceContractOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      if (plugin.kind !== "source") return [`kind is "${plugin.kind}", not "source"`]
      const ctx = yield* scopedContext(options.input.baseDir)
      const problems: Array<string> = []
      const base = withoutType(options.input.config)
      const missing = options.missingInput !== undefined ? withoutType(options.missingInput) : Array.isArray(base["paths"]) ? { ...base, paths: [MISSING] } : undefined
      if (missing !== undefined) {
        const exit = yield* Effect.exit(Effect.flatMap(makeSource(plugin, missing), (stage) => Effect.suspend(() => stage.plan(ctx))))
        problems.push(...exitViolations("plan(missing input)", exit, false))
      }
      const made = yield* Effect.either(makeSource(plugin, base))
      if (made._tag === "Right") {
        const unit: SourceUnit = { id: "nothing-here.bin", path: join(options.input.baseDir, MISSING), fingerprint: "missing" }
        const exit = yield* Effect.exit(withinLive(options.readTimeoutMs ?? 30_000, collectUnit(made.right, unit, ctx)))
        problems.push(...exitViolations("read(unit whose file is missing)", exit))
      }
      return problems
    })
  )

/** The source-specific checks (run them after `pluginChecks`). */
export const sourceChecks = (plugin: AnyPlugin, options: SourceContractOptions): ReadonlyArray<ContractCheck> => {
  const readTimeoutMs = options.readTimeoutMs ?? 30_000
  const interruptTimeoutMs = options.interruptTimeoutMs ?? 5_000
  const settleMs = options.settleMs ?? 2_000
  const judged = (pick: (v: ReturnType<typeof eventViolations>) => ReadonlyArray<string>) =>
    withPrepared(plugin, options.input, (prepared) =>
      Effect.map(fullRead(prepared, readTimeoutMs), (read) => (read.ok ? pick(eventViolations(plugin.id, read.value, prepared.provides)) : read.violations))
    )
  return [
    check(
      "plan lists units with ids and fingerprints, the same each time",
      withPrepared(plugin, options.input, (prepared) =>
        Effect.map(Effect.suspend(() => prepared.stage.plan(prepared.ctx)), (units) => {
          const problems: Array<string> = []
          const ids = units.map((unit) => unit.id)
          if (new Set(ids).size !== ids.length) problems.push(`unit ids repeat: ${ids.join(", ")}`)
          for (const unit of units) if (unit.id === "" || unit.fingerprint === "") problems.push(`unit "${unit.id}" has an empty id or fingerprint`)
          if (!units.some((unit) => unit.id === prepared.unit.id && unit.fingerprint === prepared.unit.fingerprint)) problems.push("a second plan differs from the first")
          return problems
        })
      )
    ),
    check("read ends and gives flows (the stream is finite)", judged(() => [])),
    check("batch indices run 0, 1, 2, …", judged((v) => v.indices)),
    check("columns are catalogue columns (with catalogue types) or declared in provides", judged((v) => v.columns)),
    check(`batches hold at most MAX_BATCH_ROWS (${MAX_BATCH_ROWS}) rows`, judged((v) => v.sizes)),
    check("findings are Finding values reported by this plugin", judged((v) => v.findings)),
    check("a read stopped after one event (take 1) can be read again, the same way", withPrepared(plugin, options.input, (p) => checkTakeOneThenReread(p, readTimeoutMs))),
    check("interrupting a read mid-stream ends it promptly", withPrepared(plugin, options.input, (p) => checkInterruptible(p, readTimeoutMs, interruptTimeoutMs))),
    check(
      "file handles are released after a full read, a take(1) and an interruption",
      withPrepared(plugin, options.input, (p) => checkFilesReleased(p, { readTimeoutMs, interruptTimeoutMs, settleMs }))
    ),
    check("a missing input fails with a tagged error, never a defect", checkMissingInput(plugin, options))
  ]
}

/** Register the common and the source contract for one source plugin. */
export const sourceContract = (plugin: AnyPlugin, options: SourceContractOptions): void =>
  registerChecks(`${plugin.id}: source contract`, [...pluginChecks(plugin, options), ...sourceChecks(plugin, options)], options.testTimeoutMs)

/** Every violation of the common and source contract, prefixed by check name. */
export const sourceContractViolations = (plugin: AnyPlugin, options: SourceContractOptions): Effect.Effect<ReadonlyArray<string>> =>
  runChecks([...pluginChecks(plugin, options), ...sourceChecks(plugin, options)])
