/**
 * Test support: read a capture to the end and hand back its flows as plain rows and its
 * findings.
 *
 * Holds: `collectCapture` (an Effect), `readCounted` (also the number of frames read),
 * `FlowRow`, and `batchesOf` and `digest` for comparing a resumed read with a whole one.
 * Does not hold: assertions.
 */
import type { Finding, InputError, PluginError, ResumePoint, SourceEvent } from "@hashhound/core"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { captureEvents, toCaptureError } from "../../src/capture-stream.js"
import type { CaptureInput } from "../../src/capture/pieces.js"
import type { FlowMeterOptions } from "../../src/options.js"
import { CaptureSession } from "../../src/session.js"

export type FlowRow = Record<string, unknown> & {
  readonly src_ip: string
  readonly dst_ip: string
  readonly src_port: number | null
  readonly dst_port: number | null
  readonly protocol: number
  readonly fwd_packets: number
  readonly bwd_packets: number
  readonly fwd_bytes: number
  readonly bwd_bytes: number
  readonly end_reason: string
}

export interface Collected {
  readonly events: ReadonlyArray<SourceEvent>
  readonly flows: ReadonlyArray<FlowRow>
  readonly findings: ReadonlyArray<Finding>
}

const plain = (value: unknown): unknown => {
  if (typeof value === "bigint") return Number(value)
  if (value !== null && typeof value === "object" && "toArray" in value && typeof value.toArray === "function") {
    return Array.from(value.toArray() as ArrayLike<unknown>, plain)
  }
  return value
}

export const rowsOf = (events: ReadonlyArray<SourceEvent>): Array<FlowRow> => {
  const rows: Array<FlowRow> = []
  for (const event of events) {
    if (event._tag !== "Batch") continue
    for (const row of event.batch) {
      const json = row.toJSON() as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(json)) out[key] = plain(value)
      rows.push(out as FlowRow)
    }
  }
  return rows
}

export type Batch = Extract<SourceEvent, { _tag: "Batch" }>

/** The batches among a read's events. */
export const batchesOf = (events: ReadonlyArray<SourceEvent>): Array<Batch> => events.filter((e): e is Batch => e._tag === "Batch")

/** A checkpoint's SHA-256, to compare checkpoints ("none" when a batch has none). */
export const digest = (bytes: Uint8Array | undefined): string => (bytes === undefined ? "none" : createHash("sha256").update(bytes).digest("hex"))

/** Read a capture (one file, or the pieces of one capture in order) to the end. */
export const collectCapture = (
  path: CaptureInput,
  options: FlowMeterOptions = {},
  resume?: ResumePoint
): Effect.Effect<Collected, InputError | PluginError> =>
  Effect.map(Stream.runCollect(captureEvents(path, { checkpoints: false, ...options }, resume)), (chunk) => {
    const events = Chunk.toReadonlyArray(chunk)
    return {
      events,
      flows: rowsOf(events),
      findings: events.flatMap((e) => (e._tag === "Finding" ? [e.finding] : []))
    }
  })

/** Read with a CaptureSession directly, to see how many frames were read (metered or not). */
export const readCounted = (
  path: string,
  options: FlowMeterOptions = {}
): Effect.Effect<Collected & { readonly packetsRead: number }, InputError | PluginError> =>
  Effect.tryPromise({
    try: async () => {
      const session = await CaptureSession.open(path, { checkpoints: false, ...options })
      const events: Array<SourceEvent> = []
      try {
        for (let step = await session.pull(); step !== null; step = await session.pull()) events.push(...step)
      } finally {
        await session.close()
      }
      return {
        events,
        flows: rowsOf(events),
        findings: events.flatMap((e) => (e._tag === "Finding" ? [e.finding] : [])),
        packetsRead: session.packetsRead
      }
    },
    catch: toCaptureError(path)
  })
