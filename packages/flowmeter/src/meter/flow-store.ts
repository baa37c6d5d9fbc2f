/**
 * The flow table's storage: per-flow state in struct-of-arrays typed arrays indexed by slot,
 * a free list, an open-addressing hash index from key words to slot, and three intrusive
 * lists (by last activity, by creation, by linger deadline) that make expiry O(1) per flow.
 *
 * Holds: `FlowStore` (allocate / free / find / grow, list moves) and the field name lists
 * that growth and checkpoints walk. A flow key is 10 uint32 words: version/protocol/VLAN,
 * endpoint A address (4), endpoint B address (4), ports A<<16|B; A is the smaller endpoint.
 * Does not hold: what the fields mean per packet (see `flow-update.ts`) or when flows end.
 */

export const KEY_WORDS = 10

export const F64_FIELDS = [
  "firstTs",
  "lastTs",
  "lastPktTs",
  "lastFwdTs",
  "lastBwdTs",
  "lastClock",
  "createdClock",
  "lingerAt",
  "fwdPackets",
  "bwdPackets",
  "fwdBytes",
  "bwdBytes",
  "fwdPayload",
  "bwdPayload",
  "fwdLenMean",
  "fwdLenM2",
  "fwdLenMin",
  "fwdLenMax",
  "bwdLenMean",
  "bwdLenM2",
  "bwdLenMin",
  "bwdLenMax",
  "allLenMean",
  "allLenM2",
  "allLenMin",
  "allLenMax",
  "fwdIatMean",
  "fwdIatM2",
  "fwdIatMin",
  "fwdIatMax",
  "bwdIatMean",
  "bwdIatM2",
  "bwdIatMin",
  "bwdIatMax",
  "allIatMean",
  "allIatM2",
  "allIatMin",
  "allIatMax"
] as const
export type F64Field = (typeof F64_FIELDS)[number]

/** per-flow int32 fields (list links are kept apart: checkpoints store list order instead) */
export const I32_FIELDS = ["fwdInitWin", "bwdInitWin"] as const
export type I32Field = (typeof I32_FIELDS)[number]

/** per-flow uint8 fields */
export const U8_FIELDS = ["srcIsA", "state", "spltCount", "hintState", "hintFed"] as const
export type U8Field = (typeof U8_FIELDS)[number]

/** `state` bits */
export const ST_FIN_FWD = 1
export const ST_FIN_BWD = 2
export const ST_RST = 4
export const ST_LINGER = 8
/** a SYN without ACK was seen from src */
export const ST_SYN_SRC = 16

export const FLAG_COUNTS = 16

const LIST_LRU = 0
const LIST_AGE = 1
const LIST_LINGER = 2
export type ListId = typeof LIST_LRU | typeof LIST_AGE | typeof LIST_LINGER
export const LRU: ListId = LIST_LRU
export const AGE: ListId = LIST_AGE
export const LINGER: ListId = LIST_LINGER

const mixHash = (k: Uint32Array, at: number): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ k[at + i]!, 0x9e3779b1)
    h ^= h >>> 15
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b)
  return (h ^ (h >>> 16)) >>> 0
}

export const hashKey = (key: Uint32Array): number => mixHash(key, 0)

const nextPow2 = (n: number): number => {
  let p = 16
  while (p < n) p *= 2
  return p
}

/**
 * One array per field name, made by `make`. Built by `Object.fromEntries`: V8 keeps that object
 * in fast (hidden-class) mode, where adding 38 properties one by one with computed keys turned
 * it into a dictionary and every `f.fwdPackets` in the per-packet code into a hash lookup.
 */
const fieldArrays = <Name extends string, A>(names: ReadonlyArray<Name>, make: () => A): Record<Name, A> =>
  Object.fromEntries(names.map((name) => [name, make()])) as Record<Name, A>

