/**
 * Checkpoint encoding of the flow meter: clock, counters, fragment map and every open flow
 * (all per-flow fields, list order for expiry, app-hint state, the signatures of the packets a
 * copy could still repeat).
 *
 * Holds: `writeMeter` and `readMeter`. Flows are stored in least-recently-seen order with
 * their creation and linger orders as ordinals, so a restored meter expires and evicts in
 * exactly the same order. A live hint collector is stored as its replay log (file offsets of
 * the payloads fed); `readMeter` returns those logs for the session to replay.
 * Does not hold: the reader position or section state (see `../session.ts`).
 */
import type { AppHints } from "../hints/index.js"
import type { FlowMeter } from "../meter/flow-meter.js"
import {
  AGE,
  F64_FIELDS,
  FLAG_COUNTS,
  hashKey,
  I32_FIELDS,
  KEY_WORDS,
  LINGER,
  LRU,
  U8_FIELDS
} from "../meter/flow-store.js"
import { HINT_COLLECTING, HINT_DONE, type FedPayload } from "../meter/hint-feed.js"
import { CheckpointFormatError, type ByteReader, type ByteWriter } from "./byte-codec.js"

export interface PendingReplay {
  readonly slot: number
  readonly log: ReadonlyArray<FedPayload>
}

const writeHints = (w: ByteWriter, h: AppHints | undefined): void => {
  if (h === undefined) {
    w.u8(0)
    return
  }
  w.u8(1)
  w.optStr(h.appProto)
  w.optStr(h.tlsSni)
  w.optStr(h.tlsJa3)
  w.optStr(h.tlsJa4)
  w.optStr(h.httpHost)
  w.optStr(h.dnsQname)
  w.u32(h.jsonrpcMethods.length)
  for (const m of h.jsonrpcMethods) w.str(m)
}

const readHints = (r: ByteReader): AppHints | undefined => {
  if (r.u8() === 0) return undefined
  const appProto = r.optStr()
  const tlsSni = r.optStr()
  const tlsJa3 = r.optStr()
  const tlsJa4 = r.optStr()
  const httpHost = r.optStr()
  const dnsQname = r.optStr()
  const n = r.u32()
  const jsonrpcMethods: Array<string> = []
  for (let i = 0; i < n; i++) jsonrpcMethods.push(r.str())
  return { appProto, tlsSni, tlsJa3, tlsJa4, httpHost, dnsQname, jsonrpcMethods }
}

export const writeMeter = (w: ByteWriter, meter: FlowMeter): void => {
  w.f64(meter.clock)
  const c = meter.counters
  for (const v of [c.packets, c.nonIp, c.malformed, c.truncated, c.orphanFragments, c.evicted, c.noTimestamp, c.badTimestamp, c.tunnelled, c.duplicates]) w.f64(v)
  w.u32(c.linkTypes.size)
  for (const [type, count] of c.linkTypes) {
    w.u32(type)
    w.f64(count)
  }
  const copies = meter.copies.live(meter.clock)
  w.u32(copies.length)
  for (const [sig, ts] of copies) {
    w.i32(sig)
    w.f64(ts)
  }
  w.f64(meter.frags.orphans)
  w.u32(meter.frags.entries.size)
  for (const [key, e] of meter.frags.entries) {
    w.str(key)
    w.u8(e.known ? 1 : 0)
    w.u32(e.srcPort)
    w.u32(e.dstPort)
    w.u8(e.hasPorts ? 1 : 0)
    w.u8(e.protocol)
    w.f64(e.tsUs)
    w.u32(e.held.length)
    for (const v of e.held) w.f64(v)
  }
  const store = meter.store
  const order = store.listOrder(LRU)
  const ordinal = new Map<number, number>()
  order.forEach((slot, i) => ordinal.set(slot, i))
  w.u32(order.length)
  for (const slot of order) {
    for (let k = 0; k < KEY_WORDS; k++) w.u32(store.keys[slot * KEY_WORDS + k]!)
    for (const name of F64_FIELDS) w.f64(store.f[name][slot]!)
    for (const name of I32_FIELDS) w.i32(store.i[name][slot]!)
    for (const name of U8_FIELDS) w.u8(store.u[name][slot]!)
    for (let k = 0; k < FLAG_COUNTS; k++) w.u32(store.flags[slot * FLAG_COUNTS + k]!)
    const n = store.u.spltCount[slot]!
    for (let k = 0; k < n; k++) {
      w.i32(store.spltLen[slot * store.splt + k]!)
      w.f64(store.spltIat[slot * store.splt + k]!)
    }
    const state = store.u.hintState[slot]
    if (state === HINT_DONE) writeHints(w, meter.hints.results[slot])
    else if (state === HINT_COLLECTING) {
      const log = meter.hints.fedPayloads(slot)
      w.u32(log.length)
      for (const fed of log) {
        w.f64(fed.offset)
        w.u32(fed.length)
        w.u8(fed.forward ? 1 : 0)
      }
    }
  }
  for (const list of [AGE, LINGER]) {
    const slots = store.listOrder(list)
    w.u32(slots.length)
    for (const slot of slots) w.u32(ordinal.get(slot) ?? 0)
  }
}

