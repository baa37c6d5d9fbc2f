/**
 * A capture cut into pieces (tcpdump -C/-G, dumpcap -b) read as one: the pieces of a real
 * capture meter to exactly the flows of the whole file, in any order given, resumed from any
 * checkpoint, gzip'd or not; a damaged, empty or foreign piece is reported by name and the rest
 * still read; pieces that overlap in time are reported.
 */
import { it } from "@effect/vitest"
import type { SourceEvent } from "@hashhound/core"
import { describeFixtures, evenCuts, fixture, hasCommand, packetCount, splitCapture } from "@hashhound/testkit"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { gzipSync } from "node:zlib"
import { expect } from "vitest"
import { orderPieces } from "../src/capture/pieces.js"
import { captureEventsInWorker } from "../src/worker/worker-stream.js"
import type { FlowMeterOptions } from "../src/options.js"
import { batchesOf, collectCapture, digest, rowsOf } from "./helpers/collect.js"
import { tempFile } from "./helpers/temp-files.js"

/** The end findings (counts), which do not depend on where the pieces were cut. */
const counts = (events: ReadonlyArray<SourceEvent>) =>
  events.flatMap((e) => (e._tag === "Finding" && e.finding.offset === undefined ? [[e.finding.code, e.finding.count]] : []))

/** The capture's pieces written as `name`, `name1`, `name2`, … (tcpdump -C's names). */
const piecesOf = (path: string, n: number, gzip: ReadonlyArray<number> = []): Array<string> => {
  const bytes = readFileSync(fixture(path))
  return splitCapture(bytes, evenCuts(packetCount(bytes), n - 1)).map((piece, i) => {
    const name = `${basename(path)}${i === 0 ? "" : i}`
    return gzip.includes(i) ? tempFile(gzipSync(piece), `${name}.gz`) : tempFile(piece, name)
  })
}

const CASES: ReadonlyArray<readonly [string, number]> = [
  ["mining/peafowl-stratum.pcap", 3],
  ["mining/nesfit-cgminer.s1.pcapng", 4],
  ["formats/ndpi/sites.pcapng", 5],
  ["normal/pcapplusplus-example2.pcap", 6]
]

