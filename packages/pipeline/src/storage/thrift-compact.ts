/**
 * Thrift's compact protocol, generically: a struct is decoded into its fields (id, wire type,
 * value) without a schema, so that a reader can change a few known fields and encode the
 * struct back with every other field, known or not, exactly as it was.
 *
 * Holds: `decodeStruct` / `encodeStruct` and the value shapes (`ThriftStruct`, lists, maps,
 * and `ThriftEncoded`, a struct kept as its encoded bytes), with i64 as bigint. Used for
 * Parquet footers and page headers (`parquet-concat.ts`, `parquet-writer.ts`).
 * Does not hold: what any field means, or the binary protocol. Malformed input (a length past
 * the end, an unknown type, nesting deeper than 64) is a `ThriftDecodeError`, never a read
 * past the buffer; no allocation is sized from an unchecked length.
 */
import { ByteSink } from "./parquet-bytes.js"

/** compact-protocol wire types */
export const T_TRUE = 1
export const T_FALSE = 2
export const T_I8 = 3
export const T_I16 = 4
export const T_I32 = 5
export const T_I64 = 6
export const T_DOUBLE = 7
export const T_BINARY = 8
export const T_LIST = 9
export const T_SET = 10
export const T_MAP = 11
export const T_STRUCT = 12

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftMap | ThriftStruct | ThriftEncoded

export interface ThriftList {
  readonly kind: "list"
  /** T_LIST or T_SET */
  readonly wire: number
  readonly elementType: number
  readonly items: Array<ThriftValue>
}

export interface ThriftMap {
  readonly kind: "map"
  readonly keyType: number
  readonly valueType: number
  readonly entries: Array<readonly [ThriftValue, ThriftValue]>
}

export interface ThriftField {
  readonly id: number
  /** wire type; booleans are T_TRUE (their value decides true or false on encode) */
  readonly type: number
  value: ThriftValue
}

export interface ThriftStruct {
  readonly kind: "struct"
  readonly fields: Array<ThriftField>
}

/**
 * A struct already encoded (by `encodeStruct`), written as its bytes where a struct goes: a
 * writer that holds many structs can keep them as bytes. The decoder never makes one.
 */
export interface ThriftEncoded {
  readonly kind: "encoded"
  readonly bytes: Uint8Array
}

export class ThriftDecodeError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`thrift compact: ${reason} at byte ${offset}`)
  }
}

const MAX_DEPTH = 64

class Reader {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new ThriftDecodeError("unexpected end", this.pos)
    return this.bytes[this.pos++]!
  }

  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
      shift += 7n
    }
    throw new ThriftDecodeError("varint longer than 10 bytes", this.pos)
  }

  /** an unsigned varint that must fit a length or count within the remaining bytes */
  count(perItem: number): number {
    const at = this.pos
    const n = this.varint()
    if (n > BigInt(Math.floor((this.bytes.length - this.pos) / perItem))) throw new ThriftDecodeError(`length ${n} past the end`, at)
    return Number(n)
  }

  zigzag(): bigint {
    const n = this.varint()
    return (n >> 1n) ^ -(n & 1n)
  }

  take(n: number): Uint8Array {
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}

const readValue = (r: Reader, type: number, depth: number): ThriftValue => {
  switch (type) {
    case T_TRUE:
      return true
    case T_FALSE:
      return false
    case T_I8: {
      const b = r.byte()
      return b > 127 ? b - 256 : b
    }
    case T_I16:
    case T_I32:
      return Number(r.zigzag())
    case T_I64:
      return r.zigzag()
    case T_DOUBLE: {
      if (r.pos + 8 > r.bytes.length) throw new ThriftDecodeError("double past the end", r.pos)
      return r.take(8).slice()
    }
    case T_BINARY:
      return r.take(r.count(1)).slice()
    case T_LIST:
    case T_SET: {
      const head = r.byte()
      const elementType = head & 0x0f
      const size = (head >> 4) === 15 ? r.count(1) : head >> 4
      const items: Array<ThriftValue> = []
      for (let i = 0; i < size; i++) {
        // booleans inside a list are one byte each: 1 true, anything else false
        items.push(elementType === T_TRUE || elementType === T_FALSE ? r.byte() === 1 : readValue(r, elementType, depth + 1))
      }
      return { kind: "list", wire: type, elementType, items }
    }
    case T_MAP: {
      const size = r.count(1)
      if (size === 0) return { kind: "map", keyType: 0, valueType: 0, entries: [] }
      const types = r.byte()
      const keyType = types >> 4
      const valueType = types & 0x0f
      const entries: Array<readonly [ThriftValue, ThriftValue]> = []
      for (let i = 0; i < size; i++) entries.push([readValue(r, keyType, depth + 1), readValue(r, valueType, depth + 1)])
      return { kind: "map", keyType, valueType, entries }
    }
    case T_STRUCT:
      return readStruct(r, depth + 1)
    default:
      throw new ThriftDecodeError(`unknown type ${type}`, r.pos)
  }
}

