/**
 * IP fragment bookkeeping: later fragments carry no ports, so the first fragment's ports are
 * remembered under (version, src, dst, protocol, IP id) for the fragments that follow. Later
 * fragments that arrive before their first fragment are held (time, length, payload) and
 * handed to the flow when the first fragment comes; those whose first fragment never comes
 * are counted as orphans.
 *
 * Holds: `FragmentMap`, bounded (oldest entries dropped beyond MAX_ENTRIES, at most
 * MAX_HELD fragments held per datagram) and aged out after FRAGMENT_TTL_US; its entries are
 * plain values so checkpoints can store them.
 * Does not hold: reassembly (the meter only needs to know which flow a fragment belongs to).
 */
import type { Decoded } from "../decode/packet-decoder.js"

export const MAX_ENTRIES = 65_536
export const MAX_HELD = 64
/** how long a first fragment's ports are remembered (µs) */
export const FRAGMENT_TTL_US = 60e6

export interface FragmentEntry {
  /** ports are known (the first fragment was seen) */
  known: boolean
  srcPort: number
  dstPort: number
  hasPorts: boolean
  /** the first fragment's transport protocol (after IPv6 extension headers) */
  protocol: number
  tsUs: number
  /** held later fragments before the first: [ts, length, payload] triples */
  held: Array<number>
}

/** Key text for a fragment; fragments are a small share of traffic, so a string key is fine here. */
export const fragmentKey = (d: Decoded): string =>
  d.version === 4
    ? `4:${d.src[0]}:${d.dst[0]}:${d.fragProto}:${d.fragId}`
    : `6:${d.src[0]}:${d.src[1]}:${d.src[2]}:${d.src[3]}:${d.dst[0]}:${d.dst[1]}:${d.dst[2]}:${d.dst[3]}:${d.fragProto}:${d.fragId}`

export class FragmentMap {
  readonly entries = new Map<string, FragmentEntry>()
  /** fragments given up on: their first fragment never came */
  orphans = 0

  private drop(key: string, entry: FragmentEntry): void {
    this.orphans += entry.held.length / 3
    this.entries.delete(key)
  }

  private put(key: string, entry: FragmentEntry): void {
    this.entries.delete(key)
    this.entries.set(key, entry)
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.entries().next()
      if (oldest.done !== true) this.drop(oldest.value[0], oldest.value[1])
    }
  }

  private live(key: string, nowUs: number): FragmentEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (nowUs - entry.tsUs > FRAGMENT_TTL_US) {
      this.drop(key, entry)
      return undefined
    }
    return entry
  }

  /** A first fragment: remember its ports; returns fragments held for it (triples), if any. */
  remember(d: Decoded, tsUs: number): Array<number> | undefined {
    const key = fragmentKey(d)
    const before = this.live(key, tsUs)
    this.put(key, { known: true, srcPort: d.srcPort, dstPort: d.dstPort, hasPorts: d.hasPorts, protocol: d.protocol, tsUs, held: [] })
    return before !== undefined && before.held.length > 0 ? before.held : undefined
  }

  /** The ports for a later fragment, when its first fragment has been seen. */
  lookup(d: Decoded, nowUs: number): FragmentEntry | undefined {
    const entry = this.live(fragmentKey(d), nowUs)
    return entry?.known === true ? entry : undefined
  }

  /** Hold a later fragment until its first fragment comes (or count it an orphan when too many wait). */
  hold(d: Decoded, nowUs: number, tsUs: number, len: number, payload: number): void {
    const key = fragmentKey(d)
    let entry = this.live(key, nowUs)
    if (entry === undefined) {
      entry = { known: false, srcPort: 0, dstPort: 0, hasPorts: false, protocol: d.protocol, tsUs: nowUs, held: [] }
      this.put(key, entry)
    }
    if (entry.held.length >= MAX_HELD * 3) {
      this.orphans++
      return
    }
    entry.held.push(tsUs, len, payload)
  }

  /** End of capture: whatever is still held is orphaned. */
  flush(): void {
    for (const [key, entry] of this.entries) if (entry.held.length > 0) this.drop(key, entry)
    this.entries.clear()
  }
}
