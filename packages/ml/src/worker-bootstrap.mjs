/**
 * Worker entry for TypeScript worker modules: registers tsx inside the worker thread (Node 20
 * does not apply `--import tsx` from execArgv to a worker's own entry) and then imports the
 * module named in `workerData.entry`. A plain `.js` entry is imported without tsx.
 * Start it through `workerBootstrap` (workers.ts); it holds no worker logic of its own.
 */
import { workerData } from "node:worker_threads"

if (String(workerData.entry).endsWith(".ts")) {
  const { register } = await import("tsx/esm/api")
  register()
}
await import(workerData.entry)
