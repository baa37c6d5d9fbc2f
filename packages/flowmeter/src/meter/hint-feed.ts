/**
 * App hints per flow: one HintCollector per flow, made lazily on its first payload packet and
 * fed the transport payload of at most `hint_packets` payload packets.
 *
 * Holds: `HintFeed`, which keeps the live collectors by slot, a small replay log per live
 * collector (file offset and length of each payload fed, so a resumed read can feed a new
 * collector the same bytes; pooled by slot in one typed array, nothing allocated per packet or
 * flow), and the final hints once a collector has seen enough.
 * Does not hold: the payload parsers (see `../hints/`).
 */
import { grownTypedArray } from "@hashhound/core"
import { HintCollector, type AppHints } from "../hints/index.js"
import type { FlowStore } from "./flow-store.js"

export type HintValues = AppHints

export const HINT_NONE = 0
export const HINT_COLLECTING = 1
export const HINT_DONE = 2

/** One fed payload: where it was in the file, how long, which way. */
export interface FedPayload {
  readonly offset: number
  readonly length: number
  readonly forward: boolean
}

/**
 * The payloads fed to the live collectors, pooled by flow slot: up to `perSlot` (file offset,
 * length signed by direction) pairs per slot in one array that grows with the slots; a
 * payload is never empty, so the sign keeps the direction. Nothing is allocated per flow.
 */
class FeedLogs {
  private pairs: Float64Array

  constructor(private readonly perSlot: number) {
    this.pairs = new Float64Array(Math.max(1, perSlot) * 2 * 1024)
  }

  /** Record payload number `k` (from 0) of `slot`. */
  add(slot: number, k: number, offset: number, length: number, forward: boolean): void {
    if (k >= this.perSlot) return
    const at = (slot * this.perSlot + k) * 2
    if (at + 2 > this.pairs.length) this.pairs = grownTypedArray(this.pairs, at + 2, this.pairs.length, (n) => new Float64Array(n))
    this.pairs[at] = offset
    this.pairs[at + 1] = forward ? length : -length
  }

  /** The first `count` payloads of `slot`, in the order fed. */
  entries(slot: number, count: number): Array<FedPayload> {
    const out: Array<FedPayload> = []
    for (let k = 0; k < Math.min(count, this.perSlot); k++) {
      const at = (slot * this.perSlot + k) * 2
      const signed = this.pairs[at + 1] ?? 0
      out.push({ offset: this.pairs[at] ?? 0, length: Math.abs(signed), forward: signed > 0 })
    }
    return out
  }
}

export class HintFeed {
  collectors: Array<HintCollector | undefined> = []
  results: Array<AppHints | undefined> = []
  private readonly logs: FeedLogs

  constructor(
    private readonly store: FlowStore,
    readonly maxPackets: number
  ) {
    this.logs = new FeedLogs(maxPackets)
  }

  /**
   * Feed one payload packet of `slot`. `fileOffset` is where payload[start] lies in the
   * capture (for the replay log); ports are the packet's own source and destination.
   */
  feed(
    slot: number,
    payload: Uint8Array,
    start: number,
    end: number,
    fileOffset: number,
    forward: boolean,
    protocol: number,
    srcPort: number,
    dstPort: number
  ): void {
    const u = this.store.u
    const state = u.hintState[slot]!
    if (state === HINT_DONE || this.maxPackets === 0) return
    let collector = this.collectors[slot]
    if (state === HINT_NONE || collector === undefined) {
      collector = new HintCollector()
      this.collectors[slot] = collector
      u.hintState[slot] = HINT_COLLECTING
    }
    const fed = u.hintFed[slot]! + 1
    u.hintFed[slot] = fed
    this.logs.add(slot, fed - 1, fileOffset, end - start, forward)
    const more = collector.feed(payload, start, end, forward, protocol, srcPort, dstPort)
    if (!more || fed >= this.maxPackets) this.settle(slot)
  }

  /** The collector has seen enough: keep its result, drop it and its log. */
  private settle(slot: number): void {
    const collector = this.collectors[slot]
    this.results[slot] = collector?.result()
    collector?.release()
    this.collectors[slot] = undefined
    this.store.u.hintState[slot] = HINT_DONE
  }

  /** The hints of `slot` as the flow ends (and forget them). */
  take(slot: number): AppHints | undefined {
    const state = this.store.u.hintState[slot]
    const out = state === HINT_DONE ? this.results[slot] : state === HINT_COLLECTING ? this.collectors[slot]?.result() : undefined
    this.collectors[slot]?.release()
    this.collectors[slot] = undefined
    this.results[slot] = undefined
    return out
  }

  /** The payloads fed so far to the live collector of `slot` (for checkpoints). */
  fedPayloads(slot: number): Array<FedPayload> {
    return this.store.u.hintState[slot] === HINT_COLLECTING ? this.logs.entries(slot, this.store.u.hintFed[slot] ?? 0) : []
  }

  /** Restore a live collector from replayed payloads (checkpoint resume). */
  replay(
    slot: number,
    payloads: ReadonlyArray<{ readonly bytes: Uint8Array; readonly fed: FedPayload }>,
    protocol: number,
    portOf: (forward: boolean) => readonly [number, number]
  ): void {
    const collector = new HintCollector()
    this.collectors[slot] = collector
    this.store.u.hintState[slot] = HINT_COLLECTING
    for (const [k, { bytes, fed }] of payloads.entries()) {
      this.logs.add(slot, k, fed.offset, fed.length, fed.forward)
      const [sp, dp] = portOf(fed.forward)
      collector.feed(bytes, 0, bytes.length, fed.forward, protocol, sp, dp)
    }
  }

  /** Move hint state from one slot to another (checkpoint restore compacts slots). */
  setResult(slot: number, hints: AppHints): void {
    this.results[slot] = hints
    this.store.u.hintState[slot] = HINT_DONE
  }
}
