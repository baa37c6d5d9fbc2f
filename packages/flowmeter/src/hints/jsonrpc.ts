/**
 * JSON-RPC method-name scanning for the application hints (Stratum, XMRig/Monero, Ethereum
 * getWork, JSON-RPC over HTTP POST bodies).
 *
 * Holds: `looksLikeJsonStart` (a payload opening with `{"`, `{}`, `[{`, … after whitespace),
 * `scanJsonRpcMethods` (finds `"method"` `:` `"<name>"` without parsing JSON; names are 1–64
 * characters of [A-Za-z0-9_.]), `JsonRpcMethods` (distinct names in order of first use, at
 * most 32, compared byte-wise so a repeated name allocates nothing; the first 256 names seen in
 * the process are kept, so a name repeated across flows is made once) and
 * `JsonRpcStreamScanner`, which also finds a token cut by a TCP segment boundary by carrying
 * each direction's bytes from the first token its last segment cut and rescanning them joined
 * with the next segment's head.
 * Does not hold: full JSON parsing, params or results.
 */
import { u8 } from "./wire-fields.js"

export const MAX_JSONRPC_METHODS = 32
export const MAX_METHOD_CHARS = 64
/** Whitespace allowed around the ':' of a `"method": "x"` pair (each side). */
const MAX_GAP = 8

const isNameChar = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** Distinct method names in order of first use, at most `MAX_JSONRPC_METHODS`. */
export class JsonRpcMethods {
  private readonly list: Array<string> = []

  get names(): ReadonlyArray<string> {
    return this.list
  }

  get full(): boolean {
    return this.list.length >= MAX_JSONRPC_METHODS
  }

  /** True when some name starts with `prefix` (e.g. "mining."). */
  hasPrefix(prefix: string): boolean {
    return this.list.some((name) => name.startsWith(prefix))
  }

  /** Adds the name `b[start..end)` unless already present; no string is made for a name seen before. */
  add(b: Uint8Array, start: number, end: number): void {
    const list = this.list
    for (let n = 0; n < list.length; n++) if (sameName(list[n]!, b, start, end)) return
    if (this.full) return
    list.push(internedName(b, start, end))
  }
}

const sameName = (name: string, b: Uint8Array, start: number, end: number): boolean => {
  const length = end - start
  if (name.length !== length) return false
  for (let k = 0; k < length; k++) if (name.charCodeAt(k) !== u8(b, start + k)) return false
  return true
}

/** Names kept across flows (method names repeat in every flow of a protocol); later new names are made each time. */
const INTERNED_NAMES = 256
const interned: Array<string> = []

/** The name `b[start..end)` as a string, the same string each time it is seen. */
const internedName = (b: Uint8Array, start: number, end: number): string => {
  for (let n = 0; n < interned.length; n++) if (sameName(interned[n]!, b, start, end)) return interned[n]!
  let name = ""
  for (let i = start; i < end; i++) name += String.fromCharCode(u8(b, i))
  if (interned.length < INTERNED_NAMES) interned.push(name)
  return name
}

/** `"method"`, the key every token starts with. */
const KEY = [0x22, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x22]
const KEY_LAST = KEY.length - 1
/** Bytes of the shortest token, `"method":"x"`. */
const MIN_TOKEN_BYTES = KEY.length + 4
/** Bytes of the longest token: the key, 9 spaces, ':', 9 spaces, '"', 64 name characters, '"'. */
export const MAX_TOKEN_BYTES = KEY.length + (MAX_GAP + 1) + 1 + (MAX_GAP + 1) + 1 + MAX_METHOD_CHARS + 1

/**
 * Horspool's shift for the byte under the key's last position: how far the key can move
 * before that byte meets a key byte of the same value (the whole key length for any other).
 */
const SHIFT = (() => {
  const shift = new Uint8Array(256).fill(KEY.length)
  for (let k = 0; k < KEY_LAST; k++) shift[KEY[k]!] = KEY_LAST - k
  return shift
})()

