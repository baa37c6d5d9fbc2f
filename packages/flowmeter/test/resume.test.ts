/**
 * Checkpoint/resume equivalence: resuming from any batch's checkpoint yields exactly the batches
 * (rows and checkpoints) and end findings of an uninterrupted read; unusable checkpoints replay.
 */
import { it } from "@effect/vitest"
import type { SourceEvent } from "@hashhound/core"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { expect } from "vitest"
import type { FlowMeterOptions } from "../src/options.js"
import { batchesOf, collectCapture, digest, rowsOf } from "./helpers/collect.js"
import { tempFile } from "./helpers/temp-files.js"


const summary = (events: ReadonlyArray<SourceEvent>) =>
  events.flatMap((e) => (e._tag === "Finding" && e.finding.offset === undefined ? [[e.finding.code, e.finding.count]] : []))

/** A spread of indices from 0 to n-1 (first, last and some between). */
const spread = (n: number, k: number): Array<number> =>
  [...new Set(Array.from({ length: Math.min(n, k) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(n, k) - 1))))]

const CASES: ReadonlyArray<[string, FlowMeterOptions]> = [
  ["mining/nesfit-cgminer.s1.pcapng", { idleTimeoutS: 5, batchFlows: 13 }],
  ["mining/ndpi-mining.pcapng", { idleTimeoutS: 30, batchFlows: 1 }],
  ["formats/tcpdump/afs.pcap", { idleTimeoutS: 1, batchFlows: 2 }],
  ["formats/ndpi/sites.pcapng", { idleTimeoutS: 2, batchFlows: 5, maxFlows: 20 }],
  ["normal/pcapplusplus-example2.pcap", { idleTimeoutS: 10, activeTimeoutS: 60, batchFlows: 17 }]
]

describeFixtures("checkpoint and resume", () => {
  for (const [path, options] of CASES) {
    it.effect(`${path}: resuming from a batch's checkpoint yields exactly the remaining batches`, () =>
      Effect.gen(function* () {
        const full = (yield* collectCapture(fixture(path), { ...options, checkpoints: true })).events
        const batches = batchesOf(full)
        expect(batches.length).toBeGreaterThan(2)
        for (const k of spread(batches.length, 4)) {
          const at = batches[k]!
          expect(at.checkpoint, `batch ${k}`).toBeInstanceOf(Uint8Array)
          const resumed = (yield* collectCapture(fixture(path), { ...options, checkpoints: true }, { nextBatch: k + 1, checkpoint: at.checkpoint! })).events
          const rest = batchesOf(resumed)
          expect(rest.map((b) => b.index), `${path} from ${k}`).toEqual(batches.slice(k + 1).map((b) => b.index))
          expect(rowsOf(rest), `${path} from ${k}`).toEqual(rowsOf(batches.slice(k + 1)))
          expect(rest.map((b) => digest(b.checkpoint)), `${path} from ${k}`).toEqual(batches.slice(k + 1).map((b) => digest(b.checkpoint)))
          expect(summary(resumed)).toEqual(summary(full))
        }
      }))
  }

  it.effect("gzip captures resume too (the decompressed offset is skipped to)", () =>
    Effect.gen(function* () {
      const gz = tempFile(gzipSync(readFileSync(fixture("mining/nesfit-cgminer.s0.pcapng"))), "s0.pcapng.gz")
      const options = { idleTimeoutS: 2, batchFlows: 9, checkpoints: true }
      const batches = batchesOf((yield* collectCapture(gz, options)).events)
      for (const k of spread(batches.length, 4)) {
        const rest = batchesOf((yield* collectCapture(gz, options, { nextBatch: k + 1, checkpoint: batches[k]!.checkpoint! })).events)
        expect(rowsOf(rest)).toEqual(rowsOf(batches.slice(k + 1)))
      }
    }))

  it.effect("a checkpoint that does not fit (other options, or damaged) replays from the start and drops the batches already delivered", () =>
    Effect.gen(function* () {
      const path = fixture("mining/nesfit-cgminer.s0.pcapng")
      const options = { idleTimeoutS: 2, batchFlows: 9, checkpoints: true }
      const batches = batchesOf((yield* collectCapture(path, options)).events)
      const k = 5
      const other = batchesOf((yield* collectCapture(path, { ...options, idleTimeoutS: 3 })).events)[k]!.checkpoint!
      const damaged = batches[k]!.checkpoint!.slice(0, 40)
      for (const checkpoint of [other, damaged, undefined]) {
        const resume = checkpoint === undefined ? { nextBatch: k + 1 } : { nextBatch: k + 1, checkpoint }
        const rest = batchesOf((yield* collectCapture(path, options, resume)).events)
        expect(rest.map((b) => b.index)).toEqual(batches.slice(k + 1).map((b) => b.index))
        expect(rowsOf(rest)).toEqual(rowsOf(batches.slice(k + 1)))
      }
    }))
})
