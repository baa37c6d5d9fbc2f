/**
 * The bidirectional flow meter: packets in, ended flows out as FlowBatch rows.
 *
 * Holds: `FlowMeter` — per packet: advance the monotone clock, end flows whose idle, active or
 * linger deadline has passed (earliest deadline first), decode the frame, map later fragments
 * to their first fragment's ports, find or make the flow (evicting the least recently seen
 * one at `max_flows`), pick the initiator (SYN sender, else first sender), count (or drop) a
 * packet that repeats one of its flow and direction less than 1 ms earlier, update the
 * statistics, track FIN/RST with a short linger, feed app hints; at the end of the capture
 * every open flow ends (`eof`, or its pending `fin`/`rst`) in first_seen-then-key order.
 * Rows go to a RowWriter; when it holds `batch_flows` rows `onBatchFull` is called at once,
 * at a point where the meter state plus `resumeAt` is a consistent checkpoint.
 * Does not hold: capture parsing, findings text or checkpoint encoding.
 */
import type { PacketView } from "../capture/packet.js"
import { decodeFrame, Decoded, DECODE_NON_IP, DECODE_OK, DECODE_UNSUPPORTED_LINK, FRAG_FIRST, FRAG_LATER } from "../decode/packet-decoder.js"
import type { ResolvedOptions } from "../options.js"
import { DuplicateFilter, mayBeCopy, packetSignature } from "./duplicate-filter.js"
import { FragmentMap } from "./fragments.js"
import { FlowRowsOrder } from "./flow-order.js"
import { RowWriter } from "./flow-rows.js"
import { AGE, FlowStore, hashKey, KEY_WORDS, LINGER, LRU, ST_FIN_BWD, ST_FIN_FWD, ST_LINGER, ST_RST, ST_SYN_SRC } from "./flow-store.js"
import { addPacket, swapDirections } from "./flow-update.js"
import { HintFeed } from "./hint-feed.js"

export interface MeterCounters {
  packets: number
  nonIp: number
  malformed: number
  truncated: number
  orphanFragments: number
  evicted: number
  noTimestamp: number
  /** packets whose timestamp µs since the epoch cannot hold exactly (beyond ±2^53 µs, about 285 years) */
  badTimestamp: number
  /** packets metered as the packet inside a tunnel */
  tunnelled: number
  /** packets that repeat one of their flow and direction less than 1 ms earlier (duplicate-filter.ts) */
  duplicates: number
  /** unsupported link type → frames skipped */
  readonly linkTypes: Map<number, number>
}

export const newCounters = (): MeterCounters => ({
  packets: 0,
  nonIp: 0,
  malformed: 0,
  truncated: 0,
  orphanFragments: 0,
  evicted: 0,
  noTimestamp: 0,
  badTimestamp: 0,
  tunnelled: 0,
  duplicates: 0,
  linkTypes: new Map()
})

const TCP = 6
const UDP = 17
/**
 * Rows the first batch has room for before it grows: a small capture makes no 8,192-row
 * columns; a large one grows the reused builder once and sizes later batches' flat columns
 * to what the last one took.
 */
const ROW_WRITER_START_ROWS = 1024

export class FlowMeter {
  readonly store: FlowStore
  readonly hints: HintFeed
  readonly frags = new FragmentMap()
  readonly writer: RowWriter
  readonly counters: MeterCounters = newCounters()
  /** monotone clock: the largest timestamp seen (µs) */
  clock = Number.NEGATIVE_INFINITY
  /** file offset a resumed read starts from to reach the current state */
  resumeAt = 0
  private readonly d = new Decoded()
  /** recent packets' signatures, to tell a copy (see duplicate-filter.ts) */
  readonly copies = new DuplicateFilter()
  private readonly key = new Uint32Array(KEY_WORDS)
  onBatchFull: () => void = () => {}

  constructor(readonly options: ResolvedOptions) {
    this.store = new FlowStore(options.maxFlows, options.spltPackets, Math.min(options.maxFlows, 4096))
    this.hints = new HintFeed(this.store, options.hintPackets)
    this.writer = new RowWriter(Math.min(options.batchFlows, ROW_WRITER_START_ROWS), options.spltPackets)
  }