export class FlowStore {
  capacity: number
  count = 0
  readonly f: Record<F64Field, Float64Array>
  readonly i: Record<I32Field, Int32Array>
  readonly u: Record<U8Field, Uint8Array>
  /** the arrays of `f` and `u` in field order, for clearing a slot without a lookup by name */
  private f64Arrays: Array<Float64Array> = []
  private u8Arrays: Array<Uint8Array> = []
  keys: Uint32Array
  hashes: Uint32Array
  flags: Uint32Array
  spltLen: Int32Array
  spltIat: Float64Array
  /**
   * The timestamp (µs) of the packet `addPacket` records, set by its caller: a typed-array
   * cell, not an argument, because a time is no small integer and V8 allocates a number for
   * each one passed to a function it does not inline (16 bytes a packet).
   */
  readonly packetTs = new Float64Array(1)
  /** per list: prev and next links, -1 = none */
  prev: Array<Int32Array>
  next: Array<Int32Array>
  readonly head = [-1, -1, -1]
  readonly tail = [-1, -1, -1]
  /** slot+1 per bucket, 0 = empty */
  private index: Int32Array
  private mask: number
  private freeHead = -1
  private freeNext: Int32Array
  /** slots handed out so far (slots ≥ this were never used) */
  private highWater = 0
  readonly inUse: Uint8Array

  constructor(
    readonly maxFlows: number,
    readonly splt: number,
    initialCapacity = 1024
  ) {
    this.capacity = Math.min(maxFlows, initialCapacity)
    const c = this.capacity
    this.f = fieldArrays(F64_FIELDS, () => new Float64Array(c))
    this.i = fieldArrays(I32_FIELDS, () => new Int32Array(c))
    this.u = fieldArrays(U8_FIELDS, () => new Uint8Array(c))
    this.keys = new Uint32Array(c * KEY_WORDS)
    this.hashes = new Uint32Array(c)
    this.flags = new Uint32Array(c * FLAG_COUNTS)
    this.spltLen = new Int32Array(Math.max(1, c * splt))
    this.spltIat = new Float64Array(Math.max(1, c * splt))
    this.prev = [new Int32Array(c), new Int32Array(c), new Int32Array(c)]
    this.next = [new Int32Array(c), new Int32Array(c), new Int32Array(c)]
    this.inUse = new Uint8Array(c)
    this.freeNext = new Int32Array(c)
    this.listFieldArrays()
    const size = nextPow2(c * 2)
    this.index = new Int32Array(size)
    this.mask = size - 1
  }

  get full(): boolean {
    return this.count >= this.maxFlows
  }

  /** The slot holding `key` (hash `h`), or -1. */
  find(key: Uint32Array, h: number): number {
    const keys = this.keys
    for (let b = h & this.mask; ; b = (b + 1) & this.mask) {
      const e = this.index[b]!
      if (e === 0) return -1
      const slot = e - 1
      if (this.hashes[slot] !== h) continue
      const at = slot * KEY_WORDS
      let same = true
      for (let w = 0; w < KEY_WORDS; w++) {
        if (keys[at + w] !== key[w]) {
          same = false
          break
        }
      }
      if (same) return slot
    }
  }

  /** A zeroed slot for `key`, indexed; the caller has made room (`full` is false). */
  allocate(key: Uint32Array, h: number): number {
    let slot: number
    if (this.freeHead >= 0) {
      slot = this.freeHead
      this.freeHead = this.freeNext[slot]!
    } else {
      if (this.highWater >= this.capacity) this.grow()
      slot = this.highWater++
    }
    this.clear(slot)
    const keys = this.keys
    const at = slot * KEY_WORDS
    for (let w = 0; w < KEY_WORDS; w++) keys[at + w] = key[w]!
    this.hashes[slot] = h
    this.inUse[slot] = 1
    this.count++
    let b = h & this.mask
    while (this.index[b] !== 0) b = (b + 1) & this.mask
    this.index[b] = slot + 1
    return slot
  }

  /** Unindex a slot, unlink it from every list and put it on the free list. */
  release(slot: number): void {
    this.unindex(slot)
    for (let l = 0; l < 3; l++) this.unlink(l as ListId, slot)
    this.inUse[slot] = 0
    this.freeNext[slot] = this.freeHead
    this.freeHead = slot
    this.count--
  }

