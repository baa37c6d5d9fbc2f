/**
 * Histogram worker thread: waits on a shared control block, builds its block of the active
 * features' histograms for the row range it is given, and signals completion.
 *
 * Holds: the worker side of the protocol described in `threads.ts`.
 * Does not hold: any decision about what to build; the main thread drives everything.
 */
import { parentPort, workerData } from "node:worker_threads"
import { buildHistogram } from "./histogram.js"
import { CTRL, type HistogramWorkerData } from "./threads.js"

const data = workerData as HistogramWorkerData
const ctrl = new Int32Array(data.ctrl)
const bins = new Uint8Array(data.bins)
const idx = new Uint32Array(data.idx)
const grad = new Float64Array(data.grad)
const hess = new Float64Array(data.hess)
const active = new Int32Array(data.active)
const scratch = new Float64Array(data.scratch)
const doneSlot = CTRL.done + data.id

let seen = Atomics.load(ctrl, CTRL.generation)
parentPort?.postMessage("ready")
for (;;) {
  Atomics.wait(ctrl, CTRL.generation, seen)
  seen = Atomics.load(ctrl, CTRL.generation)
  if (Atomics.load(ctrl, CTRL.command) === CTRL.exit) break
  const count = Atomics.load(ctrl, CTRL.activeCount)
  const blocks = Atomics.load(ctrl, CTRL.blocks)
  const block = data.id + 1
  const from = Math.floor((block * count) / blocks)
  const to = Math.floor(((block + 1) * count) / blocks)
  if (to > from) {
    buildHistogram(
      bins,
      data.features,
      data.stride,
      idx,
      Atomics.load(ctrl, CTRL.start),
      Atomics.load(ctrl, CTRL.end),
      grad,
      hess,
      active,
      from,
      to,
      scratch
    )
  }
  Atomics.store(ctrl, doneSlot, seen)
  Atomics.notify(ctrl, doneSlot)
}
