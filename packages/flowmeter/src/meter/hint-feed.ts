/**
 * App hints per flow: one HintCollector per flow, made lazily on its first payload packet and
 * fed the transport payload of at most `hint_packets` payload packets.
 *
 * Holds: `HintFeed`, which keeps the live collectors by slot, a small replay log per live
 * collector (`FeedLog`: file offset and length of each payload fed, so a resumed read can feed
 * a new collector the same bytes; one typed array per collector, nothing per packet), and the
 * final hints once a collector has seen enough.
 * Does not hold: the payload parsers (see `../hints/`).
 */
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

/** The payloads fed to one collector: (file offset, length signed by direction) pairs, at most `capacity`. */
export class FeedLog {
  private readonly pairs: Float64Array
  length = 0

  constructor(readonly capacity: number) {
    this.pairs = new Float64Array(Math.max(1, capacity) * 2)
  }

  /** Record one payload (a payload is never empty, so the sign of its length keeps the direction). */
  add(offset: number, length: number, forward: boolean): void {
    if (this.length >= this.capacity) return
    this.pairs[this.length * 2] = offset
    this.pairs[this.length * 2 + 1] = forward ? length : -length
    this.length++
  }

  /** The payloads in the order fed (for checkpoints). */
  entries(): Array<FedPayload> {
    const out: Array<FedPayload> = []
    for (let k = 0; k < this.length; k++) {
      const signed = this.pairs[k * 2 + 1]!
      out.push({ offset: this.pairs[k * 2]!, length: Math.abs(signed), forward: signed > 0 })
    }
    return out
  }
}

export class HintFeed {
  collectors: Array<HintCollector | undefined> = []
  logs: Array<FeedLog | undefined> = []
  results: Array<AppHints | undefined> = []

  constructor(
    private readonly store: FlowStore,
    readonly maxPackets: number
  ) {}

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
      this.logs[slot] = new FeedLog(this.maxPackets)
      u.hintState[slot] = HINT_COLLECTING
    }
    const fed = u.hintFed[slot]! + 1
    u.hintFed[slot] = fed
    this.logs[slot]!.add(fileOffset, end - start, forward)
    const more = collector.feed(payload, start, end, forward, protocol, srcPort, dstPort)
    if (!more || fed >= this.maxPackets) this.settle(slot)
  }

  /** The collector has seen enough: keep its result, drop it and its log. */
  private settle(slot: number): void {
    const collector = this.collectors[slot]
    this.results[slot] = collector?.result()
    this.collectors[slot] = undefined
    this.logs[slot] = undefined
    this.store.u.hintState[slot] = HINT_DONE
  }

  /** The hints of `slot` as the flow ends (and forget them). */
  take(slot: number): AppHints | undefined {
    const state = this.store.u.hintState[slot]
    const out = state === HINT_DONE ? this.results[slot] : state === HINT_COLLECTING ? this.collectors[slot]?.result() : undefined
    this.collectors[slot] = undefined
    this.logs[slot] = undefined
    this.results[slot] = undefined
    return out
  }

  /** Restore a live collector from replayed payloads (checkpoint resume). */
  replay(
    slot: number,
    payloads: ReadonlyArray<{ readonly bytes: Uint8Array; readonly fed: FedPayload }>,
    protocol: number,
    portOf: (forward: boolean) => readonly [number, number]
  ): void {
    const collector = new HintCollector()
    const log = new FeedLog(Math.max(this.maxPackets, payloads.length))
    this.collectors[slot] = collector
    this.logs[slot] = log
    this.store.u.hintState[slot] = HINT_COLLECTING
    for (const { bytes, fed } of payloads) {
      log.add(fed.offset, fed.length, fed.forward)
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
