/**
 * Worker-thread entry: reads one capture with a CaptureSession and posts its events to the
 * parent, at most `credits` batches ahead of what the parent has taken.
 *
 * Holds: the worker loop only (started by `worker-stream.ts` with `workerData`).
 * Does not hold: parsing or metering (see `../session.ts`).
 */
import { parentPort, workerData } from "node:worker_threads"
import { inputLabel } from "../capture/pieces.js"
import { CaptureSession } from "../session.js"
import { errorToMessage, eventToMessage, type ToWorker, type WorkerInput } from "./messages.js"

const input = workerData as WorkerInput
const port = parentPort

const run = async (): Promise<void> => {
  if (port === null) return
  let credits = Math.max(1, input.credits)
  let stopped = false
  let wake: (() => void) | undefined
  port.on("message", (message: ToWorker) => {
    if (message.type === "more") credits++
    else stopped = true
    wake?.()
  })
  let session: CaptureSession | undefined
  try {
    session = await CaptureSession.open(input.input, input.options, input.resume)
    for (let events = await session.pull(); events !== null && !stopped; events = await session.pull()) {
      for (const event of events) {
        if (event._tag === "Batch") {
          while (credits <= 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve))
          if (stopped) break
          credits--
        }
        const { message, transfer } = eventToMessage(event)
        port.postMessage(message, transfer)
      }
    }
    if (!stopped) port.postMessage({ type: "end" })
  } catch (error) {
    port.postMessage(errorToMessage(error, inputLabel(input.input)))
  } finally {
    await session?.close()
    port.close()
  }
}

void run()