/**
 * Adds every complete `"method" : "<name>"` in `b[start..end)` that starts before `lastStart`
 * (default: anywhere) to `into`. Each byte is tried as a token start on its own, so tokens may
 * overlap; the key is found by Horspool's search, which skips bytes that cannot end it.
 * A token cut by either end of the window is skipped (JsonRpcStreamScanner catches those
 * across segments). Returns where the first token cut by the end starts (a key, or a part
 * of one, that runs to `end` without failing), or -1: the bytes a stream must carry.
 */
export const scanJsonRpcMethods = (b: Uint8Array, start: number, end: number, into: JsonRpcMethods, lastStart = end): number => {
  if (start < 0) start = 0
  if (end > b.length) end = b.length
  const limit = Math.min(end - MIN_TOKEN_BYTES + 1, lastStart)
  let i = start
  let cut = -1
  while (i < limit) {
    const last = u8(b, i + KEY_LAST)
    if (last === 0x22 && isKeyAt(b, i) && !(i > start && b[i - 1] === 0x5c)) {
      const found = matchValue(b, i + KEY.length, end, into)
      if (found === CUT && cut < 0) cut = i
      if (into.full) return -1
    }
    i += SHIFT[last]!
  }
  // starts too close to the end for a whole token: carried when they begin like the key
  if (cut < 0) {
    for (let at = Math.max(start, limit); at < end && at < lastStart; at++) {
      if (b[at] !== 0x22 || (at > start && b[at - 1] === 0x5c)) continue
      let k = 1
      while (k < KEY.length && at + k < end && b[at + k] === KEY[k]) k++
      if (k === KEY.length || at + k === end) return at
    }
  }
  return cut
}

/** `b[i..i+8)` is the key (the caller has seen its last byte). */
const isKeyAt = (b: Uint8Array, i: number): boolean => {
  for (let k = 0; k < KEY_LAST; k++) if (b[i + k] !== KEY[k]) return false
  return true
}

const FOUND = 0
const FAILED = 1
const CUT = 2

/** After a key ending at `j`: ` : "<name>"`, the name added to `into`; or failed; or cut by `end`. */
const matchValue = (b: Uint8Array, j: number, end: number, into: JsonRpcMethods): number => {
  let gap = 0
  while (j < end && gap <= MAX_GAP && isJsonSpace(u8(b, j))) j++, gap++
  if (j >= end) return CUT
  if (b[j] !== 0x3a) return FAILED
  j++
  gap = 0
  while (j < end && gap <= MAX_GAP && isJsonSpace(u8(b, j))) j++, gap++
  if (j >= end) return CUT
  if (b[j] !== 0x22) return FAILED
  const nameStart = ++j
  while (j < end && j - nameStart <= MAX_METHOD_CHARS && isNameChar(u8(b, j))) j++
  if (j >= end) return CUT
  if (b[j] !== 0x22 || j === nameStart || j - nameStart > MAX_METHOD_CHARS) return FAILED
  into.add(b, nameStart, j)
  return FOUND
}

/**
 * True when `b[start..end)` opens like JSON text: after whitespace, `{` followed by `"` or
 * `}`, or `[` followed by `{`, `[`, `"`, `]` or a digit (or the payload ends there).
 */
export const looksLikeJsonStart = (b: Uint8Array, start: number, end: number): boolean => {
  if (start < 0 || end > b.length) return false
  let i = start
  const limit = Math.min(end, start + 64)
  while (i < limit && isJsonSpace(u8(b, i))) i++
  if (i >= limit) return false
  const open = u8(b, i)
  if (open !== 0x7b && open !== 0x5b) return false
  i++
  while (i < end && i < start + 128 && isJsonSpace(u8(b, i))) i++
  if (i >= end) return true
  const next = u8(b, i)
  if (open === 0x7b) return next === 0x22 || next === 0x7d
  return next === 0x7b || next === 0x5b || next === 0x22 || next === 0x5d || (next >= 0x30 && next <= 0x39)
}

