/**
 * One column chunk's pages, uncompressed: an optional dictionary page and one data page (v1),
 * with the chunk's statistics.
 *
 * Holds: `encodeChunk`. A column whose values take at most `MAX_DICTIONARY` distinct values,
 * and at most half as many as it has values, is dictionary-encoded (PLAIN_DICTIONARY, indices
 * in the hybrid encoding): protocols, flags and their counts, end reasons, `dataset` and
 * `capture`. Every other column is PLAIN (counters, times, addresses, `flow_id`). The data page
 * holds the repetition levels (lists only) and the definition levels, each as a 4-byte length
 * and the hybrid encoding, then the values.
 * Statistics: null count, and min and max in the column's own order (signed integers, doubles
 * without NaN with -0 as the least zero and +0 as the greatest, false < true, strings by their
 * unsigned bytes, only where both are at most 64 bytes).
 * Does not hold: gathering cells (see `parquet-leaves.ts`), compression or metadata (see
 * `parquet-writer.ts`).
 */
import { bitWidthOf, ByteSink, writeHybrid } from "./parquet-bytes.js"
import type { Leaves } from "./parquet-leaves.js"

/** Distinct values a dictionary may hold (indices stay within the encoder's 16 bits). */
export const MAX_DICTIONARY = 1024
/** The hash table has 2^(32 - TABLE_SHIFT) slots: at least four per dictionary entry. */
const TABLE_SHIFT = 20
/** Longest string min or max written into statistics. */
const MAX_STAT_BYTES = 64

/** A chunk's pages as views of the scratch: valid until the next `encodeChunk` with it. */
export interface EncodedChunk {
  /** the dictionary page's values (PLAIN) and how many there are; undefined: no dictionary */
  readonly dictionary: { readonly bytes: Uint8Array; readonly count: number } | undefined
  /** the data page's body */
  readonly page: Uint8Array
  /** level entries in the data page (`num_values`) */
  readonly levels: number
  readonly nullCount: number
  readonly min: Uint8Array | undefined
  readonly max: Uint8Array | undefined
}

/** Scratch kept from chunk to chunk. */
export class ChunkScratch {
  readonly sink = new ByteSink(1 << 16)
  readonly dictionaryValues = new ByteSink(1 << 12)
  indices = new Uint16Array(1024)
  /** dictionary hash table (open addressing): entry + 1, 0 for an empty slot */
  readonly table = new Int32Array(1 << (32 - TABLE_SHIFT))
  /** numeric dictionary entries as their words */
  readonly entryWords = new Int32Array(MAX_DICTIONARY * 2)
  readonly entryStart = new Int32Array(MAX_DICTIONARY + 1)
  readonly entryEnd = new Int32Array(MAX_DICTIONARY + 1)
}