describeFixtures("a capture cut into pieces", () => {
  for (const [path, n] of CASES) {
    it.effect(`${path} in ${n} pieces meters to exactly the flows of the whole file`, () =>
      Effect.gen(function* () {
        const whole = yield* collectCapture(fixture(path))
        const pieces = piecesOf(path, n)
        const joined = yield* collectCapture(pieces)
        expect(joined.flows.length).toBeGreaterThan(0)
        expect(joined.flows).toEqual(whole.flows)
        expect(counts(joined.events)).toEqual(counts(whole.events))
      }))
  }

  it.effect("cut anywhere, some pieces gzip'd, in any order given: the flows of the whole file (property)", () =>
    Effect.gen(function* () {
      const sources = ["mining/peafowl-stratum.pcap", "mining/nesfit-cgminer.s0.pcapng", "formats/ndpi/sites.pcapng"]
      const wholes = new Map<string, ReadonlyArray<unknown>>()
      for (const path of sources) wholes.set(path, (yield* collectCapture(fixture(path))).flows)
      const cases = fc.sample(
        fc.record({
          source: fc.constantFrom(...sources),
          cuts: fc.uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
          gzip: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
          order: fc.array(fc.nat(), { minLength: 7, maxLength: 7 })
        }),
        { numRuns: 24, seed: 20261207 }
      )
      for (const { source, cuts, gzip, order } of cases) {
        const bytes = readFileSync(fixture(source))
        const count = packetCount(bytes)
        const at = [...new Set(cuts.map((cut) => Math.max(1, Math.min(count - 1, Math.round(cut * count)))))].sort((a, b) => a - b)
        const pieces = splitCapture(bytes, at).map((piece, i) => (gzip[i] === true ? tempFile(gzipSync(piece), `p${i}.gz`) : tempFile(piece, `p${i}`)))
        const shuffled = [...pieces].sort((a, b) => (order[pieces.indexOf(a)] ?? 0) - (order[pieces.indexOf(b)] ?? 0))
        const ordered = (yield* Effect.promise(() => orderPieces(shuffled))).map((piece) => piece.path)
        const joined = yield* collectCapture(ordered)
        expect(joined.flows, `${source} cut at ${at.join(",")}`).toEqual(wholes.get(source))
      }
    }))

  it.effect("pieces cut short, mutated or emptied never stop the read: every piece is read or reported (property)", () =>
    Effect.gen(function* () {
      const bytes = readFileSync(fixture("mining/nesfit-cgminer.s0.pcapng"))
      const pieces = splitCapture(bytes, evenCuts(packetCount(bytes), 3))
      const cases = fc.sample(
        fc.array(
          fc.record({
            piece: fc.nat({ max: 3 }),
            cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
            flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 255 })), { maxLength: 8 })
          }),
          { minLength: 1, maxLength: 4 }
        ),
        { numRuns: 40, seed: 7 }
      )
      /** a flow's endpoints, whichever side began it */
      const endpoints = (flow: { protocol: number; src_ip: string; src_port: number | null; dst_ip: string; dst_port: number | null }) =>
        [flow.protocol, ...[`${flow.src_ip} ${flow.src_port}`, `${flow.dst_ip} ${flow.dst_port}`].sort()].join(" | ")
      const whole = yield* Effect.forEach(pieces, (piece, i) => collectCapture(tempFile(piece, `whole${i}`)))
      for (const damage of cases) {
        const hurt = pieces.map((piece) => Buffer.from(piece))
        const touched = new Set<number>()
        for (const { piece, cut, flips } of damage) {
          let target = hurt[piece]!
          for (const [at, value] of flips) if (target.length > 0) target[Math.floor(at * target.length) % target.length] = value
          if (cut !== undefined) target = target.subarray(0, Math.floor(cut * target.length))
          if (flips.length > 0 || cut !== undefined) touched.add(piece)
          hurt[piece] = target
        }
        const paths = hurt.map((piece, i) => tempFile(piece, `hurt${i}`))
        const joined = yield* collectCapture(paths)
        // findings name the pieces they are about, or the capture (the first piece)
        const names = new Set(paths.map((path) => basename(path)).concat(paths[0]!))
        for (const finding of joined.findings) expect(names.has(finding.capture ?? ""), finding.code).toBe(true)
        // a piece left whole is read whatever came before it: every flow it holds is among the flows
        const seen = new Set(joined.flows.map(endpoints))
        for (let i = 0; i < pieces.length; i++) {
          if (touched.has(i)) continue
          for (const flow of whole[i]!.flows) expect(seen.has(endpoints(flow)), `piece ${i} of ${JSON.stringify(damage)}`).toBe(true)
        }
      }
    }))

  it.effect("on a worker thread, the pieces give the same batches and checkpoints as in this thread", () =>
    Effect.gen(function* () {
      const pieces = piecesOf("mining/nesfit-cgminer.s1.pcapng", 4, [1])
      const options = { idleTimeoutS: 5, batchFlows: 50, checkpoints: true }
      const here = (yield* collectCapture(pieces, options)).events
      const there = Chunk.toReadonlyArray(yield* Stream.runCollect(captureEventsInWorker(pieces, options)))
      expect(rowsOf(there)).toEqual(rowsOf(here))
      expect(batchesOf(there).map((b) => digest(b.checkpoint))).toEqual(batchesOf(here).map((b) => digest(b.checkpoint)))
      expect(counts(there)).toEqual(counts(here))
    }))

  const editcap = hasCommand("editcap")
  const EDITCAP: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["mining/nesfit-cgminer.s1.pcapng", ["-c", "500"]],
    ["mining/peafowl-stratum.pcap", ["-F", "pcap", "-c", "150"]],
    ["mining/peafowl-monero.pcap", ["-F", "pcapng", "-i", "120"]]
  ]
  for (const [path, args] of EDITCAP) {
    it.effect.skipIf(!editcap)(
      `${path} cut by Wireshark's editcap ${args.join(" ")}: its pieces meter to the whole file's flows${editcap ? "" : " [skipped: editcap is not installed (Debian: tshark)]"}`,
      () =>
        Effect.gen(function* () {
          const dir = mkdtempSync(join(tmpdir(), "hh-editcap-"))
          execFileSync("editcap", [...args, fixture(path), join(dir, "ring")], { stdio: ["ignore", "ignore", "pipe"] })
          const written = readdirSync(dir).map((name) => join(dir, name))
          expect(written.length).toBeGreaterThan(2)
          const ordered = (yield* Effect.promise(() => orderPieces(written))).map((piece) => piece.path)
          const joined = yield* collectCapture(ordered)
          expect(joined.flows).toEqual((yield* collectCapture(fixture(path))).flows)
        })
    )
  }

  it.effect("read one by one, the pieces split the flows that cross them (what reading them as one avoids)", () =>
    Effect.gen(function* () {
      const whole = yield* collectCapture(fixture("mining/peafowl-stratum.pcap"))
      let separately = 0
      for (const piece of piecesOf("mining/peafowl-stratum.pcap", 3)) separately += (yield* collectCapture(piece)).flows.length
      expect(separately).toBeGreaterThan(whole.flows.length)
    }))

  it.effect("pieces given in any order are put in the order of their first packets", () =>
    Effect.gen(function* () {
      const pieces = piecesOf("mining/nesfit-cgminer.s1.pcapng", 4)
      const shuffled = [pieces[2]!, pieces[0]!, pieces[3]!, pieces[1]!]
      const ordered = yield* Effect.promise(() => orderPieces(shuffled))
      expect(ordered.map((piece) => piece.path)).toEqual(pieces)
      expect(ordered.every((piece) => piece.firstUs !== undefined)).toBe(true)
    }))

  it.effect("pieces without a timed packet go last, by name with numbers as numbers", () =>
    Effect.gen(function* () {
      const [first] = piecesOf("mining/peafowl-stratum.pcap", 2)
      const dir = mkdtempSync(join(tmpdir(), "hh-pieces-"))
      const write = (name: string, bytes: Buffer): string => {
        writeFileSync(join(dir, name), bytes)
        return join(dir, name)
      }
      const empty10 = write("x.pcap10", Buffer.alloc(0))
      const empty2 = write("x.pcap2", Buffer.alloc(0))
      const text = write("x.pcap3", Buffer.from("not a capture\n"))
      const ordered = yield* Effect.promise(() => orderPieces([empty10, text, first!, empty2]))
      expect(ordered.map((piece) => piece.path)).toEqual([first, empty2, text, empty10])
    }))

  it.effect("gzip'd pieces before a plain last one (tcpdump -z gzip) read alike", () =>
    Effect.gen(function* () {
      const whole = yield* collectCapture(fixture("mining/nesfit-cgminer.s1.pcapng"))
      const joined = yield* collectCapture(piecesOf("mining/nesfit-cgminer.s1.pcapng", 4, [0, 1, 2]))
      expect(joined.flows).toEqual(whole.flows)
    }))

  const RESUME: ReadonlyArray<readonly [string, number, FlowMeterOptions, ReadonlyArray<number>]> = [
    ["mining/nesfit-cgminer.s1.pcapng", 4, { idleTimeoutS: 5, batchFlows: 13 }, []],
    ["formats/ndpi/sites.pcapng", 5, { idleTimeoutS: 2, batchFlows: 3 }, [1, 3]],
    ["mining/peafowl-stratum.pcap", 3, { idleTimeoutS: 1, batchFlows: 2 }, [0]]
  ]
  for (const [path, n, options, gzip] of RESUME) {
    it.effect(`${path} in ${n} pieces: resuming from a batch's checkpoint yields exactly the remaining batches`, () =>
      Effect.gen(function* () {
        const pieces = piecesOf(path, n, gzip)
        const full = (yield* collectCapture(pieces, { ...options, checkpoints: true })).events
        const batches = batchesOf(full)
        expect(batches.length).toBeGreaterThan(3)
        for (let k = 0; k < batches.length; k += Math.max(1, Math.floor(batches.length / 7))) {
          const resumed = (yield* collectCapture(pieces, { ...options, checkpoints: true }, { nextBatch: k + 1, checkpoint: batches[k]!.checkpoint! })).events
          const rest = batchesOf(resumed)
          expect(rowsOf(rest), `from ${k}`).toEqual(rowsOf(batches.slice(k + 1)))
          expect(rest.map((b) => digest(b.checkpoint)), `from ${k}`).toEqual(batches.slice(k + 1).map((b) => digest(b.checkpoint)))
          expect(counts(resumed)).toEqual(counts(full))
        }
      }))
  }

  it.effect("a checkpoint of other pieces (one more, one fewer) replays from the start", () =>
    Effect.gen(function* () {
      const pieces = piecesOf("mining/nesfit-cgminer.s1.pcapng", 4)
      const options = { idleTimeoutS: 5, batchFlows: 13, checkpoints: true }
      const batches = batchesOf((yield* collectCapture(pieces, options)).events)
      const k = Math.floor(batches.length / 2)
      const fromWhole = batchesOf((yield* collectCapture(fixture("mining/nesfit-cgminer.s1.pcapng"), options)).events)[k]!.checkpoint!
      for (const checkpoint of [fromWhole, batchesOf((yield* collectCapture(pieces.slice(0, 3), options)).events)[2]!.checkpoint!]) {
        const rest = batchesOf((yield* collectCapture(pieces, options, { nextBatch: k + 1, checkpoint })).events)
        expect(rowsOf(rest)).toEqual(rowsOf(batches.slice(k + 1)))
      }
    }))

  it.effect("damage in each piece is reported with that piece's name and its own offset; every flow is kept", () =>
    Effect.gen(function* () {
      const bytes = readFileSync(fixture("mining/peafowl-stratum.pcap"))
      // 29 bytes of garbage after record `at` of a piece
      const garbled = (piece: Buffer, at: number): { bytes: Buffer; offset: number } => {
        const [head, tail] = splitCapture(piece, [at])
        return { bytes: Buffer.concat([head!, Buffer.alloc(29, 0xee), tail!.subarray(24)]), offset: head!.length }
      }
      const [a, b] = splitCapture(bytes, evenCuts(packetCount(bytes), 1))
      // the first piece's damage lies further in than the second's: each is still its own
      const first = garbled(a!, 40)
      const second = garbled(b!, 2)
      const pieces = [tempFile(first.bytes, "cut.pcap"), tempFile(second.bytes, "cut.pcap1")]
      const whole = yield* collectCapture(fixture("mining/peafowl-stratum.pcap"))
      const joined = yield* collectCapture(pieces)
      expect(joined.flows).toEqual(whole.flows)
      const corrupt = joined.findings.filter((f) => f.code === "corrupt_record").map((f) => [f.capture, f.offset])
      expect(corrupt).toEqual([
        [basename(pieces[0]!), first.offset],
        [basename(pieces[1]!), second.offset]
      ])
      expect(first.offset).toBeGreaterThan(second.offset)
    }))

  it.effect("an empty piece and a file that is no capture are reported by name; the other pieces give every flow", () =>
    Effect.gen(function* () {
      const [a, b, c] = piecesOf("mining/peafowl-stratum.pcap", 3)
      const empty = tempFile(Buffer.alloc(0), "x.pcap1")
      const text = tempFile(Buffer.from("# a note left in the capture folder\n"), "NOTES.txt")
      const whole = yield* collectCapture(fixture("mining/peafowl-stratum.pcap"))
      const joined = yield* collectCapture([a!, empty, b!, text, c!])
      expect(joined.flows).toEqual(whole.flows)
      const found = joined.findings.map((f) => [f.code, f.severity, f.capture])
      expect(found).toContainEqual(["empty_capture", "info", basename(empty)])
      expect(found).toContainEqual(["not_a_capture", "warn", basename(text)])
      expect(joined.findings.find((f) => f.code === "not_a_capture")!.message).toMatch(/text/)
    }))

  it.effect("a piece that begins before the one before it ends is reported: not pieces of one capture", () =>
    Effect.gen(function* () {
      const path = fixture("mining/peafowl-monero.pcap")
      const again = tempFile(readFileSync(path), "monero-again.pcap")
      const joined = yield* collectCapture([path, again])
      const overlap = joined.findings.filter((f) => f.code === "pieces_overlap")
      expect(overlap).toHaveLength(1)
      expect(overlap[0]!.severity).toBe("warn")
      expect(overlap[0]!.capture).toBe(basename(again))
      expect(overlap[0]!.message).toMatch(/peafowl-monero\.pcap/)
      // pieces that follow one another are not
      const pieces = yield* collectCapture(piecesOf("mining/peafowl-monero.pcap", 3))
      expect(pieces.findings.filter((f) => f.code === "pieces_overlap")).toEqual([])
    }))
})
