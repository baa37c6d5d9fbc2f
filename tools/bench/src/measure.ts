/**
 * Runs one command and measures it: wall time, peak resident memory, CPU time and exit status.
 *
 * Holds: `findExecutable` (PATH plus the sbin folders, where argus lives), `measureCommand`
 * (through GNU `/usr/bin/time -v -o FILE` when present, else by polling
 * `/proc/<pid>/status` VmHWM and `/proc/<pid>/stat` CPU ticks every 20 ms) and
 * `parseGnuTime` (its report).
 * Does not hold: which commands to run (`contenders.ts`).
 */
import { spawn } from "node:child_process"
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from "node:fs"
import { delimiter, join } from "node:path"

export const GNU_TIME = "/usr/bin/time"

/** Absolute path of an executable on PATH (or in the sbin folders), or undefined. */
export const findExecutable = (name: string): string | undefined => {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"]
  for (const dir of dirs) {
    if (dir === "") continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

export interface Measurement {
  readonly wallS: number
  /** peak resident set size in MiB, if it could be measured */
  readonly peakRssMb: number | undefined
  /** user + system CPU seconds, if it could be measured */
  readonly cpuS: number | undefined
  readonly exitCode: number
  /** how memory was measured */
  readonly method: "gnu-time" | "proc-poll"
}

export interface GnuTimeReport {
  readonly maxRssKb: number | undefined
  readonly cpuS: number | undefined
  readonly exitCode: number | undefined
}

/** The fields of a `/usr/bin/time -v` report that the benchmark uses. */
export const parseGnuTime = (text: string): GnuTimeReport => {
  const num = (label: string): number | undefined => {
    const match = new RegExp(`${label}:\\s*([0-9.]+)`).exec(text)
    return match?.[1] === undefined ? undefined : Number(match[1])
  }
  const user = num("User time \\(seconds\\)")
  const system = num("System time \\(seconds\\)")
  return {
    maxRssKb: num("Maximum resident set size \\(kbytes\\)"),
    cpuS: user === undefined || system === undefined ? undefined : user + system,
    exitCode: num("Exit status")
  }
}

export interface CommandSpec {
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** files that receive the command's stdout and stderr */
  readonly stdoutPath: string
  readonly stderrPath: string
  readonly cwd?: string
}

const waitExit = (child: ReturnType<typeof spawn>): Promise<number> =>
  new Promise((resolveExit, reject) => {
    child.once("error", reject)
    child.once("close", (code, signal) => resolveExit(code ?? (signal === null ? 1 : 128)))
  })

const withOutputs = async <A>(spec: CommandSpec, body: (stdio: [number, number, number]) => Promise<A>): Promise<A> => {
  const out = openSync(spec.stdoutPath, "w")
  const err = openSync(spec.stderrPath, "w")
  const stdin = openSync("/dev/null", "r")
  try {
    return await body([stdin, out, err])
  } finally {
    closeSync(out)
    closeSync(err)
    closeSync(stdin)
  }
}

const measureWithGnuTime = (spec: CommandSpec, reportPath: string): Promise<Measurement> =>
  withOutputs(spec, async (stdio) => {
    const started = process.hrtime.bigint()
    const child = spawn(GNU_TIME, ["-v", "-o", reportPath, spec.command, ...spec.args], { stdio, cwd: spec.cwd })
    const code = await waitExit(child)
    const wallS = Number(process.hrtime.bigint() - started) / 1e9
    const report = existsSync(reportPath) ? parseGnuTime(readFileSync(reportPath, "utf8")) : undefined
    return {
      wallS,
      peakRssMb: report?.maxRssKb === undefined ? undefined : report.maxRssKb / 1024,
      cpuS: report?.cpuS,
      exitCode: report?.exitCode ?? code,
      method: "gnu-time"
    }
  })

const CLOCK_TICKS = 100

const pollProc = (pid: number, state: { hwmKb: number; ticks: number }): void => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const hwm = /VmHWM:\s*(\d+)/.exec(status)
    if (hwm?.[1] !== undefined) state.hwmKb = Math.max(state.hwmKb, Number(hwm[1]))
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    state.ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0)
  } catch {
    // the process has exited between two polls
  }
}

const measureByPolling = (spec: CommandSpec): Promise<Measurement> =>
  withOutputs(spec, async (stdio) => {
    const started = process.hrtime.bigint()
    const child = spawn(spec.command, [...spec.args], { stdio, cwd: spec.cwd })
    const state = { hwmKb: 0, ticks: 0 }
    const pid = child.pid
    const timer = pid === undefined ? undefined : setInterval(() => pollProc(pid, state), 20)
    const code = await waitExit(child)
    if (timer !== undefined) clearInterval(timer)
    const wallS = Number(process.hrtime.bigint() - started) / 1e9
    return {
      wallS,
      peakRssMb: state.hwmKb > 0 ? state.hwmKb / 1024 : undefined,
      cpuS: state.ticks > 0 ? state.ticks / CLOCK_TICKS : undefined,
      exitCode: code,
      method: "proc-poll"
    }
  })

/** Run `spec` to completion and measure it; `reportPath` is a scratch file for GNU time. */
export const measureCommand = (spec: CommandSpec, reportPath: string, useGnuTime = existsSync(GNU_TIME)): Promise<Measurement> =>
  useGnuTime ? measureWithGnuTime(spec, reportPath) : measureByPolling(spec)
