/**
 * Forest worker thread: grows the trees it was given over the shared bin matrix and sends each
 * back (its arrays transferred, not copied), then reports done.
 *
 * Holds: the worker side of `threads.ts`.
 * Does not hold: any choice of which trees to grow.
 */
import { parentPort, workerData } from "node:worker_threads"
import { growForestTree, type ForestData } from "./forest-tree.js"
import type { ForestWorkerData, ForestWorkerMessage } from "./threads.js"

const input = workerData as ForestWorkerData
const data: ForestData = {
  bins: new Uint8Array(input.bins),
  rows: input.rows,
  features: input.features,
  stride: input.stride,
  binCounts: input.binCounts,
  y: new Uint8Array(input.y),
  w: new Float64Array(input.w),
  useful: input.useful
}
for (const index of input.indices) {
  const tree = growForestTree(data, input.params, index)
  const message: ForestWorkerMessage = { _tag: "tree", index, tree }
  // the arrays were made with Int32Array.from & co., so their buffers are plain ArrayBuffers
  const transfer = [tree.feature, tree.thresholdBin, tree.missingLeft, tree.left, tree.right, tree.value, tree.gain].map(
    (array) => array.buffer as ArrayBuffer
  )
  parentPort?.postMessage(message, transfer)
}
const done: ForestWorkerMessage = { _tag: "done" }
parentPort?.postMessage(done)
