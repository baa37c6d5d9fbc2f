/**
 * Captures on worker threads: the same events as `captureEvents`, produced on another core.
 *
 * Holds: `captureEventsInWorker` (one worker per capture, pulled with credit-based
 * backpressure so a slow consumer never piles up batches; the worker is stopped and
 * terminated when the stream ends or is interrupted) and `captureEventsParallel`, which reads
 * in this thread while it is the only capture being read and moves further concurrent
 * captures to workers, up to the core count.
 * Does not hold: parsing or metering. Workers load TypeScript through tsx
 * (its ESM hooks registered inside the worker) when this package runs from source.
 */
import { availableParallelism } from "node:os"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import { PluginError, type InputError, type ResumePoint, type SourceEvent } from "@hashhound/core"
import { Chunk, Effect, Option, Stream } from "effect"
import { inputLabel, type CaptureInput } from "../capture/pieces.js"
import { captureEvents } from "../capture-stream.js"
import type { FlowMeterOptions } from "../options.js"
import { messageToError, messageToEvent, type ToParent, type WorkerInput } from "./messages.js"

const CREDITS = 2

const workerUrl = (): URL => {
  const here = import.meta.url
  return new URL(here.endsWith(".ts") ? "./capture-worker.ts" : "./capture-worker.js", here)
}

/**
 * Start the worker. From TypeScript sources the worker first registers tsx's ESM hooks
 * (on Node 20 `--import tsx` does not reach worker threads, so the bootstrap registers them
 * itself, then imports the entry).
 */
const startWorker = (input: WorkerInput): Worker => {
  const url = workerUrl()
  if (!url.pathname.endsWith(".ts")) return new Worker(url, { workerData: input })
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"))
  const api = pathToFileURL(join(tsxRoot, "dist", "esm", "api", "index.mjs")).href
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData: input })
}

type Incoming = ToParent | { readonly type: "crash"; readonly reason: string }

/** The parent side of one worker: a queue of its messages. */
class WorkerChannel {
  private readonly queue: Array<Incoming> = []
  private waiter: ((message: Incoming) => void) | undefined
  private finished = false
  readonly worker: Worker

  constructor(input: WorkerInput) {
    this.worker = startWorker(input)
    this.worker.on("message", (message: ToParent) => this.push(message))
    this.worker.on("error", (error) => this.push({ type: "crash", reason: error.stack ?? error.message }))
    this.worker.on("exit", (code) => {
      if (!this.finished) this.push({ type: "crash", reason: `worker exited with code ${code} before the end of the capture` })
    })
  }

  private push(message: Incoming): void {
    if (message.type === "end" || message.type === "error") this.finished = true
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter(message)
    } else this.queue.push(message)
  }

  next(): Promise<Incoming> {
    const head = this.queue.shift()
    if (head !== undefined) return Promise.resolve(head)
    return new Promise((resolve) => (this.waiter = resolve))
  }

  more(): void {
    this.worker.postMessage({ type: "more" })
  }

  async stop(): Promise<void> {
    this.finished = true
    this.worker.postMessage({ type: "stop" })
    await this.worker.terminate()
  }
}

/** Read one capture (a file, or the pieces of one capture) on a worker thread. */
export const captureEventsInWorker = (
  capture: CaptureInput,
  options: FlowMeterOptions = {},
  resume?: ResumePoint
): Stream.Stream<SourceEvent, InputError | PluginError> => {
  const pluginId = options.findingSource ?? "source.pcap"
  const path = inputLabel(capture)
  const input: WorkerInput = { input: capture, options, credits: CREDITS, ...(resume === undefined ? {} : { resume }) }
  return Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.try({
          try: () => new WorkerChannel(input),
          catch: (error) =>
            new PluginError({ pluginId, stage: "reading", input: path, reason: `cannot start a worker: ${String(error)}` })
        }),
        (channel) => Effect.promise(() => channel.stop())
      ),
      (channel) =>
        Stream.repeatEffectChunkOption(
          Effect.flatMap(
            Effect.promise(() => channel.next()),
            (message): Effect.Effect<Chunk.Chunk<SourceEvent>, Option.Option<InputError | PluginError>> => {
              switch (message.type) {
                case "batch":
                  channel.more()
                  return Effect.succeed(Chunk.of(messageToEvent(message)))
                case "finding":
                  return Effect.succeed(Chunk.of(messageToEvent(message)))
                case "end":
                  return Effect.fail(Option.none())
                case "error":
                  return Effect.fail(Option.some(messageToError(message, pluginId)))
                case "crash":
                  return Effect.fail(
                    Option.some(new PluginError({ pluginId, stage: "reading", input: path, reason: message.reason }))
                  )
              }
            }
          )
        )
    )
  )
}

let readsInProcess = 0
let workersRunning = 0

/** Worker threads at most: one core stays with the thread that reads in place. */
export const maxCaptureWorkers = (): number => Math.max(1, availableParallelism() - 1)

/**
 * Read a capture in this thread when no other capture is being read here, else on a worker
 * thread while fewer than `maxCaptureWorkers()` are busy. Either way the events are the same.
 */
export const captureEventsParallel = (
  capture: CaptureInput,
  options: FlowMeterOptions = {},
  resume?: ResumePoint
): Stream.Stream<SourceEvent, InputError | PluginError> =>
  Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => {
          const useWorker = readsInProcess > 0 && workersRunning < maxCaptureWorkers()
          readsInProcess++
          if (useWorker) workersRunning++
          return useWorker
        }),
        (useWorker) =>
          Effect.sync(() => {
            readsInProcess--
            if (useWorker) workersRunning--
          })
      ),
      (useWorker) => (useWorker ? captureEventsInWorker(capture, options, resume) : captureEvents(capture, options, resume))
    )
  )