const readStruct = (r: Reader, depth: number): ThriftStruct => {
  if (depth > MAX_DEPTH) throw new ThriftDecodeError("nesting too deep", r.pos)
  const fields: Array<ThriftField> = []
  let lastId = 0
  for (;;) {
    const head = r.byte()
    if (head === 0) return { kind: "struct", fields }
    const type = head & 0x0f
    const delta = head >> 4
    const id = delta === 0 ? Number(r.zigzag()) : lastId + delta
    const value = readValue(r, type, depth)
    fields.push({ id, type: type === T_FALSE ? T_TRUE : type, value })
    lastId = id
  }
}

/** Decode one struct starting at `offset`; `end` is where it stopped. */
export const decodeStruct = (bytes: Uint8Array, offset = 0): { readonly value: ThriftStruct; readonly end: number } => {
  const r = new Reader(bytes)
  r.pos = offset
  const value = readStruct(r, 0)
  return { value, end: r.pos }
}

class Writer {
  private readonly sink = new ByteSink(4096)

  byte(b: number): void {
    this.sink.u8(b & 0xff)
  }

  varint(n: bigint): void {
    let v = n
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    this.byte(Number(v))
  }

  zigzag(n: bigint): void {
    this.varint(n >= 0n ? n << 1n : ((-n) << 1n) - 1n)
  }

  bytes(b: Uint8Array): void {
    this.sink.append(b)
  }

  result(): Uint8Array {
    return this.sink.copy()
  }
}

const asBigInt = (value: ThriftValue): bigint => (typeof value === "bigint" ? value : BigInt(value as number))

const writeValue = (w: Writer, type: number, value: ThriftValue): void => {
  switch (type) {
    case T_TRUE:
    case T_FALSE:
      return
    case T_I8:
      w.byte(value as number)
      return
    case T_I16:
    case T_I32:
    case T_I64:
      w.zigzag(asBigInt(value))
      return
    case T_DOUBLE:
    case T_BINARY: {
      const bytes = value as Uint8Array
      if (type === T_BINARY) w.varint(BigInt(bytes.length))
      w.bytes(bytes)
      return
    }
    case T_LIST:
    case T_SET: {
      const list = value as ThriftList
      const n = list.items.length
      if (n < 15) w.byte((n << 4) | list.elementType)
      else {
        w.byte(0xf0 | list.elementType)
        w.varint(BigInt(n))
      }
      for (const item of list.items) {
        if (list.elementType === T_TRUE || list.elementType === T_FALSE) w.byte(item === true ? 1 : 2)
        else writeValue(w, list.elementType, item)
      }
      return
    }
    case T_MAP: {
      const map = value as ThriftMap
      w.varint(BigInt(map.entries.length))
      if (map.entries.length === 0) return
      w.byte((map.keyType << 4) | map.valueType)
      for (const [k, v] of map.entries) {
        writeValue(w, map.keyType, k)
        writeValue(w, map.valueType, v)
      }
      return
    }
    case T_STRUCT: {
      const struct = value as ThriftStruct | ThriftEncoded
      if (struct.kind === "encoded") w.bytes(struct.bytes)
      else writeStruct(w, struct)
      return
    }
  }
}

const writeStruct = (w: Writer, struct: ThriftStruct): void => {
  let lastId = 0
  for (const field of struct.fields) {
    const type = field.type === T_TRUE || field.type === T_FALSE ? (field.value === true ? T_TRUE : T_FALSE) : field.type
    const delta = field.id - lastId
    if (delta > 0 && delta <= 15) w.byte((delta << 4) | type)
    else {
      w.byte(type)
      w.zigzag(BigInt(field.id))
    }
    writeValue(w, type, field.value)
    lastId = field.id
  }
  w.byte(0)
}

export const encodeStruct = (struct: ThriftStruct): Uint8Array => {
  const w = new Writer()
  writeStruct(w, struct)
  return w.result()
}

/** The field with `id`, if present. */
export const fieldOf = (struct: ThriftStruct, id: number): ThriftField | undefined => struct.fields.find((f) => f.id === id)
