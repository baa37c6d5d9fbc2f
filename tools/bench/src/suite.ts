/**
 * Times located contenders on one input, run after run, and folds the runs into one
 * `ToolResult` per tool (median wall and CPU time, highest peak RSS).
 *
 * Holds: `timeContenders` (all tools on one capture, interleaved run by run so that load from
 * other processes on the machine spreads over all tools alike) and `timeOne` (one tool).
 * Does not hold: the commands (`contenders.ts`) or the process measurement (`measure.ts`).
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import type { Located } from "./contenders.js"
import { measureCommand, type Measurement } from "./measure.js"
import { median, type ToolResult } from "./report.js"

interface RunRecord {
  readonly measurement: Measurement
  readonly flows: number | undefined
  readonly failure: string | undefined
}

/** The line of a failed run's stderr that says most: the first one naming an error, else the last. */
export const failureLine = (text: string): string => {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
  return lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? ""
}

const runOnce = async (found: Extract<Located, { _tag: "Found" }>, input: string, scratch: string): Promise<RunRecord> => {
  const outDir = join(scratch, `${found.contender.id}-out`)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const stdoutPath = join(scratch, `${found.contender.id}.stdout`)
  const stderrPath = join(scratch, `${found.contender.id}.stderr`)
  const measurement = await measureCommand(
    { command: found.path, args: found.contender.args(input, outDir), stdoutPath, stderrPath },
    join(scratch, `${found.contender.id}.time`)
  )
  const stdout = readFileSync(stdoutPath, "utf8")
  const stderr = readFileSync(stderrPath, "utf8")
  rmSync(outDir, { recursive: true, force: true })
  const failure = measurement.exitCode === 0 ? undefined : `failed (exit ${measurement.exitCode}): ${failureLine(stderr).slice(0, 160)}`
  return { measurement, flows: found.contender.flowsFrom?.(stdout, stderr), failure }
}

const fold = (located: Located, records: ReadonlyArray<RunRecord>): ToolResult => {
  const tool = located.contender.id
  if (located._tag === "Missing") return { tool, version: "", unavailable: located.reason }
  const failed = records.find((r) => r.failure !== undefined)
  if (failed?.failure !== undefined) return { tool, version: located.version, unavailable: failed.failure }
  const walls = records.map((r) => r.measurement.wallS)
  const cpus = records.flatMap((r) => (r.measurement.cpuS === undefined ? [] : [r.measurement.cpuS]))
  const rss = records.flatMap((r) => (r.measurement.peakRssMb === undefined ? [] : [r.measurement.peakRssMb]))
  return {
    tool,
    version: located.version,
    wallS: median(walls),
    ...(cpus.length > 0 ? { cpuS: median(cpus) } : {}),
    ...(rss.length > 0 ? { peakRssMb: Math.max(...rss) } : {}),
    ...(records[0]?.flows !== undefined ? { flows: records[0].flows } : {}),
    runs: walls
  }
}

export type Log = (line: string) => void

/** Every located tool on `input`, `runs` times each, interleaved. */
export const timeContenders = async (
  located: ReadonlyArray<Located>,
  input: string,
  runs: number,
  scratch: string,
  log: Log
): Promise<ReadonlyArray<ToolResult>> => {
  const records = new Map<string, Array<RunRecord>>()
  for (let run = 1; run <= runs; run++) {
    for (const entry of located) {
      if (entry._tag === "Missing") continue
      const list = records.get(entry.contender.id) ?? []
      if (list.some((r) => r.failure !== undefined)) continue
      const record = await runOnce(entry, input, scratch)
      list.push(record)
      records.set(entry.contender.id, list)
      log(
        `  run ${run}/${runs} ${entry.contender.id.padEnd(10)} ${record.measurement.wallS.toFixed(2)} s` +
          (record.measurement.peakRssMb === undefined ? "" : `, ${record.measurement.peakRssMb.toFixed(1)} MB`) +
          (record.failure === undefined ? "" : ` — ${record.failure}`)
      )
    }
  }
  return located.map((entry) => fold(entry, records.get(entry.contender.id) ?? []))
}

/** One tool on one input, `runs` times. */
export const timeOne = (located: Located, input: string, runs: number, scratch: string, log: Log): Promise<ToolResult> =>
  timeContenders([located], input, runs, scratch, log).then((results) => results[0]!)