/** Bytes a direction may carry: a token cut by a segment's end is no longer than a whole one. */
const CARRY = MAX_TOKEN_BYTES
/** Where the joined bytes (a carry, then the next payload's head) start in `bytes`. */
const JOINED = 2 * CARRY

/**
 * Scans successive payloads of one flow, both directions, for method names, including a
 * token split across segments of the same direction: each direction carries the bytes from
 * the first token its last segment cut (nothing when none was cut, as for most segments), and
 * those are scanned again joined with the next segment's head. One fixed buffer, no allocation
 * per packet; a scanner whose flow is done goes back to a pool (`takeScanner`/`giveScanner`),
 * so a capture of many short JSON-RPC flows does not allocate buffers per flow.
 */
export class JsonRpcStreamScanner {
  /** each direction's carry (`CARRY` bytes each), then the joined bytes (`2 * CARRY`) */
  private readonly bytes = new Uint8Array(4 * CARRY)
  private readonly carryLength = [0, 0]

  constructor(private into: JsonRpcMethods) {}

  /** Where the names found go. */
  get methods(): JsonRpcMethods {
    return this.into
  }

  /** Start over for another flow's names (nothing carried). */
  reset(methods: JsonRpcMethods): void {
    this.into = methods
    this.carryLength[0] = 0
    this.carryLength[1] = 0
  }

  scan(b: Uint8Array, start: number, end: number, forward: boolean): void {
    if (start < 0) start = 0
    if (end > b.length) end = b.length
    if (end <= start || this.into.full) return
    const bytes = this.bytes
    const side = forward ? 0 : 1
    const base = side * CARRY
    const kept = this.carryLength[side] ?? 0
    const length = end - start
    let head = 0
    let carried = -1
    if (kept > 0) {
      head = Math.min(CARRY, length)
      bytes.copyWithin(JOINED, base, base + kept)
      for (let k = 0; k < head; k++) bytes[JOINED + kept + k] = b[start + k]!
      // only tokens that start in the carry: one that starts in this payload is found by its own scan
      carried = scanJsonRpcMethods(bytes, JOINED, JOINED + kept + head, this.into, JOINED + kept)
    }
    const cut = scanJsonRpcMethods(b, start, end, this.into)
    if (carried >= 0 && head === length) {
      // a token from the carry is still cut: it runs through all of this payload
      bytes.copyWithin(base, carried, JOINED + kept + head)
      this.carryLength[side] = JOINED + kept + head - carried
    } else if (cut >= 0) {
      for (let k = cut; k < end; k++) bytes[base + k - cut] = b[k]!
      this.carryLength[side] = end - cut
    } else this.carryLength[side] = 0
  }
}

/**
 * Scanners given back, at most SPARE_SCANNERS (per thread: each worker has its own module).
 * JSON-RPC flows start and end in bursts (a pool's miners reconnect together), so the spare
 * list must hold about as many as are open at once: with 64, a 300 MB capture still made
 * 25,056 scanners for 27,680 flows; with 4,096 it made 845 (each is about 500 bytes).
 */
const SPARE_SCANNERS = 4096
const spare: Array<JsonRpcStreamScanner> = []

/** A scanner for one flow's `methods`: a spare one when there is one, else a new one. */
export const takeScanner = (methods: JsonRpcMethods): JsonRpcStreamScanner => {
  const scanner = spare.pop()
  if (scanner === undefined) return new JsonRpcStreamScanner(methods)
  scanner.reset(methods)
  return scanner
}

/** Give back a scanner its flow no longer uses (the caller drops its own reference). */
export const giveScanner = (scanner: JsonRpcStreamScanner): void => {
  if (spare.length < SPARE_SCANNERS) spare.push(scanner)
}
