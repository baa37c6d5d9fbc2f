/**
 * A TypeScript worker module for workers.test.ts: answers with a typed computation over its
 * workerData, which only works when the bootstrap registered tsx for it.
 */
import { parentPort, workerData } from "node:worker_threads"

const input = workerData as { readonly entry: string; readonly values: ReadonlyArray<number> }
const total: number = input.values.reduce((a, b) => a + b, 0)
parentPort?.postMessage({ total })
