/**
 * Growing forest trees on several threads: trees are independent, so thread `k` of `T` grows
 * the trees whose index is `k` modulo `T` (the main thread is thread 0) over the shared bin
 * matrix, labels and weights. Each tree's randomness comes from its own index, so the forest is
 * the same for any number of threads.
 *
 * Holds: `growInWorkers` (start workers, grow the main thread's share meanwhile, collect the
 * workers' trees, stop the workers in every case) and the worker's data shape.
 * Does not hold: the worker loop (`forest-worker.ts`) or tree growth (`forest-tree.ts`).
 */
import { Worker } from "node:worker_threads"
import { workerBootstrap, workerEntry } from "@hashhound/ml"
import type { PreparedForest } from "./forest.js"
import { growForestTree, type ForestTreeParams, type GrownTree } from "./forest-tree.js"

/**
 * below this many rows x features x trees no worker is started: starting one costs about 0.2 s of
 * CPU (tsx compiles the worker modules), more than small forests gain
 */
export const PARALLEL_MIN_WORK = 50_000_000

export interface ForestWorkerData {
  readonly entry: string
  readonly bins: SharedArrayBuffer
  readonly y: SharedArrayBuffer
  readonly w: SharedArrayBuffer
  readonly rows: number
  readonly features: number
  readonly stride: number
  readonly binCounts: Int32Array
  readonly useful: Int32Array
  readonly params: ForestTreeParams
  readonly indices: ReadonlyArray<number>
}

export type ForestWorkerMessage =
  | { readonly _tag: "tree"; readonly index: number; readonly tree: GrownTree }
  | { readonly _tag: "done" }

const urls = (): { readonly bootstrap: URL; readonly entry: string } => ({
  bootstrap: workerBootstrap,
  entry: workerEntry(import.meta.url, "forest-worker")
})

/** Collect one worker's trees into `out`; resolves when it reports done. */
const collect = (worker: Worker, out: Array<GrownTree | undefined>): Promise<void> =>
  new Promise((resolve, reject) => {
    worker.on("message", (message: ForestWorkerMessage) => {
      if (message._tag === "tree") out[message.index] = message.tree
      else resolve()
    })
    worker.once("error", reject)
    worker.once("exit", (code) => reject(new Error(`forest worker exited with code ${code} before it was done`)))
  })

/** Grow every tree on `threads` threads; the data must live in SharedArrayBuffers. */
export const growInWorkers = async (prepared: PreparedForest, threads: number): Promise<ReadonlyArray<GrownTree>> => {
  const { data, params, trees } = prepared
  const out: Array<GrownTree | undefined> = new Array(trees).fill(undefined)
  const { bootstrap, entry } = urls()
  const workers: Array<Worker> = []
  try {
    const done: Array<Promise<void>> = []
    for (let k = 1; k < threads; k++) {
      const indices: Array<number> = []
      for (let t = k; t < trees; t += threads) indices.push(t)
      if (indices.length === 0) continue
      const workerData: ForestWorkerData = {
        entry,
        bins: data.bins.buffer as SharedArrayBuffer,
        y: data.y.buffer as SharedArrayBuffer,
        w: data.w.buffer as SharedArrayBuffer,
        rows: data.rows,
        features: data.features,
        stride: data.stride,
        binCounts: data.binCounts,
        useful: data.useful,
        params,
        indices
      }
      const worker = new Worker(bootstrap, { workerData })
      workers.push(worker)
      const finished = collect(worker, out)
      // keep a rejection that arrives while the main thread is busy from being unhandled
      finished.catch(() => undefined)
      done.push(finished)
    }
    for (let t = 0; t < trees; t += threads) out[t] = growForestTree(data, params, t)
    await Promise.all(done)
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
  const missing = out.findIndex((tree) => tree === undefined)
  if (missing >= 0) throw new Error(`tree ${missing} never came back from its worker`)
  return out as ReadonlyArray<GrownTree>
}
