/**
 * Messages between a capture worker thread and the thread that reads its events.
 *
 * Holds: the message shapes (batches travel as Arrow IPC bytes, findings as plain fields,
 * errors as their tag and fields) and the conversions to and from SourceEvents and typed
 * errors.
 * Does not hold: the worker loop or thread management.
 */
import { Finding, InputError, PluginError, type ResumePoint, type SourceEvent } from "@hashhound/core"
import { tableFromIPC, tableToIPC } from "apache-arrow"
import type { CaptureInput } from "../capture/pieces.js"
import type { FlowMeterOptions } from "../options.js"

export interface WorkerInput {
  /** one capture file, or the pieces of one capture in order */
  readonly input: CaptureInput
  readonly options: FlowMeterOptions
  readonly resume?: ResumePoint
  /** batches the worker may send ahead of the reader */
  readonly credits: number
}

export type ToParent =
  | {
      readonly type: "batch"
      readonly index: number
      readonly ipc: Uint8Array
      readonly checkpoint?: Uint8Array
      readonly bytesRead?: number
    }
  | { readonly type: "finding"; readonly fields: ConstructorParameters<typeof Finding>[0] }
  | { readonly type: "end" }
  | { readonly type: "error"; readonly tag: "InputError" | "PluginError"; readonly path: string; readonly reason: string }

export type ErrorMessage = Extract<ToParent, { readonly type: "error" }>

export type ToWorker = { readonly type: "more" } | { readonly type: "stop" }

export const eventToMessage = (event: SourceEvent): { message: ToParent; transfer: Array<ArrayBuffer> } => {
  if (event._tag === "Finding") {
    const { source, code, severity, message, capture, offset, batch, count, metric, value, threshold } = event.finding
    const fields = { source, code, severity, message, capture, offset, batch, count, metric, value, threshold }
    for (const key of Object.keys(fields) as Array<keyof typeof fields>) if (fields[key] === undefined) delete fields[key]
    return { message: { type: "finding", fields }, transfer: [] }
  }
  const ipc = tableToIPC(event.batch, "stream")
  const transfer: Array<ArrayBuffer> = [ipc.buffer as ArrayBuffer]
  if (event.checkpoint !== undefined) transfer.push(event.checkpoint.buffer as ArrayBuffer)
  return {
    message: {
      type: "batch",
      index: event.index,
      ipc,
      ...(event.checkpoint === undefined ? {} : { checkpoint: event.checkpoint }),
      ...(event.bytesRead === undefined ? {} : { bytesRead: event.bytesRead })
    },
    transfer
  }
}

export const messageToEvent = (message: ToParent & { type: "batch" | "finding" }): SourceEvent =>
  message.type === "finding"
    ? { _tag: "Finding", finding: new Finding(message.fields) }
    : {
        _tag: "Batch",
        index: message.index,
        batch: tableFromIPC(message.ipc),
        ...(message.checkpoint === undefined ? {} : { checkpoint: message.checkpoint }),
        ...(message.bytesRead === undefined ? {} : { bytesRead: message.bytesRead })
      }

export const errorToMessage = (error: unknown, path: string): ErrorMessage =>
  error instanceof InputError
    ? { type: "error", tag: "InputError", path: error.path, reason: error.reason }
    : {
        type: "error",
        tag: "PluginError",
        path,
        reason: error instanceof PluginError ? error.reason : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      }

export const messageToError = (message: ErrorMessage, pluginId: string): InputError | PluginError =>
  message.tag === "InputError"
    ? new InputError({ path: message.path, reason: message.reason })
    : new PluginError({ pluginId, stage: "reading", input: message.path, reason: message.reason })
