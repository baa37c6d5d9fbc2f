/**
 * Reading a source plugin the way the pipeline does, for contract checks and golden cases.
 *
 * Holds: a throwaway StageContext (temp work folder removed afterwards), `makeSource`,
 * `readSource` (plan, then every unit read to the end), `summarizeSource` (a JSON-friendly
 * summary for expected.json), and the open-file-descriptor count used to spot leaks.
 * Does not hold: the checks that judge what was read (see `source.ts`).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ConfigError, InputError, Plugin, PluginError, SourceEvent, SourceStage, SourceUnit, StageContext } from "@hashhound/core"
import { Chunk, Clock, Effect, Stream } from "effect"
import { rowsOf } from "../batches.js"

/** A raw stage entry without its `type` key (entries from config.yaml carry one). */
export const withoutType = (raw: unknown): Record<string, unknown> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {}
  const { type: _type, ...rest } = raw as Record<string, unknown>
  return rest
}

/** A StageContext over `baseDir` with a fresh work folder, removed when the scope closes. */
export const scopedContext = (baseDir: string, dataset = "contract") =>
  Effect.acquireRelease(
    Effect.map(
      Effect.promise(() => mkdtemp(join(tmpdir(), "hh-stage-"))),
      (workDir): StageContext => ({ dataset, baseDir, workDir })
    ),
    (ctx) => Effect.promise(() => rm(ctx.workDir, { recursive: true, force: true }))
  )

/** Make the source stage from a raw config (with or without `type`). */
export const makeSource = (plugin: Plugin<"source">, raw: unknown): Effect.Effect<SourceStage, ConfigError | PluginError> =>
  Effect.suspend(() => plugin.make(withoutType(raw)))

export interface SourceRead {
  readonly units: ReadonlyArray<SourceUnit>
  /** events per unit id, in plan order */
  readonly events: ReadonlyArray<{ readonly unit: SourceUnit; readonly events: ReadonlyArray<SourceEvent> }>
}

/** Collect one unit's events. */
export const collectUnit = (
  stage: SourceStage,
  unit: SourceUnit,
  ctx: StageContext
): Effect.Effect<ReadonlyArray<SourceEvent>, PluginError | InputError> =>
  Effect.map(Stream.runCollect(Stream.suspend(() => stage.read(unit, ctx))), Chunk.toReadonlyArray)

/** Plan and read every unit to the end, as the pipeline would (one unit after another). */
export const readSource = (
  plugin: Plugin<"source">,
  raw: unknown,
  baseDir: string
): Effect.Effect<SourceRead, ConfigError | PluginError | InputError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const ctx = yield* scopedContext(baseDir)
      const stage = yield* makeSource(plugin, raw)
      const units = yield* Effect.suspend(() => stage.plan(ctx))
      const events = yield* Effect.forEach(units, (unit) => Effect.map(collectUnit(stage, unit, ctx), (list) => ({ unit, events: list })))
      return { units, events }
    })
  )

/** A JSON-friendly summary of a read: per unit its batches (rows, columns), the first rows, findings. */
export const summarizeSource = (read: SourceRead, options: { readonly sampleRows?: number } = {}) => {
  const sampleRows = options.sampleRows ?? 3
  return {
    units: read.events.map(({ unit, events }) => {
      const batches = events.flatMap((event) => (event._tag === "Batch" ? [event] : []))
      const findings = events.flatMap((event) => (event._tag === "Finding" ? [event.finding] : []))
      const first = batches[0]
      return {
        id: unit.id,
        batches: batches.map((event) => ({ index: event.index, rows: event.batch.numRows })),
        rows: batches.reduce((sum, event) => sum + event.batch.numRows, 0),
        columns: first === undefined ? [] : first.batch.schema.fields.map((field) => field.name),
        sample: first === undefined ? [] : rowsOf(first.batch).slice(0, sampleRows),
        findings: findings.map((finding) => ({
          code: finding.code,
          severity: finding.severity,
          message: finding.message,
          ...(finding.offset === undefined ? {} : { offset: finding.offset }),
          ...(finding.count === undefined ? {} : { count: finding.count })
        }))
      }
    })
  }
}

/** Open file descriptors of this process (Linux /proc), else open file handles and file requests. */
export const openFileCount = (): number => {
  try {
    return readdirSync("/proc/self/fd").length
  } catch {
    return process.getActiveResourcesInfo().filter((name) => name === "FileHandle" || name.startsWith("FSReq")).length
  }
}

/**
 * Wait (live clock) until no more descriptors are open than `baseline`, for at most `ms`;
 * returns how many are still open above it (0 = released).
 */
export const settleOpenFiles = (baseline: number, ms: number): Effect.Effect<number> =>
  Effect.withClock(
    Effect.gen(function* () {
      const until = Date.now() + ms
      for (;;) {
        const extra = openFileCount() - baseline
        if (extra <= 0 || Date.now() >= until) return Math.max(0, extra)
        yield* Effect.sleep("20 millis")
      }
    }),
    Clock.make()
  )