/** Restore into a fresh meter made with the same options; returns the hint logs to replay. */
export const readMeter = (r: ByteReader, meter: FlowMeter): Array<PendingReplay> => {
  meter.clock = r.f64()
  const c = meter.counters
  c.packets = r.f64()
  c.nonIp = r.f64()
  c.malformed = r.f64()
  c.truncated = r.f64()
  c.orphanFragments = r.f64()
  c.evicted = r.f64()
  c.noTimestamp = r.f64()
  c.badTimestamp = r.f64()
  c.tunnelled = r.f64()
  c.duplicates = r.f64()
  const types = r.u32()
  for (let i = 0; i < types; i++) c.linkTypes.set(r.u32(), r.f64())
  const copies = r.u32()
  const live: Array<readonly [number, number]> = []
  for (let i = 0; i < copies; i++) live.push([r.i32(), r.f64()])
  meter.copies.restore(live)
  meter.frags.orphans = r.f64()
  const frags = r.u32()
  for (let i = 0; i < frags; i++) {
    const key = r.str()
    const known = r.u8() === 1
    const srcPort = r.u32()
    const dstPort = r.u32()
    const hasPorts = r.u8() === 1
    const protocol = r.u8()
    const tsUs = r.f64()
    const n = r.u32()
    if (n > 3 * 64) throw new CheckpointFormatError("checkpoint holds too many fragments for one datagram")
    const held: Array<number> = []
    for (let k = 0; k < n; k++) held.push(r.f64())
    meter.frags.entries.set(key, { known, srcPort, dstPort, hasPorts, protocol, tsUs, held })
  }
  const store = meter.store
  const n = r.u32()
  if (n > store.maxFlows) throw new CheckpointFormatError("checkpoint holds more flows than max_flows")
  const slots: Array<number> = []
  const replays: Array<PendingReplay> = []
  const key = new Uint32Array(KEY_WORDS)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < KEY_WORDS; k++) key[k] = r.u32()
    const slot = store.allocate(key, hashKey(key))
    slots.push(slot)
    for (const name of F64_FIELDS) store.f[name][slot] = r.f64()
    for (const name of I32_FIELDS) store.i[name][slot] = r.i32()
    for (const name of U8_FIELDS) store.u[name][slot] = r.u8()
    for (let k = 0; k < FLAG_COUNTS; k++) store.flags[slot * FLAG_COUNTS + k] = r.u32()
    const count = store.u.spltCount[slot]!
    if (count > store.splt) throw new CheckpointFormatError("checkpoint early-packet count exceeds splt_packets")
    for (let k = 0; k < count; k++) {
      store.spltLen[slot * store.splt + k] = r.i32()
      store.spltIat[slot * store.splt + k] = r.f64()
    }
    const state = store.u.hintState[slot]
    if (state === HINT_DONE) {
      const hints = readHints(r)
      if (hints !== undefined) meter.hints.results[slot] = hints
    } else if (state === HINT_COLLECTING) {
      const len = r.u32()
      const log: Array<FedPayload> = []
      for (let k = 0; k < len; k++) {
        const offset = r.f64()
        const length = r.u32()
        log.push({ offset, length, forward: r.u8() === 1 })
      }
      replays.push({ slot, log })
    }
    store.pushTail(LRU, slot)
  }
  for (const list of [AGE, LINGER]) {
    const m = r.u32()
    for (let i = 0; i < m; i++) {
      const slot = slots[r.u32()]
      if (slot === undefined) throw new CheckpointFormatError("checkpoint list names a flow it does not hold")
      store.pushTail(list, slot)
    }
  }
  return replays
}