const sameBytes = (a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean => {
  if (aEnd - aStart !== bEnd - bStart) return false
  for (let k = 0; k < aEnd - aStart; k++) if (a[aStart + k] !== b[bStart + k]) return false
  return true
}

/** -1: a before b, 0: equal, 1: after (unsigned bytes). */
const compareBytes = (a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number => {
  const n = Math.min(aEnd - aStart, bEnd - bStart)
  for (let k = 0; k < n; k++) {
    const diff = a[aStart + k]! - b[bStart + k]!
    if (diff !== 0) return diff < 0 ? -1 : 1
  }
  return Math.sign(aEnd - aStart - (bEnd - bStart))
}

/** Dictionary indices of string values, or false when there are too many distinct ones. */
const stringIndices = (leaves: Leaves, scratch: ChunkScratch, limit: number): number | false => {
  const text = leaves.text.bytes()
  const ends = leaves.textEnds
  const table = scratch.table
  table.fill(0)
  const mask = table.length - 1
  let entries = 0
  for (let value = 0; value < leaves.count; value++) {
    const start = value === 0 ? 0 : ends[value - 1]!
    const end = ends[value]!
    if (value > 0 && sameBytes(text, value === 1 ? 0 : ends[value - 2]!, start, text, start, end)) {
      scratch.indices[value] = scratch.indices[value - 1]!
      continue
    }
    let hash = 0x811c9dc5
    for (let k = start; k < end; k++) hash = Math.imul(hash ^ text[k]!, 0x01000193)
    let slot = Math.imul(hash, 0x9e3779b1) >>> TABLE_SHIFT
    for (;;) {
      const entry = table[slot]!
      if (entry === 0) {
        if (entries === limit) return false
        scratch.entryStart[entries] = start
        scratch.entryEnd[entries] = end
        table[slot] = ++entries
        scratch.indices[value] = entries - 1
        break
      }
      if (sameBytes(text, scratch.entryStart[entry - 1]!, scratch.entryEnd[entry - 1]!, text, start, end)) {
        scratch.indices[value] = entry - 1
        break
      }
      slot = (slot + 1) & mask
    }
  }
  const sink = scratch.dictionaryValues
  sink.clear()
  for (let entry = 0; entry < entries; entry++) {
    sink.u32(scratch.entryEnd[entry]! - scratch.entryStart[entry]!)
    sink.append(text.subarray(scratch.entryStart[entry]!, scratch.entryEnd[entry]!))
  }
  return entries
}

/**
 * Dictionary indices of numeric values, or false when there are too many distinct ones. Values
 * are compared as their bit patterns (`width` 32-bit words each: one for int32, two for int64
 * and double), so -0 and +0, or two NaNs, stay what they were.
 */
const numberIndices = (words: Int32Array, width: 1 | 2, count: number, scratch: ChunkScratch, limit: number): number | false => {
  const table = scratch.table
  table.fill(0)
  const keys = scratch.entryWords
  let entries = 0
  let lastLow = 0
  let lastHigh = 0
  for (let value = 0; value < count; value++) {
    const low = words[value * width]!
    const high = width === 2 ? words[value * 2 + 1]! : 0
    if (value > 0 && low === lastLow && high === lastHigh) {
      scratch.indices[value] = scratch.indices[value - 1]!
      continue
    }
    lastLow = low
    lastHigh = high
    let slot = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> TABLE_SHIFT
    for (;;) {
      const entry = table[slot]!
      if (entry === 0) {
        if (entries === limit) return false
        keys[entries * width] = low
        if (width === 2) keys[entries * 2 + 1] = high
        table[slot] = ++entries
        scratch.indices[value] = entries - 1
        break
      }
      if (keys[(entry - 1) * width] === low && (width === 1 || keys[(entry - 1) * 2 + 1] === high)) {
        scratch.indices[value] = entry - 1
        break
      }
      slot = (slot + 1) & (table.length - 1)
    }
  }
  const sink = scratch.dictionaryValues
  sink.clear()
  sink.append(new Uint8Array(keys.buffer, 0, entries * width * 4))
  return entries
}

const bytesOf = (array: Int32Array | Float64Array, count: number): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, count * array.BYTES_PER_ELEMENT)

/** The present values, PLAIN. */
const writePlain = (sink: ByteSink, leaves: Leaves): void => {
  const n = leaves.count
  switch (leaves.kind) {
    case "int32":
    case "list_int32":
      return sink.append(bytesOf(leaves.words, n))
    case "int64":
      return sink.append(bytesOf(leaves.words, n * 2))
    case "float64":
    case "list_float64":
      return sink.append(bytesOf(leaves.doubles, n))
    case "bool": {
      sink.reserve((n + 7) >> 3)
      for (let start = 0; start < n; start += 8) {
        let byte = 0
        for (let k = 0; k < 8 && start + k < n; k++) byte |= leaves.flags[start + k]! << k
        sink.u8(byte)
      }
      return
    }
    case "utf8": {
      const text = leaves.text.bytes()
      const out = sink.room(n * 4 + text.length)
      let at = sink.length
      for (let value = 0; value < n; value++) {
        const start = value === 0 ? 0 : leaves.textEnds[value - 1]!
        const end = leaves.textEnds[value]!
        const length = end - start
        out[at] = length & 0xff
        out[at + 1] = (length >>> 8) & 0xff
        out[at + 2] = (length >>> 16) & 0xff
        out[at + 3] = length >>> 24
        at += 4
        for (let k = start; k < end; k++) out[at++] = text[k]!
      }
      sink.length = at
    }
  }
}

const littleEndian = (write: (view: DataView) => void, width: number): Uint8Array => {
  const bytes = new Uint8Array(width)
  write(new DataView(bytes.buffer))
  return bytes
}

/**
 * Min and max of the present values, PLAIN-encoded; undefined where there are none to give.
 * `distinct`: the dictionary's size when the chunk has one (its string entries are compared
 * instead of every value).
 */
const statistics = (leaves: Leaves, scratch: ChunkScratch, distinct: number | false): { min: Uint8Array | undefined; max: Uint8Array | undefined } => {
  const n = leaves.count
  const none = { min: undefined, max: undefined }
  if (n === 0) return none
  const { words, doubles } = leaves
  switch (leaves.kind) {
    case "int32":
    case "list_int32": {
      let min = words[0]!
      let max = min
      for (let k = 1; k < n; k++) {
        const v = words[k]!
        if (v < min) min = v
        else if (v > max) max = v
      }
      return { min: littleEndian((view) => view.setInt32(0, min, true), 4), max: littleEndian((view) => view.setInt32(0, max, true), 4) }
    }
    case "int64": {
      let min = 0
      let max = 0
      const below = (a: number, b: number): boolean =>
        words[a * 2 + 1]! < words[b * 2 + 1]! || (words[a * 2 + 1] === words[b * 2 + 1] && words[a * 2]! >>> 0 < words[b * 2]! >>> 0)
      for (let k = 1; k < n; k++) {
        if (below(k, min)) min = k
        else if (below(max, k)) max = k
      }
      return { min: bytesOf(words.slice(min * 2, min * 2 + 2), 2), max: bytesOf(words.slice(max * 2, max * 2 + 2), 2) }
    }
    case "float64":
    case "list_float64": {
      let min = Infinity
      let max = -Infinity
      let seen = false
      for (let k = 0; k < n; k++) {
        const v = doubles[k]!
        if (v !== v) continue
        seen = true
        if (v < min) min = v
        if (v > max) max = v
      }
      if (!seen) return none
      const low = min === 0 ? -0 : min
      const high = max === 0 ? 0 : max
      return { min: littleEndian((view) => view.setFloat64(0, low, true), 8), max: littleEndian((view) => view.setFloat64(0, high, true), 8) }
    }
    case "bool": {
      let any = 0
      let all = 1
      for (let k = 0; k < n; k++) {
        any |= leaves.flags[k]!
        all &= leaves.flags[k]!
      }
      return { min: Uint8Array.of(all), max: Uint8Array.of(any) }
    }
    case "utf8": {
      // with a dictionary, its entries are every distinct value: the min and max are among them
      const text = leaves.text.bytes()
      const count = distinct === false ? n : distinct
      const ends = distinct === false ? leaves.textEnds : scratch.entryEnd
      const start = (k: number): number => (distinct !== false ? scratch.entryStart[k]! : k === 0 ? 0 : ends[k - 1]!)
      let min = 0
      let max = 0
      for (let k = 1; k < count; k++) {
        if (compareBytes(text, start(k), ends[k]!, text, start(min), ends[min]!) < 0) min = k
        else if (compareBytes(text, start(k), ends[k]!, text, start(max), ends[max]!) > 0) max = k
      }
      if (ends[min]! - start(min) > MAX_STAT_BYTES || ends[max]! - start(max) > MAX_STAT_BYTES) return none
      return { min: text.slice(start(min), ends[min]!), max: text.slice(start(max), ends[max]!) }
    }
  }
}

/** A level stream: its byte length, then its hybrid encoding. */
const writeLevels = (sink: ByteSink, levels: Uint8Array, count: number, maxLevel: number): void => {
  const lengthAt = sink.length
  sink.u32(0)
  writeHybrid(sink, levels, count, bitWidthOf(maxLevel))
  sink.patchU32(lengthAt, sink.length - lengthAt - 4)
}

/** The pages of one column chunk from its gathered leaves. */
export const encodeChunk = (leaves: Leaves, scratch: ChunkScratch): EncodedChunk => {
  const list = leaves.kind === "list_int32" || leaves.kind === "list_float64"
  const n = leaves.count
  if (scratch.indices.length < n) scratch.indices = new Uint16Array(Math.max(n, scratch.indices.length * 2))
  const limit = Math.min(MAX_DICTIONARY, n >> 1)
  const distinct =
    leaves.kind === "bool" || limit === 0
      ? false
      : leaves.kind === "utf8"
        ? stringIndices(leaves, scratch, limit)
        : leaves.kind === "int32" || leaves.kind === "list_int32"
          ? numberIndices(leaves.words, 1, n, scratch, limit)
          : leaves.kind === "int64"
            ? numberIndices(leaves.words, 2, n, scratch, limit)
            : numberIndices(leaves.doubleWords, 2, n, scratch, limit)
  const sink = scratch.sink
  sink.clear()
  if (list) writeLevels(sink, leaves.repetition, leaves.slots, 1)
  writeLevels(sink, leaves.definition, leaves.slots, list ? 3 : 1)
  if (distinct === false) writePlain(sink, leaves)
  else {
    const width = bitWidthOf(distinct - 1)
    sink.u8(width)
    writeHybrid(sink, scratch.indices, n, width)
  }
  return {
    dictionary: distinct === false ? undefined : { bytes: scratch.dictionaryValues.bytes(), count: distinct },
    page: sink.bytes(),
    levels: leaves.slots,
    nullCount: leaves.slots - n,
    ...statistics(leaves, scratch, distinct)
  }
}
