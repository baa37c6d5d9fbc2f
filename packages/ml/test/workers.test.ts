/**
 * The worker bootstrap: a worker started from `workerBootstrap` runs a TypeScript entry named by
 * `workerEntry`, and entry URLs follow the caller's extension.
 */
import { Worker } from "node:worker_threads"
import { describe, expect, it } from "@effect/vitest"
import { workerBootstrap, workerEntry } from "../src/workers.js"

describe("workerEntry", () => {
  it("names the .ts module beside a .ts caller and the .js module beside a built one", () => {
    expect(workerEntry("file:///repo/plugins/x/src/threads.ts", "forest-worker")).toBe("file:///repo/plugins/x/src/forest-worker.ts")
    expect(workerEntry("file:///repo/dist/threads.js", "forest-worker")).toBe("file:///repo/dist/forest-worker.js")
  })
})

describe("workerBootstrap", () => {
  it("starts a worker thread on a TypeScript entry", async () => {
    // this test file is a .ts module, so the entry is support/echo-worker.ts beside it
    const entry = workerEntry(import.meta.url, "support/echo-worker")
    const worker = new Worker(workerBootstrap, { workerData: { entry, values: [1, 2, 3.5] } })
    try {
      const answer = await new Promise<unknown>((resolve, reject) => {
        worker.once("message", resolve)
        worker.once("error", reject)
      })
      expect(answer).toEqual({ total: 6.5 })
    } finally {
      await worker.terminate()
    }
  }, 30_000)
})
