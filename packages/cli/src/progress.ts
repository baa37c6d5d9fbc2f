/**
 * Progress rendering for the CLI: bars on a TTY, plain log lines otherwise, nothing with --quiet.
 *
 * Holds: three `Progress` implementations (core pipeline contract) and the choice between them.
 * Does not hold: what is reported (the runner decides that).
 */
import { Progress, type ProgressEvent, type ProgressSink } from "@hashhound/pipeline"
import { Effect, Layer } from "effect"

export type ProgressMode = "bars" | "lines" | "quiet"

export const chooseMode = (quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode =>
  quiet ? "quiet" : stream.isTTY === true && process.env["CI"] === undefined ? "bars" : "lines"

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
const count = (n: number): string => n.toLocaleString("en-US")

interface UnitState {
  readonly key: string
  bytesRead: number
  totalBytes: number
  flows: number
  readonly started: number
  lastLinePercent: number
}

const describe = (event: ProgressEvent): string | undefined => {
  switch (event._tag) {
    case "StageStart":
      return `${event.dataset === undefined ? "" : `[${event.dataset}] `}${event.stage} …`
    case "StageDone":
      return `${event.dataset === undefined ? "" : `[${event.dataset}] `}${event.stage} done${event.detail === undefined ? "" : `: ${event.detail}`}`
    case "UnitDone":
      return `[${event.dataset}] ${event.unit}: ${event.skipped ? "already done, skipped" : `${count(event.flows)} flows`}`
    case "Log":
      return `${event.level === "info" ? "" : `${event.level}: `}${event.message}`
    case "UnitProgress":
      return undefined
  }
}

const rate = (state: UnitState): string => {
  const seconds = (Date.now() - state.started) / 1000
  return seconds > 0.2 ? `${mb(state.bytesRead / seconds)}/s` : ""
}

/** Plain lines: one per stage event, unit progress every 25 %. */
export const linesSink = (write: (line: string) => void): ProgressSink => {
  const units = new Map<string, UnitState>()
  return {
    emit: (event) =>
      Effect.sync(() => {
        if (event._tag === "UnitProgress") {
          const key = `${event.dataset}/${event.unit}`
          const state = units.get(key) ?? { key, bytesRead: 0, totalBytes: 0, flows: 0, started: Date.now(), lastLinePercent: 0 }
          units.set(key, state)
          state.bytesRead = event.bytesRead
          state.totalBytes = event.totalBytes
          state.flows = event.flows
          const percent = event.totalBytes > 0 ? Math.floor((100 * event.bytesRead) / event.totalBytes) : 0
          if (percent >= state.lastLinePercent + 25) {
            state.lastLinePercent = percent - (percent % 25)
            const speed = rate(state)
            write(`[${event.dataset}] ${event.unit}: ${percent}% (${mb(event.bytesRead)}${speed === "" ? "" : `, ${speed}`}, ${count(event.flows)} flows)`)
          }
          return
        }
        const line = describe(event)
        if (line !== undefined) write(line)
      })
  }
}

/** Bars: a live block of one bar per unit in progress, with finished lines scrolling above it. */
export const barsSink = (stream: NodeJS.WriteStream): ProgressSink => {
  const units = new Map<string, UnitState>()
  let drawn = 0
  let lastDraw = 0
  const bar = (state: UnitState): string => {
    const width = 24
    const fraction = state.totalBytes > 0 ? Math.min(1, state.bytesRead / state.totalBytes) : 0
    const filled = Math.round(fraction * width)
    return `${state.key.padEnd(40).slice(0, 40)} ${"█".repeat(filled)}${"░".repeat(width - filled)} ${String(Math.round(fraction * 100)).padStart(3)}%  ${rate(state).padStart(10)}  ${count(state.flows)} flows`
  }
  const redraw = (force: boolean, above?: string): void => {
    const now = Date.now()
    if (!force && now - lastDraw < 100) return
    lastDraw = now
    let out = drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ""
    if (above !== undefined) out += `${above}\n`
    const lines = [...units.values()].map(bar)
    out += lines.map((line) => `${line}\n`).join("")
    drawn = lines.length
    stream.write(out)
  }
  return {
    emit: (event) =>
      Effect.sync(() => {
        if (event._tag === "UnitProgress") {
          const key = `${event.dataset}/${event.unit}`
          const state = units.get(key) ?? { key, bytesRead: 0, totalBytes: 0, flows: 0, started: Date.now(), lastLinePercent: 0 }
          units.set(key, state)
          state.bytesRead = event.bytesRead
          state.totalBytes = event.totalBytes
          state.flows = event.flows
          redraw(false)
          return
        }
        if (event._tag === "UnitDone") units.delete(`${event.dataset}/${event.unit}`)
        redraw(true, describe(event))
      })
  }
}

export const progressLayer = (mode: ProgressMode): Layer.Layer<Progress> =>
  Layer.succeed(
    Progress,
    mode === "quiet"
      ? Progress.silent
      : mode === "bars"
        ? barsSink(process.stderr)
        : linesSink((line) => process.stderr.write(`${line}\n`))
  )
