/**
 * JSON-RPC method-name scanning for the application hints (Stratum, XMRig/Monero, Ethereum
 * getWork, JSON-RPC over HTTP POST bodies).
 *
 * Holds: `looksLikeJsonStart` (a payload opening with `{"`, `{}`, `[{`, … after whitespace),
 * `scanJsonRpcMethods` (finds `"method"` `:` `"<name>"` without parsing JSON; names are 1–64
 * characters of [A-Za-z0-9_.]), `JsonRpcMethods` (distinct names in order of first use, at
 * most 32, compared byte-wise so a repeated name allocates nothing; the first 256 names seen in
 * the process are kept, so a name repeated across flows is made once) and
 * `JsonRpcStreamScanner`, which also finds a token cut by a TCP segment boundary by
 * rescanning a fixed carry of each direction's last bytes joined with the next segment's head.
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

const METHOD_KEY = "method\""

/**
 * Adds every complete `"method" : "<name>"` in `b[start..end)` that starts before `lastStart`
 * (default: anywhere) to `into`. Each byte is tried as a token start on its own, so tokens may
 * overlap. A token cut by either end of the window is skipped
 * (JsonRpcStreamScanner catches those across segments).
 */
export const scanJsonRpcMethods = (b: Uint8Array, start: number, end: number, into: JsonRpcMethods, lastStart = end): void => {
  if (start < 0) start = 0
  if (end > b.length) end = b.length
  for (let i = start; i + 11 <= end && i < lastStart; i++) {
    if (b[i] !== 0x22) continue
    let k = 0
    while (k < METHOD_KEY.length && u8(b, i + 1 + k) === METHOD_KEY.charCodeAt(k)) k++
    if (k < METHOD_KEY.length) continue
    if (i > start && b[i - 1] === 0x5c) continue // an escaped quote inside a string
    let j = i + 1 + METHOD_KEY.length
    let gap = 0
    while (j < end && gap <= MAX_GAP && isJsonSpace(u8(b, j))) j++, gap++
    if (j >= end || b[j] !== 0x3a) continue
    j++
    gap = 0
    while (j < end && gap <= MAX_GAP && isJsonSpace(u8(b, j))) j++, gap++
    if (j >= end || b[j] !== 0x22) continue
    const nameStart = ++j
    while (j < end && j - nameStart <= MAX_METHOD_CHARS && isNameChar(u8(b, j))) j++
    if (j >= end || b[j] !== 0x22 || j === nameStart || j - nameStart > MAX_METHOD_CHARS) continue
    into.add(b, nameStart, j)
    if (into.full) return
    // the scan goes on at the next byte, not after the name: a match found or missed never
    // depends on an earlier one, so segments cut anywhere find what one scan of the whole finds
    // (in `"method":"method":"x"` both the first and the second pair count)
  }
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

/** Bytes kept from the end of each direction: longer than any token the scanner accepts. */
const CARRY = 112

/**
 * Scans successive payloads of one flow, both directions, for method names, including a
 * token split across two segments of the same direction. Two fixed buffers, no allocation per
 * packet; a scanner whose flow is done goes back to a small pool (`takeScanner`/`giveScanner`),
 * so a capture of many short JSON-RPC flows does not allocate buffers per flow.
 */
export class JsonRpcStreamScanner {
  private readonly carry = new Uint8Array(2 * CARRY)
  private readonly carryLength = [0, 0]
  private readonly joined = new Uint8Array(2 * CARRY)

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
    const side = forward ? 0 : 1
    const base = side * CARRY
    const kept = this.carryLength[side] ?? 0
    if (kept > 0) {
      const head = Math.min(CARRY, end - start)
      for (let k = 0; k < kept; k++) this.joined[k] = this.carry[base + k] ?? 0
      for (let k = 0; k < head; k++) this.joined[kept + k] = b[start + k] ?? 0
      // only tokens that start in the carry: one that starts in this payload is the next scan's
      scanJsonRpcMethods(this.joined, 0, kept + head, this.into, kept)
    }
    scanJsonRpcMethods(b, start, end, this.into)
    // keep the last CARRY bytes of (old carry + this payload)
    const length = end - start
    if (length >= CARRY) {
      for (let k = 0; k < CARRY; k++) this.carry[base + k] = b[end - CARRY + k] ?? 0
      this.carryLength[side] = CARRY
    } else {
      const keep = Math.min(kept, CARRY - length)
      this.carry.copyWithin(base, base + kept - keep, base + kept)
      for (let k = 0; k < length; k++) this.carry[base + keep + k] = b[start + k] ?? 0
      this.carryLength[side] = keep + length
    }
  }
}

/**
 * Scanners given back, at most SPARE_SCANNERS (per thread: each worker has its own module).
 * JSON-RPC flows start and end in bursts (a pool's miners reconnect together), so the spare
 * list must hold about as many as are open at once: with 64, a 300 MB capture still made
 * 25,056 scanners for 27,680 flows; with 4,096 it made 845 (each is about 600 bytes).
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
