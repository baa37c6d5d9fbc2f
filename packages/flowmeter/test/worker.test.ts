/**
 * The worker-thread variant gives the same events as reading in this thread; errors stay typed;
 * concurrent reads go to workers; an early stop ends the worker.
 */
import { it } from "@effect/vitest"
import { InputError, PluginError } from "@hashhound/core"
import { describeFixtures, fixture } from "@hashhound/testkit"
import { Chunk, Effect, Stream } from "effect"
import { expect } from "vitest"
import { captureEvents } from "../src/capture-stream.js"
import { errorToMessage, messageToError } from "../src/worker/messages.js"
import { captureEventsInWorker, captureEventsParallel } from "../src/worker/worker-stream.js"
import { rowsOf } from "./helpers/collect.js"

const collect = <E>(stream: Stream.Stream<import("@hashhound/core").SourceEvent, E>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk))

const findingsOf = (events: ReadonlyArray<import("@hashhound/core").SourceEvent>) =>
  events.flatMap((e) => (e._tag === "Finding" ? [[e.finding.code, e.finding.count, e.finding.offset]] : []))

describeFixtures("captures on worker threads", () => {
  const options = { batchFlows: 50, idleTimeoutS: 5 }

  it.effect("a worker yields the same batches, checkpoints and findings as reading in this thread", () =>
    Effect.gen(function* () {
      for (const path of ["mining/nesfit-cgminer.s1.pcapng"]) {
        const here = yield* collect(captureEvents(fixture(path), options))
        const there = yield* collect(captureEventsInWorker(fixture(path), options))
        expect(rowsOf(there), path).toEqual(rowsOf(here))
        expect(findingsOf(there), path).toEqual(findingsOf(here))
        expect(there.map((e) => (e._tag === "Batch" ? e.index : -1))).toEqual(here.map((e) => (e._tag === "Batch" ? e.index : -1)))
        const ck = (events: typeof here) => events.flatMap((e) => (e._tag === "Batch" ? [Buffer.from(e.checkpoint!).toString("base64")] : []))
        expect(ck(there)).toEqual(ck(here))
      }
    }))

  it("errors cross the thread boundary typed (InputError stays InputError, the rest become PluginError)", () => {
    const input = messageToError(errorToMessage(new InputError({ path: "/x.snoop", reason: "a Solaris snoop capture" }), "/x.snoop"), "source.pcap")
    expect(input).toBeInstanceOf(InputError)
    expect(input.message).toBe("/x.snoop: a Solaris snoop capture")
    const other = messageToError(errorToMessage(new RangeError("boom"), "/x.pcap"), "source.pcap")
    expect(other).toBeInstanceOf(PluginError)
    expect(other.message).toMatch(/source.pcap failed while reading \/x.pcap: internal error: RangeError: boom/)
  })

  it.effect("several captures at once: the first reads in this thread, the others on workers, results unchanged", () =>
    Effect.gen(function* () {
      const paths = ["mining/nesfit-cgminer.s0.pcapng", "mining/peafowl-stratum.pcap", "normal/slips-test7-malicious.pcap"]
      const alone = yield* Effect.forEach(paths, (p) => collect(captureEvents(fixture(p), options)))
      const together = yield* Effect.forEach(paths, (p) => collect(captureEventsParallel(fixture(p), options)), { concurrency: "unbounded" })
      together.forEach((events, i) => expect(rowsOf(events), paths[i]).toEqual(rowsOf(alone[i]!)))
    }))

  it.effect("a consumer that stops early stops the worker", () =>
    Effect.gen(function* () {
      const first = yield* Stream.runHead(captureEventsInWorker(fixture("mining/nesfit-cgminer.s1.pcapng"), { batchFlows: 10 }))
      expect(first._tag).toBe("Some")
    }))
})