  private unindex(slot: number): void {
    const mask = this.mask
    let i = this.hashes[slot]! & mask
    while (this.index[i] !== slot + 1) {
      if (this.index[i] === 0) return
      i = (i + 1) & mask
    }
    this.index[i] = 0
    // backward-shift deletion keeps every probe chain unbroken
    for (let j = (i + 1) & mask; this.index[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[this.index[j]! - 1]! & mask
      const between = i <= j ? home > i && home <= j : home > i || home <= j
      if (!between) {
        this.index[i] = this.index[j]!
        this.index[j] = 0
        i = j
      }
    }
  }

  private listFieldArrays(): void {
    this.f64Arrays = F64_FIELDS.map((name) => this.f[name])
    this.u8Arrays = U8_FIELDS.map((name) => this.u[name])
  }

  private clear(slot: number): void {
    for (const values of this.f64Arrays) values[slot] = 0
    for (const values of this.u8Arrays) values[slot] = 0
    this.i.fwdInitWin[slot] = -1
    this.i.bwdInitWin[slot] = -1
    this.flags.fill(0, slot * FLAG_COUNTS, slot * FLAG_COUNTS + FLAG_COUNTS)
    for (let l = 0; l < 3; l++) {
      this.prev[l]![slot] = -1
      this.next[l]![slot] = -1
    }
  }

  private grow(): void {
    const old = this.capacity
    const c = Math.min(this.maxFlows, old * 2)
    if (c <= old) throw new Error("flow store cannot grow beyond max_flows")
    const widen = <T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T, per = 1): T => {
      const b = make(Math.max(1, c * per))
      b.set(a)
      return b
    }
    for (const name of F64_FIELDS) this.f[name] = widen(this.f[name], (n) => new Float64Array(n))
    for (const name of I32_FIELDS) this.i[name] = widen(this.i[name], (n) => new Int32Array(n))
    for (const name of U8_FIELDS) this.u[name] = widen(this.u[name], (n) => new Uint8Array(n))
    this.keys = widen(this.keys, (n) => new Uint32Array(n), KEY_WORDS)
    this.hashes = widen(this.hashes, (n) => new Uint32Array(n))
    this.flags = widen(this.flags, (n) => new Uint32Array(n), FLAG_COUNTS)
    this.spltLen = widen(this.spltLen, (n) => new Int32Array(n), this.splt)
    this.spltIat = widen(this.spltIat, (n) => new Float64Array(n), this.splt)
    this.prev = this.prev.map((a) => widen(a, (n) => new Int32Array(n)))
    this.next = this.next.map((a) => widen(a, (n) => new Int32Array(n)))
    ;(this as { inUse: Uint8Array }).inUse = widen(this.inUse, (n) => new Uint8Array(n))
    this.freeNext = widen(this.freeNext, (n) => new Int32Array(n))
    this.listFieldArrays()
    this.capacity = c
    const size = nextPow2(c * 2)
    this.index = new Int32Array(size)
    this.mask = size - 1
    for (let slot = 0; slot < this.highWater; slot++) {
      if (this.inUse[slot] !== 1) continue
      let b = this.hashes[slot]! & this.mask
      while (this.index[b] !== 0) b = (b + 1) & this.mask
      this.index[b] = slot + 1
    }
  }

  // ------------------------------------------------------------ intrusive lists

  isLinked(list: ListId, slot: number): boolean {
    return this.prev[list]![slot] !== -1 || this.head[list] === slot
  }

  /** Append (or move) `slot` to the tail of `list`. */
  pushTail(list: ListId, slot: number): void {
    if (this.tail[list] === slot) return
    if (this.isLinked(list, slot)) this.unlink(list, slot)
    const prev = this.prev[list]!
    const next = this.next[list]!
    const t = this.tail[list]!
    prev[slot] = t
    next[slot] = -1
    if (t >= 0) next[t] = slot
    else this.head[list] = slot
    this.tail[list] = slot
  }

  unlink(list: ListId, slot: number): void {
    if (!this.isLinked(list, slot)) return
    const prev = this.prev[list]!
    const next = this.next[list]!
    const p = prev[slot]!
    const n = next[slot]!
    if (p >= 0) next[p] = n
    else this.head[list] = n
    if (n >= 0) prev[n] = p
    else this.tail[list] = p
    prev[slot] = -1
    next[slot] = -1
  }

  /** Slots of a list from head to tail. */
  listOrder(list: ListId): Array<number> {
    const out: Array<number> = []
    for (let s = this.head[list]!; s >= 0; s = this.next[list]![s]!) out.push(s)
    return out
  }
}