  /** Take one packet. */
  packet(pkt: PacketView): void {
    let ts = pkt.tsUs
    const noTs = Number.isNaN(ts)
    // a time past ±2^53 µs would reach the int64 columns rounded or wrapped: the previous time stands in
    const badTs = !noTs && !(ts >= -Number.MAX_SAFE_INTEGER && ts <= Number.MAX_SAFE_INTEGER)
    if (noTs || badTs) ts = Number.isFinite(this.clock) ? this.clock : 0
    const d = this.d
    const status = decodeFrame(pkt.buf, pkt.start, pkt.caplen, pkt.linkType, d, this.options.decapsulate)
    const c = this.counters
    // a copy of a recent packet: counted; with `drop` gone before it changes anything
    const sig = status === DECODE_OK && mayBeCopy(d) ? packetSignature(d, pkt.buf) : 0
    const duplicate = sig !== 0 && this.copies.isCopy(sig, ts)
    if (duplicate) {
      c.duplicates++
      if (this.options.dropDuplicates) {
        // read, so counted as every packet read is; metered no further
        this.countRead(noTs, badTs)
        this.resumeAt = pkt.nextOffset
        return
      }
    }
    if (ts > this.clock) this.clock = ts
    const now = this.clock
    this.resumeAt = pkt.recordOffset
    this.expire(now)
    if (status !== DECODE_OK) {
      this.countRead(noTs, badTs)
      if (status === DECODE_UNSUPPORTED_LINK) c.linkTypes.set(pkt.linkType, (c.linkTypes.get(pkt.linkType) ?? 0) + 1)
      else if (status === DECODE_NON_IP) c.nonIp++
      else c.malformed++
      this.resumeAt = pkt.nextOffset
      return
    }
    const len = this.options.linkBytes ? pkt.origLen : d.ipLen
    if (d.fragment === FRAG_LATER) {
      const entry = this.frags.lookup(d, now)
      if (entry === undefined) {
        // before its first fragment: held until that comes (or counted an orphan)
        this.countRead(noTs, badTs)
        if (d.tunnels > 0) c.tunnelled++
        this.frags.hold(d, now, ts, len, d.payloadLen)
        this.resumeAt = pkt.nextOffset
        return
      }
      d.hasPorts = entry.hasPorts
      d.protocol = entry.protocol
      d.srcPort = entry.srcPort
      d.dstPort = entry.dstPort
    }

    // canonical key: endpoint A is the smaller (address, port)
    const key = this.key
    const sp = d.hasPorts ? d.srcPort : 0
    const dp = d.hasPorts ? d.dstPort : 0
    let senderIsA = true
    for (let w = 0; w < 4; w++) {
      const a = d.src[w]!
      const b = d.dst[w]!
      if (a !== b) {
        senderIsA = a < b
        break
      }
      if (w === 3) senderIsA = sp <= dp
    }
    key[0] = ((d.version << 24) | (d.protocol << 16) | (d.vlan + 1)) >>> 0
    const sAt = senderIsA ? 1 : 5
    const rAt = senderIsA ? 5 : 1
    for (let w = 0; w < 4; w++) {
      key[sAt + w] = d.src[w]!
      key[rAt + w] = d.dst[w]!
    }
    key[9] = senderIsA ? ((sp << 16) | dp) >>> 0 : ((dp << 16) | sp) >>> 0
    const h = hashKey(key)
    const store = this.store
    const u = store.u
    const flags = d.tcpFlags
    const pureSyn = flags >= 0 && (flags & 0x12) === 0x02
    let slot = store.find(key, h)
    if (slot >= 0 && pureSyn && (u.state[slot]! & ST_LINGER) !== 0) {
      // a new connection on the same ports: the old one is over
      this.endFlow(slot, (u.state[slot]! & ST_RST) !== 0 ? "rst" : "fin")
      slot = -1
    }
    if (slot < 0 && store.full) {
      const victim = store.head[LRU]!
      c.evicted++
      this.endFlow(victim, "evicted")
    }

    // from here on nothing can end a flow, so state changes are safe for checkpoints
    if (sig !== 0) this.copies.record(sig, ts)
    this.countRead(noTs, badTs)
    if (d.tunnels > 0) c.tunnelled++
    if (d.truncated || pkt.cutShort) c.truncated++
    const held = d.fragment === FRAG_FIRST ? this.frags.remember(d, now) : undefined
    let forward: boolean
    if (slot < 0) {
      slot = store.allocate(key, h)
      u.srcIsA[slot] = senderIsA ? 1 : 0
      store.f.createdClock[slot] = now
      store.pushTail(AGE, slot)
      if (pureSyn) u.state[slot] = ST_SYN_SRC
      forward = true
    } else {
      forward = senderIsA === (u.srcIsA[slot] === 1)
      if (pureSyn && !forward && (u.state[slot]! & ST_SYN_SRC) === 0) {
        swapDirections(store, slot)
        u.state[slot] = u.state[slot]! | ST_SYN_SRC
        forward = true
      }
    }
    store.packetTs[0] = ts
    addPacket(store, slot, forward, len, d.payloadLen, flags, d.tcpWindow)
    if (held !== undefined) {
      for (let k = 0; k + 2 < held.length; k += 3) {
        store.packetTs[0] = held[k]!
        addPacket(store, slot, forward, held[k + 1]!, held[k + 2]!, -1, -1)
      }
    }
    store.f.lastClock[slot] = now
    store.pushTail(LRU, slot)

    if (flags >= 0 && (flags & 0x05) !== 0) {
      let st = u.state[slot]!
      if ((flags & 0x04) !== 0 && (st & ST_LINGER) === 0) st |= ST_RST | ST_LINGER
      if ((flags & 0x01) !== 0) {
        st |= forward ? ST_FIN_FWD : ST_FIN_BWD
        if ((st & (ST_FIN_FWD | ST_FIN_BWD)) === (ST_FIN_FWD | ST_FIN_BWD) && (st & ST_LINGER) === 0) st |= ST_LINGER
      }
      if ((st & ST_LINGER) !== 0 && (u.state[slot]! & ST_LINGER) === 0) {
        store.f.lingerAt[slot] = now + this.options.lingerUs
        store.pushTail(LINGER, slot)
      }
      u.state[slot] = st
    }

    if (!duplicate && d.payloadEnd > d.payloadStart && (d.protocol === TCP || d.protocol === UDP) && this.options.hintPackets > 0) {
      this.hints.feed(
        slot,
        pkt.buf,
        d.payloadStart,
        d.payloadEnd,
        pkt.recordOffset + (d.payloadStart - pkt.recordStartInBuf),
        forward,
        d.protocol,
        d.srcPort,
        d.dstPort
      )
    }
    this.resumeAt = pkt.nextOffset
  }

