/**
 * Histogram building on several threads: worker threads over blocks of the active features.
 *
 * Holds: the training buffers (bin matrix, row index, gradients, hessians, active features) in
 * SharedArrayBuffers, `openPool` (spawns `workers` threads and waits until they are ready) and
 * the pool's synchronous `build`, which splits a node's active features into blocks: the main
 * thread builds block 0 straight into the target histogram while each worker builds its block
 * into a shared scratch histogram, then the main thread copies those segments over. Control is a
 * small shared Int32Array (a generation counter the workers `Atomics.wait` on, job parameters, one
 * completion slot per worker), so a round trip costs microseconds, not a message.
 * Nodes below `NODE_PARALLEL_CELLS` (rows x active features) are built on the main thread alone.
 * Results never depend on the number of threads: each feature is summed by one thread in row order.
 * Does not hold: the kernel itself (`histogram.ts`) or the worker loop (`histogram-worker.ts`).
 */
import { Worker } from "node:worker_threads"
import { workerBootstrap, workerEntry } from "@hashhound/ml"
import { buildHistogram, histogramLength, HIST_FIELDS } from "./histogram.js"

/** below this many rows x active features a node is built by the main thread alone */
export const NODE_PARALLEL_CELLS = 200_000
/**
 * below this many training rows x features no worker is started at all: starting one costs about
 * 0.2 s of CPU (tsx compiles the worker modules), more than small fits gain
 */
export const POOL_MIN_CELLS = 2_000_000
/** a worker that has not answered after this long is taken as dead */
const WORKER_TIMEOUT_MS = 120_000

export const CTRL = {
  generation: 0,
  command: 1,
  start: 2,
  end: 3,
  activeCount: 4,
  blocks: 5,
  done: 8,
  build: 1,
  exit: 2
} as const

export interface HistogramWorkerData {
  readonly entry: string
  readonly id: number
  readonly features: number
  readonly stride: number
  readonly ctrl: SharedArrayBuffer
  readonly bins: SharedArrayBuffer
  readonly idx: SharedArrayBuffer
  readonly grad: SharedArrayBuffer
  readonly hess: SharedArrayBuffer
  readonly active: SharedArrayBuffer
  readonly scratch: SharedArrayBuffer
}

/** The arrays workers read; shared memory when `shared`, ordinary otherwise. */
export interface TrainingBuffers {
  readonly shared: boolean
  readonly bins: Uint8Array
  readonly idx: Uint32Array
  readonly grad: Float64Array
  readonly hess: Float64Array
  readonly active: Int32Array
}

export const allocateTraining = (rows: number, features: number, shared: boolean): TrainingBuffers => {
  const memory = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
  return {
    shared,
    bins: new Uint8Array(memory(rows * features)),
    idx: new Uint32Array(memory(rows * 4)),
    grad: new Float64Array(memory(rows * 8)),
    hess: new Float64Array(memory(rows * 8)),
    active: new Int32Array(memory(Math.max(1, features) * 4))
  }
}

export interface HistogramPool {
  /** worker threads besides the main thread */
  readonly workers: number
  readonly build: (start: number, end: number, activeCount: number, out: Float64Array) => void
  readonly close: () => Promise<void>
}

/** Single-threaded building over ordinary or shared buffers. */
export const serialPool = (buffers: TrainingBuffers, features: number, stride: number): HistogramPool => ({
  workers: 0,
  build: (start, end, activeCount, out) =>
    buildHistogram(buffers.bins, features, stride, buffers.idx, start, end, buffers.grad, buffers.hess, buffers.active, 0, activeCount, out),
  close: () => Promise.resolve()
})

const workerUrls = (): { readonly bootstrap: URL; readonly entry: string } => ({
  bootstrap: workerBootstrap,
  entry: workerEntry(import.meta.url, "histogram-worker")
})

const waitReady = (worker: Worker): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("histogram worker did not start within 30 s")), 30_000)
    worker.once("message", () => {
      clearTimeout(timer)
      resolve()
    })
    worker.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    worker.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`histogram worker exited with code ${code} before it was ready`))
    })
  })

/** Start `workers` threads over shared `buffers`; rejects when any of them fails to start. */
export const openPool = async (
  buffers: TrainingBuffers,
  features: number,
  stride: number,
  workers: number
): Promise<HistogramPool> => {
  if (!buffers.shared) throw new Error("worker threads need shared training buffers")
  const ctrlBuffer = new SharedArrayBuffer((CTRL.done + workers) * 4)
  const ctrl = new Int32Array(ctrlBuffer)
  const scratchBuffer = new SharedArrayBuffer(histogramLength(features, stride) * 8)
  const scratch = new Float64Array(scratchBuffer)
  const urls = workerUrls()
  const threads: Array<Worker> = []
  const stopAll = async (): Promise<void> => {
    Atomics.store(ctrl, CTRL.command, CTRL.exit)
    Atomics.add(ctrl, CTRL.generation, 1)
    Atomics.notify(ctrl, CTRL.generation)
    await Promise.all(threads.map((thread) => thread.terminate()))
  }
  try {
    for (let id = 0; id < workers; id++) {
      const data: HistogramWorkerData = {
        entry: urls.entry,
        id,
        features,
        stride,
        ctrl: ctrlBuffer,
        bins: buffers.bins.buffer as SharedArrayBuffer,
        idx: buffers.idx.buffer as SharedArrayBuffer,
        grad: buffers.grad.buffer as SharedArrayBuffer,
        hess: buffers.hess.buffer as SharedArrayBuffer,
        active: buffers.active.buffer as SharedArrayBuffer,
        scratch: scratchBuffer
      }
      const thread = new Worker(urls.bootstrap, { workerData: data })
      threads.push(thread)
      await waitReady(thread)
    }
  } catch (error) {
    await stopAll()
    throw error
  }
  const blocks = workers + 1
  const segment = stride * HIST_FIELDS
  const { bins, idx, grad, hess, active } = buffers

  const build = (start: number, end: number, activeCount: number, out: Float64Array): void => {
    if ((end - start) * activeCount < NODE_PARALLEL_CELLS || activeCount < 2) {
      buildHistogram(bins, features, stride, idx, start, end, grad, hess, active, 0, activeCount, out)
      return
    }
    Atomics.store(ctrl, CTRL.command, CTRL.build)
    Atomics.store(ctrl, CTRL.start, start)
    Atomics.store(ctrl, CTRL.end, end)
    Atomics.store(ctrl, CTRL.activeCount, activeCount)
    Atomics.store(ctrl, CTRL.blocks, blocks)
    const generation = Atomics.add(ctrl, CTRL.generation, 1) + 1
    Atomics.notify(ctrl, CTRL.generation)
    const mainTo = Math.floor(activeCount / blocks)
    buildHistogram(bins, features, stride, idx, start, end, grad, hess, active, 0, mainTo, out)
    for (let w = 0; w < workers; w++) {
      const slot = CTRL.done + w
      for (;;) {
        const seen = Atomics.load(ctrl, slot)
        if (seen === generation) break
        if (Atomics.wait(ctrl, slot, seen, WORKER_TIMEOUT_MS) === "timed-out" && Atomics.load(ctrl, slot) !== generation) {
          throw new Error(`histogram worker ${w} did not answer within ${WORKER_TIMEOUT_MS / 1000} s`)
        }
      }
    }
    for (let j = mainTo; j < activeCount; j++) {
      const begin = active[j]! * segment
      out.set(scratch.subarray(begin, begin + segment), begin)
    }
  }
  return { workers, build, close: stopAll }
}