  /**
   * One more packet read, metered or not, and whether its time was missing or out of range:
   * counted once nothing more can end a flow for it (a checkpoint taken before resumes at it).
   */
  private countRead(noTs: boolean, badTs: boolean): void {
    const c = this.counters
    c.packets++
    if (noTs) c.noTimestamp++
    if (badTs) c.badTimestamp++
  }

  /** End every flow whose deadline is before `now`, earliest deadline first. */
  expire(now: number): void {
    const store = this.store
    const f = store.f
    const idle = this.options.idleTimeoutUs
    const active = this.options.activeTimeoutUs
    for (;;) {
      let best = -1
      let bestAt = Number.POSITIVE_INFINITY
      let reason = ""
      const l = store.head[LINGER]!
      if (l >= 0 && f.lingerAt[l]! < now) {
        best = l
        bestAt = f.lingerAt[l]!
        reason = (store.u.state[l]! & ST_RST) !== 0 ? "rst" : "fin"
      }
      const a = store.head[AGE]!
      if (a >= 0 && f.createdClock[a]! + active < now && f.createdClock[a]! + active < bestAt) {
        best = a
        bestAt = f.createdClock[a]! + active
        reason = "active"
      }
      const i = store.head[LRU]!
      if (i >= 0 && f.lastClock[i]! + idle < now && f.lastClock[i]! + idle < bestAt) {
        best = i
        reason = "idle"
      }
      if (best < 0) return
      this.endFlow(best, reason)
    }
  }

  /** Write `slot` as a row and free it; a full batch is handed on at once. */
  endFlow(slot: number, reason: string): void {
    this.writer.write(this.store, slot, reason, this.hints.take(slot))
    this.store.release(slot)
    if (this.writer.rows >= this.options.batchFlows) this.onBatchFull()
  }

  /** End of capture: every open flow ends, in first_seen-then-key order; the last rows are handed on. */
  finishAll(): void {
    const store = this.store
    this.frags.flush()
    this.counters.orphanFragments = this.frags.orphans
    const order = new FlowRowsOrder(store).sortedSlots()
    for (const slot of order) {
      const st = store.u.state[slot]!
      this.endFlow(slot, (st & ST_LINGER) !== 0 ? ((st & ST_RST) !== 0 ? "rst" : "fin") : "eof")
    }
    if (this.writer.rows > 0) this.onBatchFull()
  }
}
